// nn/attention.h: HF child names, the additive mask, multi-head attention against a per-head
// composition of ops, padding (padded keys get no weight; a padded batch row equals the
// unpadded sequence alone), a fully padded row, gradcheck in f64 with a mask, attention dropout
// driven by the training flag, and adapters' view of the projections.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nn/attention.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

std::vector<std::string> names(const Module& m) {
  std::vector<std::string> out;
  for (const auto& [n, p] : m.named_parameters()) out.push_back(n);
  return out;
}

AttentionConfig tiny(DType dtype, Generator* gen) {
  return {.hidden_size = 12, .num_heads = 3, .gen = gen, .dtype = dtype};
}

// Attention one head at a time with narrow slices (no (B, H, T, D) views): an independent
// composition of the same math.
Tensor reference(const SelfAttention& a, const Tensor& x, const Tensor& mask) {
  const int64_t H = a.num_heads(), D = a.head_dim();
  const Tensor q = a.query()->forward(x), k = a.key()->forward(x), v = a.value()->forward(x);
  std::vector<Tensor> heads;
  for (int64_t h = 0; h < H; ++h) {
    const Tensor qh = q.narrow(2, h * D, D), kh = k.narrow(2, h * D, D), vh = v.narrow(2, h * D, D);
    Tensor s = div(matmul(qh, kh.transpose(1, 2)), std::sqrt(static_cast<double>(D)));  // (B,T,T)
    if (mask.defined()) s = add(s, mask.squeeze(1));                                    // (B, 1, T)
    heads.push_back(matmul(softmax(s, -1), vh));
  }
  return cat(heads, 2);
}

TEST(Attention, HuggingFaceNames) {
  Attention roberta(tiny(DType::f32, nullptr), "self", /*post_ln=*/true, 1e-5, 0.1);
  const std::vector<std::string> expected_roberta = {
      "self.query.weight",       "self.query.bias",      "self.key.weight",     "self.key.bias",
      "self.value.weight",       "self.value.bias",      "output.dense.weight", "output.dense.bias",
      "output.LayerNorm.weight", "output.LayerNorm.bias"};
  EXPECT_EQ(names(roberta), expected_roberta);
  Attention vit(tiny(DType::f32, nullptr), "attention", /*post_ln=*/false, 1e-12, 0.0);
  const std::vector<std::string> expected_vit = {"attention.query.weight", "attention.query.bias",
                                                 "attention.key.weight",   "attention.key.bias",
                                                 "attention.value.weight", "attention.value.bias",
                                                 "output.dense.weight",    "output.dense.bias"};
  EXPECT_EQ(names(vit), expected_vit);
  AttentionConfig no_bias = tiny(DType::f32, nullptr);
  no_bias.qkv_bias = false;
  EXPECT_EQ(SelfAttention(no_bias).named_parameters().size(), 3u);
}

TEST(Attention, AdditiveMask) {
  const Tensor m = from_vector<int64_t>({1, 1, 0, 1, 0, 0}, {2, 3});
  const Tensor a = additive_attention_mask(m, DType::f32);
  EXPECT_EQ(a.shape(), (Shape{2, 1, 1, 3}));
  const float low = std::numeric_limits<float>::lowest();
  EXPECT_EQ(to_vector<float>(a), (std::vector<float>{0, 0, low, 0, low, low}));
  EXPECT_EQ(to_vector<double>(additive_attention_mask(m, DType::f64))[2],
            std::numeric_limits<double>::lowest());
  EXPECT_FFTUNE_ERROR(additive_attention_mask(zeros({3}), DType::f32), "must be (B, T)");
}

