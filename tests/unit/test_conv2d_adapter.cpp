// nn::Conv2d's adapter hook (nn/conv2d_adapter.h): an attached adapter's ΔW enters the forward,
// gradients reach the adapter and not W0, the parameter is named "adapter.<name>", and a second
// adapter is refused.
#include <gtest/gtest.h>

#include "nn/conv2d.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

using testing::random_tensor;

// ΔW is a free (out, in, kh, kw) tensor: the simplest adapter the seam can hold.
class FreeDeltaConv2d final : public Conv2dAdapter {
 public:
  explicit FreeDeltaConv2d(const Tensor& delta) {
    delta_ = register_parameter("free_delta", delta.clone());
  }
  std::string method() const override { return "free_delta"; }
  Tensor delta_weight() const override { return delta_; }

 private:
  Tensor delta_;  // (out, in, kh, kw)
};

TEST(Conv2dAdapter, ForwardUsesTheAdaptedKernelAndTrainsOnlyTheAdapter) {
  Generator gen(3);
  Conv2d layer(2, 3, {3, 3}, {1, 1}, {1, 1}, true, &gen, DType::f64);
  layer.set_requires_grad(false);
  const Tensor delta = random_tensor({3, 2, 3, 3}, DType::f64, 7, false);
  layer.attach_adapter(std::make_shared<FreeDeltaConv2d>(delta));
  const Tensor x = random_tensor({2, 2, 5, 5}, DType::f64, 8, false);

  const Tensor y = layer.forward(x);
  const Tensor expected =
      conv2d(x, add(layer.weight(), delta), layer.bias(), layer.stride(), layer.padding());
  EXPECT_ALL_CLOSE(y, expected, 1e-12, 1e-12);
  const Tensor unadapted = conv2d(x, layer.weight(), layer.bias(), {1, 1}, {1, 1});
  EXPECT_GT(max(abs(sub(y, unadapted))).item<double>(), 0.1);  // ΔW is in the forward

  const auto names = layer.named_parameters();
  ASSERT_EQ(layer.num_parameters(/*trainable_only=*/true), delta.numel());
  sum(y).backward();
  const Tensor dweight = layer.adapter()->named_parameters().at(0).second.grad();
  EXPECT_TRUE(dweight.defined());
  EXPECT_FALSE(layer.weight().grad().defined());
  bool named = false;
  for (const auto& [name, t] : names) named = named || name == "adapter.free_delta";
  EXPECT_TRUE(named);
}

TEST(Conv2dAdapter, OneAdapterPerLayer) {
  Conv2d layer(1, 1, {1, 1});
  layer.attach_adapter(std::make_shared<FreeDeltaConv2d>(zeros({1, 1, 1, 1})));
  EXPECT_FFTUNE_ERROR(layer.attach_adapter(std::make_shared<FreeDeltaConv2d>(zeros({1, 1, 1, 1}))),
                      "already has a 'free_delta' adapter");
  EXPECT_FFTUNE_ERROR(layer.attach_adapter(nullptr), "the adapter is null");
}

}  // namespace
}  // namespace fftune::nn
