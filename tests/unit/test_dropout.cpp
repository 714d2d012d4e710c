// ops/dropout.cpp: the mask is Note [dropout mask] element by element, determinism per seed,
// the kept fraction ≈ 1 − p, identity in eval mode and for p = 0, zeros for p = 1, the
// backward reuses the forward's mask, gradcheck, and argument errors.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/dropout_math.h"
#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

TEST(Dropout, MaskIsThePhiloxFormula) {
  const Tensor x = random_tensor({37, 41}, DType::f32, 1, false);
  Generator gen(123);
  gen.set_stream_position(5);
  const Tensor y = dropout(x, 0.3, /*training=*/true, &gen);
  EXPECT_EQ(gen.stream_position(), 6u);  // one stream per call
  const auto xv = to_vector<float>(x), yv = to_vector<float>(y);
  const float scale = static_cast<float>(1.0 / 0.7);
  for (size_t i = 0; i < xv.size(); ++i) {
    const bool keep =
        philox_uniform_float(philox4x32(123, 5, i / 4), static_cast<int>(i % 4)) >= 0.3f;
    ASSERT_EQ(yv[i], keep ? xv[i] * scale : 0.0f) << i;
  }
}

TEST(Dropout, DeterministicPerSeedAndFreshPerCall) {
  const Tensor x = ones({1000});
  Generator a(7), b(7), c(8);
  const auto ya = to_vector<float>(dropout(x, 0.5, true, &a));
  EXPECT_EQ(ya, to_vector<float>(dropout(x, 0.5, true, &b)));  // same seed, same stream
  EXPECT_NE(ya, to_vector<float>(dropout(x, 0.5, true, &a)));  // the next stream
  EXPECT_NE(ya, to_vector<float>(dropout(x, 0.5, true, &c)));  // another seed
  // f32 and f64 get the same mask.
  Generator d(7);
  const auto y64 = to_vector<double>(dropout(x.to(DType::f64), 0.5, true, &d));
  for (size_t i = 0; i < ya.size(); ++i) ASSERT_EQ(ya[i] == 0, y64[i] == 0) << i;
}

TEST(Dropout, KeepsAboutOneMinusPAndPreservesTheMean) {
  const int64_t n = 200000;
  const Tensor x = ones({n});
  for (double p : {0.1, 0.5, 0.9}) {
    Generator gen(42);
    const auto y = to_vector<float>(dropout(x, p, true, &gen));
    int64_t kept = 0;
    double total = 0;
    for (float v : y) {
      kept += v != 0;
      total += v;
    }
    // A binomial count: 6 standard deviations is far outside any seed's luck.
    const double sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(static_cast<double>(kept), n * (1 - p), 6 * sd) << p;
    EXPECT_NEAR(total / n, 1.0, 6 * sd / (n * (1 - p))) << p;
  }
}

TEST(Dropout, IdentityZerosAndBackward) {
  const Tensor x = random_tensor({6, 5}, DType::f64, 2);
  EXPECT_TRUE(dropout(x, 0.5, /*training=*/false).is_same(x));
  EXPECT_TRUE(dropout(x, 0.0, /*training=*/true).is_same(x));
  Generator gen(3);
  const Tensor z = dropout(x, 1.0, true, &gen);
  EXPECT_EQ(to_vector<double>(z), std::vector<double>(30, 0.0));

  // The gradient is the forward's mask times 1/(1 − p): with g = 1 it equals y / x.
  Generator gen2(4);
  const Tensor y = dropout(x, 0.4, true, &gen2);
  y.backward(ones({6, 5}, DType::f64));
  NoGradGuard no_grad;
  EXPECT_ALL_CLOSE(x.grad(), div(y, x), 1e-12, 1e-15);
}

TEST(Dropout, Gradcheck) {
  // A fresh generator per call gives every evaluation the same mask.
  EXPECT_GRADCHECK(
      [](const std::vector<Tensor>& in) {
        Generator gen(9);
        return dropout(in[0], 0.3, true, &gen);
      },
      {random_tensor({4, 7}, DType::f64, 5)});
  // Non-contiguous input: the mask follows the logical (row-major) element order.
  EXPECT_GRADCHECK(
      [](const std::vector<Tensor>& in) {
        Generator gen(10);
        return dropout(in[0].t(), 0.6, true, &gen);
      },
      {random_tensor({3, 5}, DType::f64, 6)});
}

TEST(Dropout, NonContiguousInputUsesLogicalOrder) {
  const Tensor x = random_tensor({8, 9}, DType::f32, 7, false);
  Generator a(11), b(11);
  EXPECT_EQ(to_vector<float>(dropout(x.t(), 0.5, true, &a)),
            to_vector<float>(dropout(x.t().contiguous(), 0.5, true, &b)));
}

TEST(Dropout, Errors) {
  EXPECT_FFTUNE_ERROR(dropout(ones({3}), 1.5, true), "dropout: p must be in [0, 1], got 1.5");
  EXPECT_FFTUNE_ERROR(dropout(ones({3}), -0.1, false), "dropout: p must be in [0, 1]");
  EXPECT_FFTUNE_ERROR(dropout(zeros({3}, DType::i64), 0.5, true),
                      "dropout: expected a floating tensor");
}

}  // namespace
}  // namespace fftune
