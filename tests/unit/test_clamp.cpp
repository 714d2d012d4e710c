// ops/clamp.cpp: values (one bound, both, min > max, NaN, ±inf), the gradient on and off the
// bounds (torch's strict convention: 0 on a bound), gradcheck, and argument errors.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

TEST(Clamp, Values) {
  const Tensor x = from_vector<float>({-3, -1, 0, 0.5f, 2, 5}, {6});
  EXPECT_EQ(to_vector<float>(clamp(x, -1.5, 1.0)), (std::vector<float>{-1.5f, -1, 0, 0.5f, 1, 1}));
  EXPECT_EQ(to_vector<float>(clamp(x, 0.0, std::nullopt)),
            (std::vector<float>{0, 0, 0, 0.5f, 2, 5}));
  EXPECT_EQ(to_vector<float>(clamp(x, std::nullopt, 0.0)),
            (std::vector<float>{-3, -1, 0, 0, 0, 0}));
  // min > max: every element becomes max (torch.clamp's rule).
  EXPECT_EQ(to_vector<float>(clamp(x, 2.0, 1.0)), (std::vector<float>{1, 1, 1, 1, 1, 1}));
}

TEST(Clamp, NanAndInfinity) {
  const Tensor x = from_vector<double>({NAN, -INFINITY, INFINITY, 0.25}, {4});
  const auto y = to_vector<double>(clamp(x, -1.0, 1.0));
  EXPECT_TRUE(std::isnan(y[0]));  // NaN stays NaN
  EXPECT_EQ(y[1], -1.0);
  EXPECT_EQ(y[2], 1.0);
  EXPECT_EQ(y[3], 0.25);
  // One bound: the other side is unbounded, ±inf included.
  const auto lower = to_vector<double>(clamp(x, 0.0, std::nullopt));
  EXPECT_TRUE(std::isnan(lower[0]));
  EXPECT_EQ(lower[1], 0.0);
  EXPECT_TRUE(std::isinf(lower[2]) && lower[2] > 0);
}

TEST(Clamp, NonContiguousInput) {
  const Tensor m = from_vector<double>({-2, -1, 0, 1, 2, 3}, {2, 3});  // read as (3, 2)
  const Tensor y = clamp(m.t(), -1.0, 2.0);
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(to_vector<double>(y), (std::vector<double>{-1, 1, -1, 2, 0, 2}));
}

TEST(Clamp, GradientIsZeroOnTheBounds) {
  // torch: g where min < x < max; an input exactly on a bound, or NaN, gets 0.
  Tensor x = from_vector<double>({-2, -1, 0, 1, 2, NAN}, {6}).set_requires_grad(true);
  const Tensor g = from_vector<double>({1, 2, 3, 4, 5, 6}, {6});
  sum(mul(clamp(x, -1.0, 1.0), g)).backward();
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{0, 0, 3, 0, 0, 0}));
  // One bound: only that side cuts; the open side passes g even at infinity.
  Tensor x2 = from_vector<double>({-INFINITY, -2, 0, 7, NAN}, {5}).set_requires_grad(true);
  sum(clamp(x2, std::nullopt, 0.0)).backward();
  EXPECT_EQ(to_vector<double>(x2.grad()), (std::vector<double>{1, 1, 0, 0, 0}));
  Tensor x3 = from_vector<double>({INFINITY, 0.5, -3}, {3}).set_requires_grad(true);
  sum(clamp(x3, 0.5, std::nullopt)).backward();
  EXPECT_EQ(to_vector<double>(x3.grad()), (std::vector<double>{1, 0, 0}));
  // min > max: no element lies strictly between, so no gradient at all.
  Tensor x4 = from_vector<double>({0, 1.5, 3}, {3}).set_requires_grad(true);
  sum(clamp(x4, 2.0, 1.0)).backward();
  EXPECT_EQ(to_vector<double>(x4.grad()), (std::vector<double>{0, 0, 0}));
}

TEST(Clamp, Gradcheck) {
  // N(0, 1) inputs against bounds inside their range: some elements are cut on each side.
  uint64_t seed = 60;
  for (const Shape& shape : {Shape{7}, Shape{3, 4}, Shape{2, 3, 5}}) {
    SCOPED_TRACE(detail::str_cat("x ", shape));
    EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return clamp(in[0], -0.5, 0.7); },
                     {random_tensor(shape, DType::f64, seed++)});
    EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return clamp(in[0], std::nullopt, 0.3); },
                     {random_tensor(shape, DType::f64, seed++)});
  }
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return clamp(in[0].t(), -0.2, 1.0); },
                   {random_tensor({4, 3}, DType::f64, seed++)});
}

TEST(Clamp, Errors) {
  const Tensor x = zeros({3});
  EXPECT_FFTUNE_ERROR(clamp(x, std::nullopt, std::nullopt),
                      "clamp: at least one of min and max must be given");
  EXPECT_FFTUNE_ERROR(clamp(arange(3), 0.0, 1.0),
                      "clamp: expected a floating tensor (f32, f64), got i64");
  EXPECT_FFTUNE_ERROR(clamp(x, NAN, 1.0), "clamp: min and max must not be NaN");
  EXPECT_FFTUNE_ERROR(clamp(x, std::nullopt, NAN), "clamp: min and max must not be NaN");
  EXPECT_FFTUNE_ERROR(clamp(Tensor(), 0.0, 1.0), "clamp: argument 'x' is an undefined tensor");
}

}  // namespace
}  // namespace fftune
