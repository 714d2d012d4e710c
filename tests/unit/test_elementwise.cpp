// ops/unary.cpp, ops/binary.cpp, ops/complex.cpp: values, broadcasting, gradcheck (also on
// non-contiguous and broadcast inputs), and argument errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

Tensor positive(const Shape& shape, uint64_t seed) {
  NoGradGuard g;
  return add(abs(random_tensor(shape, DType::f64, seed, false)), 0.5).set_requires_grad(true);
}

TEST(Unary, ValuesMatchTheFormulas) {
  Tensor x = from_vector<double>({-1.5, -0.2, 0.0, 0.7, 2.0}, {5});
  auto check = [&](Tensor y, double (*f)(double)) {
    const auto xv = to_vector<double>(x);
    const auto yv = to_vector<double>(y);
    for (size_t i = 0; i < xv.size(); ++i) EXPECT_NEAR(yv[i], f(xv[i]), 1e-12) << i;
  };
  check(neg(x), [](double v) { return -v; });
  check(exp(x), [](double v) { return std::exp(v); });
  check(abs(x), [](double v) { return std::abs(v); });
  check(tanh(x), [](double v) { return std::tanh(v); });
  check(sigmoid(x), [](double v) { return 1 / (1 + std::exp(-v)); });
  check(relu(x), [](double v) { return v > 0 ? v : 0; });
  check(gelu(x), [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); });
  check(gelu(x, GeluApproximation::kTanh), [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  });
  Tensor p = from_vector<double>({0.25, 1, 4}, {3});
  EXPECT_EQ(to_vector<double>(sqrt(p)), (std::vector<double>{0.5, 1, 2}));
  EXPECT_EQ(to_vector<double>(rsqrt(p)), (std::vector<double>{2, 1, 0.5}));
  EXPECT_EQ(to_vector<double>(pow(p, 2)), (std::vector<double>{0.0625, 1, 16}));
  EXPECT_NEAR(to_vector<double>(log(p))[2], std::log(4.0), 1e-15);
  EXPECT_FFTUNE_ERROR(exp(zeros({2}, DType::i64)), "exp: expected a floating tensor");
}

TEST(Unary, Gradcheck) {
  using F = Tensor (*)(const Tensor&);
  const std::vector<std::pair<const char*, F>> any_sign = {
      {"neg", [](const Tensor& x) { return neg(x); }},
      {"exp", [](const Tensor& x) { return exp(x); }},
      {"abs", [](const Tensor& x) { return abs(x); }},
      {"tanh", [](const Tensor& x) { return tanh(x); }},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }},
      {"relu", [](const Tensor& x) { return relu(x); }},
      {"gelu", [](const Tensor& x) { return gelu(x); }},
      {"gelu_tanh", [](const Tensor& x) { return gelu(x, GeluApproximation::kTanh); }},
  };
  const std::vector<std::pair<const char*, F>> positive_only = {
      {"log", [](const Tensor& x) { return log(x); }},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }},
      {"rsqrt", [](const Tensor& x) { return rsqrt(x); }},
      {"pow", [](const Tensor& x) { return pow(x, 2.5); }},
  };
  for (const Shape& shape : {Shape{}, Shape{7}, Shape{3, 4}}) {
    for (auto [name, f] : any_sign) {
      SCOPED_TRACE(name);
      EXPECT_GRADCHECK([f = f](const std::vector<Tensor>& in) { return f(in[0]); },
                       {random_tensor(shape, DType::f64, 3)});
    }
    for (auto [name, f] : positive_only) {
      SCOPED_TRACE(name);
      EXPECT_GRADCHECK([f = f](const std::vector<Tensor>& in) { return f(in[0]); },
                       {positive(shape, 4)});
    }
  }
  // A non-contiguous input.
  Tensor x = random_tensor({4, 3}, DType::f64, 5);
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return tanh(in[0].t()); }, {x});
}

