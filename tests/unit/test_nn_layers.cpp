// The small layers of nn/: LayerNorm (names, init, forward vs the op, gradcheck), Embedding
// (init, padding_idx row zero and never trained, negative padding_idx), Dropout (training flag,
// generator determinism), activations by HF name and GELU, and the RoBERTa classification head
// (names, forward vs composition on the first token, gradcheck).
#include <gtest/gtest.h>

#include "nn/activation.h"
#include "nn/classification_head.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/layer_norm.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

TEST(LayerNormModule, NamesInitAndForward) {
  LayerNorm ln({6}, 1e-12);
  ASSERT_EQ(ln.named_parameters().size(), 2u);
  EXPECT_EQ(ln.named_parameters()[0].first, "weight");
  EXPECT_EQ(ln.named_parameters()[1].first, "bias");
  EXPECT_EQ(to_vector<float>(ln.weight()), std::vector<float>(6, 1.0f));
  EXPECT_EQ(to_vector<float>(ln.bias()), std::vector<float>(6, 0.0f));
  const Tensor x = testing::random_tensor({3, 6}, DType::f32, 1, false);
  const Tensor mu = mean(x, {-1}, true);
  const Tensor expected = div(sub(x, mu), sqrt(add(var(x, {-1}, 0, true), 1e-12)));
  EXPECT_ALL_CLOSE(ln.forward(x), expected, 1e-5, 1e-6);
  EXPECT_TRUE(LayerNorm({6}, 1e-5, false).named_parameters().empty());
  EXPECT_FFTUNE_ERROR(LayerNorm({6}, 0.0), "eps must be positive");
}

TEST(LayerNormModule, Gradcheck) {
  LayerNorm ln({5}, 1e-5, true, DType::f64);
  ln.load_state_dict({{"weight", testing::random_tensor({5}, DType::f64, 2, false)},
                      {"bias", testing::random_tensor({5}, DType::f64, 3, false)}});
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return ln.forward(in[0]); },
                   {testing::random_tensor({2, 3, 5}, DType::f64, 4), ln.weight(), ln.bias()});
}

TEST(EmbeddingModule, PaddingRowIsZeroAndNeverTrained) {
  Generator gen(1);
  Embedding emb(6, 3, /*padding_idx=*/1, &gen);
  EXPECT_EQ(emb.named_parameters()[0].first, "weight");
  const std::vector<float> w = to_vector<float>(emb.weight());
  EXPECT_EQ(std::vector<float>(w.begin() + 3, w.begin() + 6), std::vector<float>(3, 0.0f));
  const Tensor idx = from_vector<int64_t>({1, 2, 1, 5}, {2, 2});
  const Tensor y = emb.forward(idx);
  EXPECT_EQ(y.shape(), (Shape{2, 2, 3}));
  sum(y).backward();
  const std::vector<float> g = to_vector<float>(emb.weight().grad());
  const std::vector<float> expected = {0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1};
  EXPECT_EQ(g, expected);
  EXPECT_EQ(Embedding(6, 3, -1).padding_idx(), 5);
  EXPECT_FFTUNE_ERROR(Embedding(6, 3, 6), "padding_idx 6 is out of range");
}

TEST(EmbeddingModule, GradcheckWithPadding) {
  Embedding emb(4, 2, 0, nullptr, DType::f64);
  const Tensor idx = from_vector<int64_t>({0, 3, 3, 1}, {4});
  EXPECT_GRADCHECK(
      [&](const std::vector<Tensor>&) { return mul(emb.forward(idx), emb.forward(idx)); },
      {emb.weight()});
}

TEST(DropoutModule, TrainingFlagAndGenerator) {
  Generator g1(7), g2(7);
  Dropout d1(0.5, &g1), d2(0.5, &g2);
  const Tensor x = ones({1000});
  const Tensor a = d1.forward(x), b = d2.forward(x);
  EXPECT_EQ(to_vector<float>(a), to_vector<float>(b));  // same seed, same mask
  const double kept = sum(a).item() / 2.0;              // kept elements are scaled by 2
  EXPECT_GT(kept, 400);
  EXPECT_LT(kept, 600);
  d1.eval();
  EXPECT_TRUE(d1.forward(x).is_same(x));
  EXPECT_FFTUNE_ERROR(Dropout(1.5), "p must be in [0, 1]");
}

TEST(Activations, ByHuggingFaceName) {
  const Tensor x = testing::random_tensor({7}, DType::f64, 5, false);
  EXPECT_ALL_CLOSE(apply_activation(activation_from_name("gelu"), x), gelu(x), 0.0, 0.0);
  EXPECT_ALL_CLOSE(apply_activation(activation_from_name("gelu_new"), x),
                   gelu(x, GeluApproximation::kTanh), 0.0, 0.0);
  EXPECT_ALL_CLOSE(apply_activation(activation_from_name("gelu_pytorch_tanh"), x),
                   gelu(x, GeluApproximation::kTanh), 0.0, 0.0);
  EXPECT_ALL_CLOSE(apply_activation(activation_from_name("relu"), x), relu(x), 0.0, 0.0);
  EXPECT_ALL_CLOSE(apply_activation(activation_from_name("tanh"), x), tanh(x), 0.0, 0.0);
  EXPECT_FFTUNE_ERROR(activation_from_name("swish"), "unsupported hidden_act 'swish'");
  GELU exact, approx(GeluApproximation::kTanh);
  EXPECT_ALL_CLOSE(exact.forward(x), gelu(x), 0.0, 0.0);
  EXPECT_ALL_CLOSE(approx.forward(x), gelu(x, GeluApproximation::kTanh), 0.0, 0.0);
  EXPECT_FALSE(testing::all_close(exact.forward(x), approx.forward(x), 1e-9, 0.0));
}

TEST(ClassificationHead, RobertaNamesAndComposition) {
  Generator gen(9);
  RobertaClassificationHead head(6, 3, 0.1, &gen, DType::f64);
  std::vector<std::string> names;
  for (const auto& [n, p] : head.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"dense.weight", "dense.bias", "out_proj.weight",
                                             "out_proj.bias"}));
  head.eval();
  const Tensor h = testing::random_tensor({2, 4, 6}, DType::f64, 10, false);
  const Tensor cls = h.select(1, 0).contiguous();
  const Tensor expected = linear(tanh(linear(cls, head.dense()->weight(), head.dense()->bias())),
                                 head.out_proj()->weight(), head.out_proj()->bias());
  EXPECT_ALL_CLOSE(head.forward(h), expected, 1e-14, 1e-14);
  std::vector<Tensor> inputs = {testing::random_tensor({2, 3, 6}, DType::f64, 11)};
  for (const Tensor& p : head.parameters()) inputs.push_back(p);
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return head.forward(in[0]); }, inputs);
  EXPECT_FFTUNE_ERROR(first_token(zeros({2, 6})), "must be (B, T, C)");
}

}  // namespace
}  // namespace fftune::nn
