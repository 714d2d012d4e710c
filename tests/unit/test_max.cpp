// ops/max.cpp: max over a dim (values, first-maximum indices), max over all elements, argmax —
// values against hand-computed and naive references (all CPU code paths), NaN, gradient
// routing, gradcheck, and argument errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

// Naive max over dim of a contiguous (outer, size, inner) buffer: values and first indices.
std::pair<std::vector<double>, std::vector<int64_t>> reference_max(const std::vector<double>& x,
                                                                   int64_t outer, int64_t size,
                                                                   int64_t inner) {
  std::vector<double> v(outer * inner);
  std::vector<int64_t> at(outer * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t j = 1; j < size; ++j)
        if (x[(o * size + j) * inner + i] > x[(o * size + best) * inner + i]) best = j;
      v[o * inner + i] = x[(o * size + best) * inner + i];
      at[o * inner + i] = best;
    }
  return {v, at};
}

TEST(Max, ValuesAndFirstIndices) {
  Tensor x = from_vector<float>({1, 5, 5, 7, -2, 7}, {2, 3});
  MaxResult r = max(x, 1);
  EXPECT_EQ(r.values.shape(), (Shape{2}));
  EXPECT_EQ(to_vector<float>(r.values), (std::vector<float>{5, 7}));
  EXPECT_EQ(to_vector<int64_t>(r.indices), (std::vector<int64_t>{1, 0}));
  r = max(x, 0);  // columns (1, 7), (5, -2), (5, 7)
  EXPECT_EQ(to_vector<float>(r.values), (std::vector<float>{7, 5, 7}));
  EXPECT_EQ(to_vector<int64_t>(r.indices), (std::vector<int64_t>{1, 0, 1}));
  r = max(x, -1, /*keepdim=*/true);
  EXPECT_EQ(r.values.shape(), (Shape{2, 1}));
  EXPECT_EQ(r.indices.shape(), (Shape{2, 1}));
  EXPECT_EQ(r.indices.dtype(), DType::i64);
  EXPECT_EQ(to_vector<int64_t>(r.indices), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(to_vector<int64_t>(argmax(x, 0)), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(argmax(x, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(max(x).item(), 7.0);
  EXPECT_EQ(max(x).dim(), 0);
  // i64, a non-contiguous view, a 0-dim tensor.
  Tensor xi = from_vector<int64_t>({3, -1, 9, 9, 2, 0}, {3, 2});
  EXPECT_EQ(to_vector<int64_t>(max(xi, 0).values), (std::vector<int64_t>{9, 9}));
  EXPECT_EQ(to_vector<int64_t>(max(xi.t(), 1).indices), (std::vector<int64_t>{1, 1}));
  Tensor s = scalar_tensor(4, DType::f64);
  EXPECT_EQ(max(s, 0).values.item(), 4.0);
  EXPECT_EQ(max(s, -1, true).indices.item<int64_t>(), 0);
  EXPECT_EQ(max(s).item(), 4.0);
}

TEST(Max, MatchesNaiveReferenceOnEveryPath) {
  // Shapes chosen so that each kernel path runs: rows (inner 1), column blocks (inner > 1,
  // partial and full 256-wide blocks), threaded, and one long row split across threads.
  const std::vector<Shape> shapes = {{5, 7}, {3, 6, 300}, {400, 90}, {2, 40000}, {70000}};
  Generator gen(17);
  for (const Shape& shape : shapes) {
    // Small integers: many ties, so "first maximum" is really tested.
    Tensor x = randint(-20, 20, shape, Device::cpu(), &gen).to(DType::f64);
    const std::vector<double> xv = to_vector<double>(x);
    for (int64_t d = 0; d < x.dim(); ++d) {
      SCOPED_TRACE(detail::str_cat("shape ", shape, " dim ", d));
      int64_t outer = 1, inner = 1;
      for (int64_t k = 0; k < d; ++k) outer *= shape[k];
      for (int64_t k = d + 1; k < x.dim(); ++k) inner *= shape[k];
      const auto [v, at] = reference_max(xv, outer, shape[d], inner);
      const MaxResult r = max(x, d);
      EXPECT_EQ(to_vector<double>(r.values), v);
      EXPECT_EQ(to_vector<int64_t>(r.indices), at);
    }
  }
  // A long row whose maximum occurs in several threads' chunks: the first one wins.
  Tensor x = zeros({100000}, DType::f64);
  for (int64_t at : {70001, 30002, 99999}) x.narrow(0, at, 1).fill_(5);
  EXPECT_EQ(to_vector<int64_t>(max(x, 0).indices), (std::vector<int64_t>{30002}));
  EXPECT_EQ(max(x).item(), 5.0);
}

TEST(Max, NaNPropagates) {
  Tensor x = from_vector<double>({1, NAN, 3, NAN, 0, 2}, {6});
  MaxResult r = max(x, 0);
  EXPECT_TRUE(std::isnan(r.values.item()));
  EXPECT_EQ(r.indices.item<int64_t>(), 1);  // the first NaN
  Tensor y = from_vector<float>({1, 2, NAN, 5, 4, 3}, {2, 3});
  r = max(y, 0);  // columns: (1, 5), (2, 4), (NaN, 3)
  EXPECT_EQ(to_vector<int64_t>(r.indices), (std::vector<int64_t>{1, 1, 0}));
  EXPECT_TRUE(std::isnan(to_vector<float>(r.values)[2]));
  // A long row (threaded path): a NaN in a late chunk still wins.
  Tensor z = zeros({100000}, DType::f64);
  z.narrow(0, 5, 1).fill_(9);
  z.narrow(0, 80000, 1).fill_(NAN);
  EXPECT_EQ(argmax(z, 0).item<int64_t>(), 80000);
}

TEST(Max, GradientGoesToTheFirstMaximum) {
  Tensor x = from_vector<double>({1, 5, 5, 7, -2, 7}, {2, 3}).set_requires_grad(true);
  MaxResult r = max(x, 1);
  EXPECT_TRUE(r.values.requires_grad());
  EXPECT_FALSE(r.indices.requires_grad());
  r.values.backward(from_vector<double>({10, 20}, {2}));
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{0, 10, 0, 20, 0, 0}));
  Tensor y = from_vector<double>({4, 9, 9, 1}, {2, 2}).set_requires_grad(true);
  max(y).backward();
  EXPECT_EQ(to_vector<double>(y.grad()), (std::vector<double>{0, 1, 0, 0}));
}

TEST(Max, Gradcheck) {
  // Random normals: ties have probability zero, so max is differentiable at the samples.
  for (const Shape& shape : {Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    for (int64_t d = -1; d < static_cast<int64_t>(shape.size()); ++d) {
      for (bool keepdim : {false, true}) {
        SCOPED_TRACE(detail::str_cat("shape ", shape, " dim ", d, " keepdim ", keepdim));
        EXPECT_GRADCHECK(
            [d, keepdim](const std::vector<Tensor>& in) { return max(in[0], d, keepdim).values; },
            {random_tensor(shape, DType::f64, 7)});
      }
    }
    EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return max(in[0]); },
                     {random_tensor(shape, DType::f64, 8)});
  }
  // Non-contiguous input, and a 0-dim one.
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return max(in[0].t(), 1).values; },
                   {random_tensor({4, 3}, DType::f64, 9)});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return max(in[0].t(), 0, true).values; },
                   {random_tensor({4, 3}, DType::f64, 10)});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return max(in[0], 0).values; },
                   {random_tensor({}, DType::f64, 11)});
}

