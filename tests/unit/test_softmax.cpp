// ops/softmax.cpp: softmax and log_softmax values (hand-computed and against exp/sum), every
// dim, numerical stability, f32 against f64, gradcheck, and argument errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

// The textbook formulas, composed from existing ops (fine for small |x|).
Tensor naive_softmax(const Tensor& x, int64_t dim) {
  const Tensor e = exp(x);
  return div(e, sum(e, {dim}, /*keepdim=*/true));
}
Tensor naive_log_softmax(const Tensor& x, int64_t dim) {
  return sub(x, log(sum(exp(x), {dim}, /*keepdim=*/true)));
}

TEST(Softmax, HandComputedValues) {
  const Tensor x = from_vector<double>({1, 2, 3}, {3});
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  const auto y = to_vector<double>(softmax(x, 0));
  const auto ly = to_vector<double>(log_softmax(x, -1));
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(y[i], std::exp(i + 1.0) / z, 1e-15);
    EXPECT_NEAR(ly[i], i + 1.0 - std::log(z), 1e-14);
  }
}

TEST(Softmax, EveryDimMatchesTheFormula) {
  const Tensor x = random_tensor({3, 4, 5}, DType::f64, 1, false);
  for (int64_t dim : {0, 1, 2, -1, -3}) {
    SCOPED_TRACE(dim);
    EXPECT_ALL_CLOSE(softmax(x, dim), naive_softmax(x, dim), 1e-12);
    EXPECT_ALL_CLOSE(log_softmax(x, dim), naive_log_softmax(x, dim), 1e-12, 1e-12);
  }
  // A 0-dim tensor is one row of one element.
  EXPECT_EQ(softmax(scalar_tensor(3.0, DType::f64), 0).item(), 1.0);
}

TEST(Softmax, LargeLogitsDoNotOverflow) {
  const Tensor big = from_vector<float>({1000, 1001, 1002, -1000}, {1, 4});
  const Tensor small = from_vector<float>({0, 1, 2, -2000}, {1, 4});
  EXPECT_ALL_CLOSE(softmax(big, 1), softmax(small, 1), 1e-6);
  EXPECT_ALL_CLOSE(log_softmax(big, 1), log_softmax(small, 1), 1e-6);
  // -inf (a masked position) gets probability 0.
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor masked = from_vector<float>({0, -inf, 0}, {3});
  EXPECT_EQ(to_vector<float>(softmax(masked, 0)), (std::vector<float>{0.5f, 0.0f, 0.5f}));
  EXPECT_EQ(to_vector<float>(log_softmax(masked, 0))[1], -inf);
}

TEST(Softmax, F32MatchesF64OnLargeParallelShapes) {
  // 300 rows of 1000 (the rows run in parallel) and a middle dim (column blocks in parallel).
  for (const auto& [shape, dim] :
       {std::pair<Shape, int64_t>{{300, 1000}, 1}, std::pair<Shape, int64_t>{{4, 50, 300}, 1},
        std::pair<Shape, int64_t>{{20000, 3}, 0}}) {
    const Tensor x64 = mul(random_tensor(shape, DType::f64, 2, false), 4.0);
    const Tensor x32 = x64.to(DType::f32);
    EXPECT_ALL_CLOSE(softmax(x32, dim), softmax(x64, dim), 2e-6, 1e-12);
    EXPECT_ALL_CLOSE(log_softmax(x32, dim), log_softmax(x64, dim), 2e-6, 2e-6);
    EXPECT_ALL_CLOSE(softmax(x64, dim), naive_softmax(x64, dim), 1e-12);
  }
}

TEST(Softmax, F32BackwardMatchesF64) {
  const Tensor x64 = random_tensor({200, 700}, DType::f64, 3, true);
  const Tensor x32 = x64.detach().to(DType::f32).set_requires_grad(true);
  const Tensor g64 = random_tensor({200, 700}, DType::f64, 4, false);
  for (bool log_form : {false, true}) {
    x64.set_grad(Tensor());
    x32.set_grad(Tensor());
    (log_form ? log_softmax(x64, 1) : softmax(x64, 1)).backward(g64);
    (log_form ? log_softmax(x32, 1) : softmax(x32, 1)).backward(g64.to(DType::f32));
    EXPECT_ALL_CLOSE(x32.grad(), x64.grad(), 1e-4, 1e-6);
  }
}

TEST(Softmax, Gradcheck) {
  for (const auto& [shape, dim] :
       {std::pair<Shape, int64_t>{{5}, 0}, std::pair<Shape, int64_t>{{3, 4}, 1},
        std::pair<Shape, int64_t>{{3, 4}, 0}, std::pair<Shape, int64_t>{{2, 3, 4}, 1}}) {
    SCOPED_TRACE(detail::str_cat(shape, " dim ", dim));
    const Tensor x = random_tensor(shape, DType::f64, 5);
    EXPECT_GRADCHECK([dim = dim](const std::vector<Tensor>& in) { return softmax(in[0], dim); },
                     {x});
    EXPECT_GRADCHECK([dim = dim](const std::vector<Tensor>& in) { return log_softmax(in[0], dim); },
                     {x});
  }
  // A non-contiguous input.
  const Tensor x = random_tensor({4, 3}, DType::f64, 6);
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return softmax(in[0].t(), 1); }, {x});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return log_softmax(in[0].t(), 0); }, {x});
}

TEST(Softmax, Errors) {
  EXPECT_FFTUNE_ERROR(softmax(zeros({3}, DType::i64), 0), "softmax: expected a floating tensor");
  EXPECT_FFTUNE_ERROR(log_softmax(zeros({2, 3}), 2), "log_softmax: dim 2 out of range");
  EXPECT_FFTUNE_ERROR(softmax(Tensor(), 0), "softmax: argument 'x' is an undefined tensor");
}

}  // namespace
}  // namespace fftune