TEST(Attention, MatchesPerHeadComposition) {
  Generator gen(3);
  SelfAttention a(tiny(DType::f64, &gen));
  const Tensor x = testing::random_tensor({2, 5, 12}, DType::f64, 1, false);
  const Tensor mask = additive_attention_mask(
      from_vector<int64_t>({1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, {2, 5}), DType::f64);
  EXPECT_ALL_CLOSE(a.forward(x, mask), reference(a, x, mask), 1e-12, 1e-12);
  EXPECT_ALL_CLOSE(a.forward(x), reference(a, x, Tensor()), 1e-12, 1e-12);
}

TEST(Attention, PaddedRowEqualsTheShortSequenceAlone) {
  Generator gen(4);
  SelfAttention a(tiny(DType::f32, &gen));
  const Tensor x = testing::random_tensor({2, 6, 12}, DType::f32, 2, false);
  const Tensor mask = additive_attention_mask(
      from_vector<int64_t>({1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, {2, 6}), DType::f32);
  const Tensor y = a.forward(x, mask);
  const Tensor alone = a.forward(x.narrow(0, 1, 1).narrow(1, 0, 3).contiguous());  // (1, 3, 12)
  EXPECT_ALL_CLOSE(y.narrow(0, 1, 1).narrow(1, 0, 3), alone, 1e-5, 1e-6);
  // Changing padded positions changes nothing at the real tokens.
  Tensor x2 = x.clone();
  x2.narrow(0, 1, 1).narrow(1, 3, 3).fill_(7.0);
  EXPECT_ALL_CLOSE(a.forward(x2, mask).narrow(0, 1, 1).narrow(1, 0, 3),
                   y.narrow(0, 1, 1).narrow(1, 0, 3), 0.0, 0.0);
}

TEST(Attention, FullyPaddedRowAttendsUniformlyWithoutNaN) {
  Generator gen(5);
  SelfAttention a(tiny(DType::f32, &gen));
  const Tensor x = testing::random_tensor({1, 4, 12}, DType::f32, 3, false);
  const Tensor mask = additive_attention_mask(zeros({1, 4}, DType::i64), DType::f32);
  const Tensor y = a.forward(x, mask);
  // Uniform weights: every query gets the mean of the values.
  const Tensor expected = mean(a.value()->forward(x), {1}, true).expand({1, 4, 12});
  EXPECT_ALL_CLOSE(y, expected, 1e-5, 1e-6);
}

TEST(Attention, GradcheckWithMask) {
  Generator gen(6);
  SelfAttention a({.hidden_size = 6, .num_heads = 2, .gen = &gen, .dtype = DType::f64});
  const Tensor mask =
      additive_attention_mask(from_vector<int64_t>({1, 1, 1, 1, 1, 0}, {2, 3}), DType::f64);
  std::vector<Tensor> inputs = {testing::random_tensor({2, 3, 6}, DType::f64, 7)};
  for (const Tensor& p : a.parameters()) inputs.push_back(p);
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return a.forward(in[0], mask); }, inputs);
}

TEST(Attention, GradcheckBlockWithResidualAndLayerNorm) {
  Generator gen(8);
  Attention block({.hidden_size = 6, .num_heads = 3, .gen = &gen, .dtype = DType::f64}, "self",
                  true, 1e-5, 0.0);
  const Tensor mask =
      additive_attention_mask(from_vector<int64_t>({1, 1, 0, 1}, {2, 2}), DType::f64);
  std::vector<Tensor> inputs = {testing::random_tensor({2, 2, 6}, DType::f64, 9)};
  for (const Tensor& p : block.parameters()) inputs.push_back(p);
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return block.forward(in[0], mask, in[0]); },
                   inputs);
}

TEST(Attention, ProbabilityDropoutFollowsTheTrainingFlag) {
  Generator gen(10);
  AttentionConfig c = tiny(DType::f32, &gen);
  c.attention_dropout = 0.5;
  SelfAttention a(c);
  const Tensor x = testing::random_tensor({2, 5, 12}, DType::f32, 11, false);
  a.eval();
  const Tensor y_eval = a.forward(x);
  EXPECT_ALL_CLOSE(y_eval, reference(a, x, Tensor()), 1e-5, 1e-6);
  a.train();
  EXPECT_FALSE(testing::all_close(a.forward(x), y_eval, 1e-3, 1e-3));
}

TEST(Attention, RejectsBadShapes) {
  EXPECT_FFTUNE_ERROR(SelfAttention({.hidden_size = 10, .num_heads = 3}), "multiple of num_heads");
  SelfAttention a(tiny(DType::f32, nullptr));
  EXPECT_FFTUNE_ERROR(a.forward(zeros({2, 3, 8})), "x must be (B, T, 12)");
}

}  // namespace
}  // namespace fftune::nn