TEST(Max, Errors) {
  EXPECT_FFTUNE_ERROR(max(zeros({2, 3}), 2), "max: dim 2 out of range for a tensor of 2 dims");
  EXPECT_FFTUNE_ERROR(max(zeros({2, 3}), -3), "max: dim -3 out of range");
  EXPECT_FFTUNE_ERROR(argmax(zeros({2}), 1), "argmax: dim 1 out of range");
  EXPECT_FFTUNE_ERROR(max(zeros({2, 0}), 1), "max: cannot reduce dim 1 of size 0");
  EXPECT_FFTUNE_ERROR(argmax(zeros({0}), 0), "argmax: cannot reduce dim 0 of size 0");
  EXPECT_FFTUNE_ERROR(max(zeros({0, 3})), "max: cannot take the maximum of an empty tensor");
  EXPECT_FFTUNE_ERROR(max(zeros({2}, DType::c64), 0), "max: expected a real tensor");
  EXPECT_FFTUNE_ERROR(max(Tensor(), 0), "max: argument 'x' is an undefined tensor");
  // Reducing a non-empty dim of an empty tensor is fine: the result is empty too.
  EXPECT_EQ(max(zeros({0, 3}), 1).values.shape(), (Shape{0}));
}

}  // namespace
}  // namespace fftune