TEST(Binary, BroadcastValues) {
  Tensor a = from_vector<float>({1, 2, 3}, {3, 1});
  Tensor b = from_vector<float>({10, 20}, {2});
  EXPECT_EQ(to_vector<float>(add(a, b)), (std::vector<float>{11, 21, 12, 22, 13, 23}));
  EXPECT_EQ(to_vector<float>(sub(a, b)), (std::vector<float>{-9, -19, -8, -18, -7, -17}));
  EXPECT_EQ(to_vector<float>(mul(b, 0.5)), (std::vector<float>{5, 10}));
  EXPECT_EQ(to_vector<float>(div(a, 2.0)), (std::vector<float>{.5f, 1, 1.5f}));
  EXPECT_EQ(to_vector<float>(maximum(a, from_vector<float>({2}, {1}))),
            (std::vector<float>{2, 2, 3}));
  EXPECT_EQ(to_vector<float>(gt(a, from_vector<float>({2}, {1}))), (std::vector<float>{0, 0, 1}));
  EXPECT_EQ(to_vector<int64_t>(add(arange(3), arange(3))), (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(to_vector<float>(1.0 + a * 2.0 - 1.0), (std::vector<float>{2, 4, 6}));
  EXPECT_FFTUNE_ERROR(add(zeros({3}), zeros({4})), "cannot be broadcast");
  EXPECT_FFTUNE_ERROR(add(zeros({3}), zeros({3}, DType::f64)), "one dtype");
  EXPECT_FFTUNE_ERROR(div(arange(3), arange(3)), "integer division");
}

TEST(Binary, Gradcheck) {
  using F = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<const char*, F>> ops = {
      {"add", [](const Tensor& a, const Tensor& b) { return add(a, b); }},
      {"sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); }},
      {"mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); }},
      {"div", [](const Tensor& a, const Tensor& b) { return div(a, b); }},
      {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }},
  };
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 1}, {1, 5}}, {{2, 3, 4}, {3, 1}}, {{}, {2, 2}}};
  for (auto [name, f] : ops) {
    for (auto [sa, sb] : shapes) {
      SCOPED_TRACE(std::string(name));
      Tensor a = random_tensor(sa, DType::f64, 1);
      Tensor b = name == std::string("div") ? positive(sb, 2) : random_tensor(sb, DType::f64, 2);
      EXPECT_GRADCHECK([f = f](const std::vector<Tensor>& in) { return f(in[0], in[1]); }, {a, b});
    }
  }
  // Non-contiguous inputs, one operand frozen.
  Tensor a = random_tensor({4, 3}, DType::f64, 7);
  Tensor b = random_tensor({3, 4}, DType::f64, 8, /*requires_grad=*/false);
  EXPECT_GRADCHECK([b](const std::vector<Tensor>& in) { return mul(in[0].t(), b); }, {a});
}

TEST(Binary, ComplexGradientsFollowPyTorchsConvention) {
  Tensor a = random_tensor({3}, DType::c128, 1);
  Tensor b = random_tensor({2, 3}, DType::c128, 2);
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return mul(in[0], in[1]); }, {a, b});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return div(in[0], in[1]); }, {a, b});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return sub(conj(in[0]), in[1]); }, {a, b});
}

TEST(InPlace, AddAndMul) {
  Tensor x = from_vector<float>({1, 2, 3, 4}, {2, 2});
  add_(x, from_vector<float>({1, 1}, {2}), 0.5);
  EXPECT_EQ(to_vector<float>(x), (std::vector<float>{1.5f, 2.5f, 3.5f, 4.5f}));
  mul_(x, 2);
  EXPECT_EQ(to_vector<float>(x), (std::vector<float>{3, 5, 7, 9}));
  Tensor v = x.t();
  add_(v, from_vector<float>({1, 0}, {2}));  // through a non-contiguous view
  EXPECT_EQ(to_vector<float>(x), (std::vector<float>{4, 6, 7, 9}));
}

}  // namespace
}  // namespace fftune
