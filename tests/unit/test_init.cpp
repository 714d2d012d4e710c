// nn/init.h: bounds and moments of each initialiser, determinism per seed, fan computation,
// in-place writes on parameters that require grad, and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/init.h"
#include "tests/support/test_support.h"

namespace fftune::nn::init {
namespace {

struct Stats {
  double min, max, mean, var;
};
Stats stats(const Tensor& t) {
  const std::vector<double> v = to_vector<double>(t.to(DType::f64));
  Stats s{v[0], v[0], 0, 0};
  for (double x : v) {
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
    s.mean += x;
  }
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.var += (x - s.mean) * (x - s.mean);
  s.var /= static_cast<double>(v.size());
  return s;
}

TEST(Init, UniformAndNormalMoments) {
  Generator gen(1);
  Tensor t = empty({200, 300});
  uniform_(t, -2.0, 3.0, &gen);
  Stats s = stats(t);
  EXPECT_GE(s.min, -2.0);
  EXPECT_LT(s.max, 3.0);
  EXPECT_NEAR(s.mean, 0.5, 0.02);
  EXPECT_NEAR(s.var, 25.0 / 12.0, 0.03);

  Tensor n = empty({200, 300}, DType::f64);
  normal_(n, 1.5, 0.5, &gen);
  s = stats(n);
  // Tolerances of about 5 standard errors of the estimates over 60000 draws.
  EXPECT_NEAR(s.mean, 1.5, 0.01);
  EXPECT_NEAR(s.var, 0.25, 0.008);
}

TEST(Init, ZerosAndOnes) {
  Tensor t = full({3, 2}, 7.0).set_requires_grad(true);
  const uint64_t v0 = t.version();
  zeros_(t);
  EXPECT_EQ(to_vector<float>(t), std::vector<float>(6, 0.0f));
  ones_(t);
  EXPECT_EQ(to_vector<float>(t), std::vector<float>(6, 1.0f));
  EXPECT_GT(t.version(), v0);  // in-place writes bump the version
  EXPECT_TRUE(t.requires_grad());
}

TEST(Init, Fans) {
  EXPECT_EQ(fans(empty({8, 3})).fan_in, 3);
  EXPECT_EQ(fans(empty({8, 3})).fan_out, 8);
  const Fans conv = fans(empty({16, 3, 5, 7}));  // (O, C, KH, KW)
  EXPECT_EQ(conv.fan_in, 3 * 35);
  EXPECT_EQ(conv.fan_out, 16 * 35);
  EXPECT_FFTUNE_ERROR(fans(empty({5})), "at least 2 dims");
}

TEST(Init, KaimingUniformWithSqrt5IsTorchLinearBound) {
  Generator gen(3);
  Tensor w = empty({256, 64});
  kaiming_uniform_(w, std::sqrt(5.0), FanMode::kFanIn, &gen);
  const double bound = 1.0 / std::sqrt(64.0);
  Stats s = stats(w);
  EXPECT_GE(s.min, -bound);
  EXPECT_LE(s.max, bound);
  EXPECT_GT(s.max, 0.99 * bound);  // the draws fill the interval
  EXPECT_LT(s.min, -0.99 * bound);
  EXPECT_NEAR(s.var, bound * bound / 3, 0.03 * bound * bound / 3);

  // Default a = 0 (ReLU gain √2), fan_out mode: bound = √2·√(3/256).
  kaiming_uniform_(w, 0.0, FanMode::kFanOut, &gen);
  const double relu_bound = std::sqrt(2.0) * std::sqrt(3.0 / 256.0);
  s = stats(w);
  EXPECT_LE(s.max, relu_bound);
  EXPECT_GT(s.max, 0.99 * relu_bound);
}

TEST(Init, XavierUniformBound) {
  Generator gen(4);
  Tensor w = empty({100, 50}, DType::f64);
  xavier_uniform_(w, 2.0, &gen);
  const double bound = 2.0 * std::sqrt(6.0 / 150.0);
  const Stats s = stats(w);
  EXPECT_LE(s.max, bound);
  EXPECT_GE(s.min, -bound);
  EXPECT_GT(s.max, 0.99 * bound);
}

TEST(Init, SameSeedSameValues) {
  Tensor a = empty({4, 5}), b = empty({4, 5});
  Generator g1(42), g2(42), g3(43);
  kaiming_uniform_(a, std::sqrt(5.0), FanMode::kFanIn, &g1);
  kaiming_uniform_(b, std::sqrt(5.0), FanMode::kFanIn, &g2);
  EXPECT_EQ(to_vector<float>(a), to_vector<float>(b));
  kaiming_uniform_(b, std::sqrt(5.0), FanMode::kFanIn, &g3);
  EXPECT_NE(to_vector<float>(a), to_vector<float>(b));
  // Successive draws from one generator differ (fresh stream per call).
  kaiming_uniform_(b, std::sqrt(5.0), FanMode::kFanIn, &g1);
  EXPECT_NE(to_vector<float>(a), to_vector<float>(b));
}

TEST(Init, WritesNonContiguousViewsInPlace) {
  Tensor base = zeros({4, 6});
  Tensor view = base.t();  // (6, 4), strided
  Generator gen(5);
  uniform_(view, 1.0, 2.0, &gen);
  for (float v : to_vector<float>(base)) {
    EXPECT_GE(v, 1.0f);
    EXPECT_LT(v, 2.0f);
  }
}

TEST(Init, Errors) {
  Tensor i = zeros({2, 2}, DType::i64);
  EXPECT_FFTUNE_ERROR(uniform_(i), "uniform_: expected a floating tensor");
  EXPECT_FFTUNE_ERROR(zeros_(i), "zeros_: expected a floating tensor");
  Tensor f = zeros({2, 2});
  EXPECT_FFTUNE_ERROR(uniform_(f, 1.0, 0.0), "expected a <= b");
  EXPECT_FFTUNE_ERROR(normal_(f, 0.0, -1.0), "expected std >= 0");
  Tensor v = zeros({3});
  EXPECT_FFTUNE_ERROR(kaiming_uniform_(v), "at least 2 dims");
}

}  // namespace
}  // namespace fftune::nn::init
