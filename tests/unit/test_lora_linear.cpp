// adapters/lora_linear.cpp: the low-rank forward against the merged weight, peft's init and
// scaling, gradcheck through the layer, merge/unmerge through nn::Linear, dropout in training
// mode only, parameter names and counts, and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "adapters/lora_linear.h"
#include "nn/linear.h"
#include "tests/support/test_support.h"

namespace fftune::adapters {
namespace {

using testing::random_tensor;

std::shared_ptr<nn::Linear> adapted_linear(int64_t in, int64_t out, const LoRAOptions& options,
                                           DType dtype = DType::f32) {
  Generator gen(5);
  auto layer = std::make_shared<nn::Linear>(in, out, true, &gen, dtype);
  layer->set_requires_grad(false);
  layer->attach_adapter(std::make_shared<LoRALinear>(out, in, options, &gen, dtype));
  return layer;
}

LoRALinear& lora_of(const nn::Linear& layer) {
  auto* adapter = dynamic_cast<LoRALinear*>(layer.adapter().get());
  EXPECT_NE(adapter, nullptr);
  return *adapter;
}

LoRAOptions random_init(int64_t r, double alpha) {
  LoRAOptions options;
  options.r = r;
  options.lora_alpha = alpha;
  options.init_lora_weights = false;  // B random too, so ΔW ≠ 0
  return options;
}

TEST(LoRALinear, ForwardIsTheBaseLayerWithTheMergedWeight) {
  auto layer = adapted_linear(12, 10, random_init(4, 16.0));
  const LoRALinear& lora = lora_of(*layer);
  EXPECT_DOUBLE_EQ(lora.scaling(), 16.0 / 4);
  const Tensor delta = mul(matmul(lora.lora_B(), lora.lora_A()), 4.0);  // scaling · B·A
  EXPECT_ALL_CLOSE(lora.delta_weight(), delta, 1e-6, 1e-7);
  EXPECT_GT(max(abs(delta)).item<float>(), 0.1f);  // a real ΔW, not zeros
  const Tensor x = random_tensor({2, 3, 12}, DType::f32, 1, false);
  EXPECT_ALL_CLOSE(layer->forward(x), linear(x, add(layer->weight(), delta), layer->bias()), 1e-5,
                   1e-5);
}

TEST(LoRALinear, RsLoRAScaling) {
  LoRAOptions options = random_init(16, 8.0);
  options.use_rslora = true;
  auto layer = adapted_linear(20, 18, options);
  const LoRALinear& lora = lora_of(*layer);
  EXPECT_DOUBLE_EQ(lora.scaling(), 8.0 / 4.0);  // α/√r
  EXPECT_ALL_CLOSE(lora.delta_weight(), mul(matmul(lora.lora_B(), lora.lora_A()), 2.0), 1e-6, 1e-7);
}

TEST(LoRALinear, PeftInit) {
  // init_lora_weights: A ~ kaiming_uniform_(a = √5) = U(−1/√in, 1/√in), B = 0, so the adapted
  // layer starts as the base layer.
  LoRAOptions options;
  options.r = 6;
  auto layer = adapted_linear(64, 9, options);
  const LoRALinear& lora = lora_of(*layer);
  EXPECT_EQ(lora.lora_A().shape(), (Shape{6, 64}));
  EXPECT_EQ(lora.lora_B().shape(), (Shape{9, 6}));
  EXPECT_EQ(max(abs(lora.lora_B())).item<float>(), 0.0f);
  const float a_max = max(abs(lora.lora_A())).item<float>();
  EXPECT_LE(a_max, 1.0f / 8.0f);
  EXPECT_GT(a_max, 0.9f / 8.0f);  // 384 draws fill the range
  const Tensor x = random_tensor({4, 64}, DType::f32, 2, false);
  EXPECT_ALL_CLOSE(layer->forward(x), linear(x, layer->weight(), layer->bias()), 1e-6, 1e-6);
  // Without init_lora_weights B keeps torch's Linear init too: U(−1/√r, 1/√r).
  auto random_layer = adapted_linear(64, 9, random_init(6, 8.0));
  const float b_max = max(abs(lora_of(*random_layer).lora_B())).item<float>();
  EXPECT_LE(b_max, 1.0f / std::sqrt(6.0f));
  EXPECT_GT(b_max, 0.5f / std::sqrt(6.0f));
}

TEST(LoRALinear, Gradcheck) {
  auto layer = adapted_linear(5, 4, random_init(2, 3.0), DType::f64);
  const LoRALinear& lora = lora_of(*layer);
  // The adapter's own parameters are inputs: gradcheck perturbs them in place.
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return layer->forward(in[0]); },
                   {random_tensor({3, 5}, DType::f64, 3), lora.lora_A(), lora.lora_B()});
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return layer->forward(in[0]); },
                   {random_tensor({2, 3, 5}, DType::f64, 4), lora.lora_A(), lora.lora_B()});
  // A non-contiguous input.
  Tensor xt = random_tensor({5, 3}, DType::f64, 5);
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return layer->forward(in[0].t()); },
                   {xt, lora.lora_A(), lora.lora_B()});
  // ΔW itself.
  EXPECT_GRADCHECK([&](const std::vector<Tensor>&) { return lora.delta_weight(); },
                   {lora.lora_A(), lora.lora_B()});
}

