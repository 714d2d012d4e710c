// nn/linear.h: parameter names and shapes, torch's init bounds, determinism per seed, forward
// and gradients against a composition of elementwise ops, gradcheck through the module, and a
// frozen weight getting no gradient.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/linear.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

// y[…, o] = Σ_i x[…, i]·W[o, i] + b[o], with broadcasting instead of a GEMM.
Tensor reference(const Tensor& x, const Tensor& w, const Tensor& b) {
  Tensor y = sum(mul(x.unsqueeze(-2), w), {-1});
  return b.defined() ? add(y, b) : y;
}

TEST(Linear, ParametersAndInit) {
  Generator gen(1);
  Linear layer(64, 32, true, &gen);
  ASSERT_EQ(layer.named_parameters().size(), 2u);
  EXPECT_EQ(layer.named_parameters()[0].first, "weight");
  EXPECT_EQ(layer.named_parameters()[1].first, "bias");
  EXPECT_EQ(layer.weight().shape(), (Shape{32, 64}));
  EXPECT_EQ(layer.bias().shape(), (Shape{32}));
  EXPECT_EQ(layer.num_parameters(), 64 * 32 + 32);
  EXPECT_TRUE(layer.weight().requires_grad());
  // kaiming_uniform_(a = √5) and the bias: both U(−1/√in, 1/√in).
  const float bound = 1.0f / 8.0f;
  for (const Tensor& t : {layer.weight(), layer.bias()}) {
    float lo = 1, hi = -1;
    for (float v : to_vector<float>(t)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    EXPECT_GE(lo, -bound);
    EXPECT_LE(hi, bound);
    EXPECT_LT(lo, -0.8f * bound);
    EXPECT_GT(hi, 0.8f * bound);
  }

  Linear no_bias(3, 2, false);
  EXPECT_FALSE(no_bias.bias().defined());
  EXPECT_EQ(no_bias.named_parameters().size(), 1u);
  EXPECT_EQ(Linear(3, 2, true, nullptr, DType::f64).weight().dtype(), DType::f64);
}

TEST(Linear, SameSeedSameWeights) {
  Generator g1(9), g2(9), g3(10);
  Linear a(5, 4, true, &g1), b(5, 4, true, &g2), c(5, 4, true, &g3);
  EXPECT_EQ(to_vector<float>(a.weight()), to_vector<float>(b.weight()));
  EXPECT_EQ(to_vector<float>(a.bias()), to_vector<float>(b.bias()));
  EXPECT_NE(to_vector<float>(a.weight()), to_vector<float>(c.weight()));
  // Weight and bias come from different streams.
  EXPECT_NE(to_vector<float>(a.weight())[0], to_vector<float>(a.bias())[0]);
}

TEST(Linear, ForwardAndGradientsMatchTheComposition) {
  Generator gen(2);
  for (bool bias : {true, false}) {
    for (const Shape& x_shape : {Shape{7, 5}, Shape{2, 3, 5}, Shape{5}}) {
      SCOPED_TRACE(detail::str_cat("bias ", bias, " x ", x_shape));
      Linear layer(5, 4, bias, &gen, DType::f64);
      Tensor x = testing::random_tensor(x_shape, DType::f64, 3);
      Tensor y = layer.forward(x);
      EXPECT_ALL_CLOSE(y, reference(x, layer.weight(), layer.bias()), 1e-12, 1e-12);
      sum(mul(y, y)).backward();
      const Tensor dx = x.grad(), dw = layer.weight().grad();
      const Tensor db = bias ? layer.bias().grad() : Tensor();
      layer.zero_grad();
      x.set_grad(Tensor());
      Tensor r = reference(x, layer.weight(), layer.bias());
      sum(mul(r, r)).backward();
      EXPECT_ALL_CLOSE(dx, x.grad(), 1e-12, 1e-12);
      EXPECT_ALL_CLOSE(dw, layer.weight().grad(), 1e-12, 1e-12);
      if (bias) {
        EXPECT_ALL_CLOSE(db, layer.bias().grad(), 1e-12, 1e-12);
      }
    }
  }
}

TEST(Linear, Gradcheck) {
  Generator gen(4);
  Linear layer(3, 2, true, &gen, DType::f64);
  // The module's own parameters are inputs: gradcheck perturbs them in place.
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return layer.forward(in[0]); },
                   {testing::random_tensor({4, 3}, DType::f64, 5), layer.weight(), layer.bias()});
  // A non-contiguous input.
  Tensor xt = testing::random_tensor({3, 4}, DType::f64, 6);
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return layer.forward(in[0].t()); }, {xt});
}

// The op reads a weight that is a transposed view, or a slice with a padded row stride, in place
// (Note [transposes are free] in ops/matmul.cpp): same values and gradients as a copy.
TEST(Linear, WeightViewsAreReadInPlace) {
  const Tensor x = testing::random_tensor({6, 3}, DType::f64, 7);
  const Tensor wt = testing::random_tensor({3, 4}, DType::f64, 8);    // W = wtᵀ, (4, 3)
  const Tensor wide = testing::random_tensor({4, 5}, DType::f64, 9);  // W = wide[:, :3]
  const Tensor b = testing::random_tensor({4}, DType::f64, 10);
  EXPECT_ALL_CLOSE(linear(x, wt.t(), b), linear(x, wt.t().contiguous(), b), 1e-14, 1e-14);
  EXPECT_ALL_CLOSE(linear(x, wide.slice(1, 0, 3)), linear(x, wide.slice(1, 0, 3).contiguous()),
                   1e-14, 1e-14);
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return linear(in[0], in[1].t(), in[2]); },
                   {x, wt, b});
  EXPECT_GRADCHECK(
      [](const std::vector<Tensor>& in) { return linear(in[0], in[1].slice(1, 0, 3)); }, {x, wide});
}

TEST(Linear, FrozenWeightGetsNoGradient) {
  Linear layer(3, 2);
  layer.set_requires_grad(false);
  Tensor(layer.bias()).set_requires_grad(true);  // train only the bias
  Tensor x = ones({4, 3});
  sum(layer.forward(x)).backward();
  EXPECT_FALSE(layer.weight().grad().defined());
  EXPECT_EQ(to_vector<float>(layer.bias().grad()), std::vector<float>(2, 4.0f));
  EXPECT_EQ(layer.num_parameters(/*trainable_only=*/true), 2);
}

TEST(Linear, Errors) {
  Linear layer(3, 2);
  EXPECT_FFTUNE_ERROR(layer.forward(ones({4, 5})), "Linear: x must be (…, 3), got (4, 5)");
  EXPECT_FFTUNE_ERROR(Linear(0, 2), "must be positive");
}

}  // namespace
}  // namespace fftune::nn