TEST(LoRALinear, GradientsReachOnlyTheAdapter) {
  LoRAOptions options;  // B = 0: A's gradient is 0 at the first step, B's is not
  options.r = 3;
  auto layer = adapted_linear(6, 5, options);
  const LoRALinear& lora = lora_of(*layer);
  const Tensor x = random_tensor({4, 6}, DType::f32, 6, false);
  sum(mul(layer->forward(x), layer->forward(x))).backward();
  ASSERT_TRUE(lora.lora_A().grad().defined());
  ASSERT_TRUE(lora.lora_B().grad().defined());
  EXPECT_EQ(max(abs(lora.lora_A().grad())).item<float>(), 0.0f);
  EXPECT_GT(max(abs(lora.lora_B().grad())).item<float>(), 0.0f);
  EXPECT_FALSE(layer->weight().grad().defined());
  EXPECT_FALSE(layer->bias().grad().defined());
}

TEST(LoRALinear, MergeAndUnmerge) {
  auto layer = adapted_linear(8, 6, random_init(2, 4.0));
  const Tensor w0 = layer->weight().clone();
  const Tensor x = random_tensor({4, 8}, DType::f32, 7, false);
  const Tensor before = layer->forward(x);
  layer->merge_adapter();
  EXPECT_ALL_CLOSE(layer->weight(), add(w0, lora_of(*layer).delta_weight()), 1e-6, 1e-7);
  EXPECT_ALL_CLOSE(layer->forward(x), before, 1e-5, 1e-5);
  layer->unmerge_adapter();
  EXPECT_ALL_CLOSE(layer->weight(), w0, 1e-5, 1e-6);
  EXPECT_ALL_CLOSE(layer->forward(x), before, 1e-5, 1e-5);
}

TEST(LoRALinear, DropoutOnlyInTraining) {
  LoRAOptions options = random_init(3, 6.0);
  options.lora_dropout = 0.5;
  auto layer = adapted_linear(16, 7, options);
  const LoRALinear& lora = lora_of(*layer);
  const Tensor x = random_tensor({5, 16}, DType::f32, 8, false);
  const Tensor base = linear(x, layer->weight(), layer->bias());
  const auto adapted = [&](const Tensor& xd) {
    return add(base, mul(linear(linear(xd, lora.lora_A()), lora.lora_B()), lora.scaling()));
  };
  // Training (a module's default): the adapter sees dropout(x) from the default generator, the
  // base layer sees x.
  ASSERT_TRUE(layer->is_training());
  manual_seed(11);
  const Tensor y_train = layer->forward(x);
  manual_seed(11);
  const Tensor xd = dropout(x, 0.5, /*training=*/true);
  EXPECT_ALL_CLOSE(y_train, adapted(xd), 1e-5, 1e-5);
  EXPECT_FALSE(testing::all_close(y_train, adapted(x), 1e-3, 1e-3));
  // Evaluation: no dropout.
  layer->eval();
  EXPECT_FALSE(lora.is_training());
  EXPECT_ALL_CLOSE(layer->forward(x), adapted(x), 1e-5, 1e-5);
  EXPECT_ALL_CLOSE(layer->forward(x),
                   linear(x, add(layer->weight(), lora.delta_weight()), layer->bias()), 1e-5, 1e-5);
}

TEST(LoRALinear, ParameterNamesAndCounts) {
  LoRAOptions options;
  options.r = 8;
  auto layer = adapted_linear(64, 64, options);
  const auto params = layer->named_parameters();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[2].first, "adapter.lora_A");
  EXPECT_EQ(params[3].first, "adapter.lora_B");
  EXPECT_EQ(layer->num_parameters(/*trainable_only=*/true), 2 * 64 * 8);  // 2·d·r
  EXPECT_EQ(layer->adapter()->num_parameters(), 2 * 64 * 8);
  // Rectangular: r·(in + out).
  auto rect = adapted_linear(30, 12, options);
  EXPECT_EQ(rect->num_parameters(true), 8 * (30 + 12));
  EXPECT_EQ(rect->adapter()->method(), "lora");
}

TEST(LoRALinear, Errors) {
  LoRAOptions options;
  options.r = 0;
  EXPECT_FFTUNE_ERROR(LoRALinear(4, 4, options), "r must be positive, got 0");
  // The rank of B·A is at most min(out, in); a larger r (10^12 in a hostile adapter config)
  // would only allocate.
  options.r = 5;
  EXPECT_FFTUNE_ERROR(LoRALinear(6, 4, options), "r 5 exceeds min(out_features, in_features) = 4");
  options.r = 1000000000000;
  EXPECT_FFTUNE_ERROR(LoRALinear(4, 6, options), "exceeds min(out_features, in_features) = 4");
  options.r = 4;
  EXPECT_EQ(LoRALinear(4, 6, options).parameters().size(), 2u);
  options.r = 2;
  options.lora_dropout = 1.0;
  EXPECT_FFTUNE_ERROR(LoRALinear(4, 4, options), "lora_dropout must be in [0, 1)");
  options.lora_dropout = 0.0;
  auto layer = adapted_linear(6, 5, options);
  EXPECT_FFTUNE_ERROR(layer->attach_adapter(std::make_shared<LoRALinear>(5, 6, options)),
                      "already has a 'lora' adapter");
  EXPECT_FFTUNE_ERROR(layer->forward(ones({2, 5})), "Linear: x must be (…, 6)");
}

}  // namespace
}  // namespace fftune::adapters
