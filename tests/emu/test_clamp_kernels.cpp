// ops/cuda/clamp_kernels.cu under emulation, against cpu::clamp_forward / clamp_backward: both
// bounds, one bound (the other NaN: missing), min > max, inputs exactly on a bound (0 gradient
// there), NaN and ±inf, a transposed input, and sizes that are not multiples of the block size.
// The kernels evaluate the CPU's expressions, so the results must be equal, not merely close.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ops/cpu/clamp_kernels.h"
#include "ops/cuda/clamp_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using cuda::strided_layout;
using testing::random_tensor;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();  // a missing bound

// A value neither kernel can produce from these inputs: an element left unwritten fails.
Tensor poisoned(const Shape& shape, DType dtype) {
  return full(shape, 12345.0, dtype);
}

// A contiguous copy of values with five elements replaced by lo, hi, NaN, +inf and -inf (later
// ones win where a small tensor has fewer than five distinct positions).
Tensor input_with_specials(const Tensor& values, double lo, double hi) {
  Tensor x = values.contiguous().clone();
  const int64_t n = x.numel();
  const Tensor flat = x.reshape({n});
  const double specials[] = {lo, hi, std::nan(""), kInf, -kInf};
  for (int64_t i = 0; i < 5; ++i) flat.narrow(0, i * 3 % n, 1).fill_(specials[i]);
  return x;
}

template <typename T>
void check_clamp(const Tensor& x, double lo, double hi) {
  SCOPED_TRACE(::testing::Message() << "x " << testing::shape_string(x.shape()) << " " << x.dtype()
                                    << ", lo " << lo << ", hi " << hi);
  Tensor expected = empty(x.shape(), x.dtype());
  cpu::clamp_forward(expected, x, lo, hi);
  Tensor y = poisoned(x.shape(), x.dtype());
  cuda::clamp_forward<T>(y.data<T>(), x.data<T>(), strided_layout(y, {x}), static_cast<T>(lo),
                         static_cast<T>(hi), nullptr);
  EXPECT_ALL_CLOSE(y, expected, 0.0, 0.0);

  const Tensor g = random_tensor(x.shape(), x.dtype(), 7, false);
  Tensor dx_expected = empty(x.shape(), x.dtype());
  cpu::clamp_backward(dx_expected, g, x, lo, hi);
  Tensor dx = poisoned(x.shape(), x.dtype());
  cuda::clamp_backward<T>(dx.data<T>(), g.data<T>(), x.data<T>(), strided_layout(dx, {g, x}),
                          static_cast<T>(lo), static_cast<T>(hi), nullptr);
  EXPECT_ALL_CLOSE(dx, dx_expected, 0.0, 0.0);
}

TEST(ClampKernels, MatchesCpu) {
  const struct {
    double lo, hi;
  } bounds[] = {{-0.5, 0.7}, {kMissing, 0.3}, {-0.2, kMissing}, {1.0, -1.0}};
  uint64_t seed = 1;
  for (const auto& b : bounds) {
    for (const Shape& shape : {Shape{1}, Shape{257}, Shape{3, 5, 7}}) {
      const Tensor x =
          input_with_specials(random_tensor(shape, DType::f64, seed++, false), b.lo, b.hi);
      check_clamp<double>(x, b.lo, b.hi);
      check_clamp<float>(x.to(DType::f32), b.lo, b.hi);
    }
    // A transposed (non-contiguous) input.
    const Tensor xt = random_tensor({9, 33}, DType::f64, seed++, false).t();
    check_clamp<double>(xt, b.lo, b.hi);
  }
}

TEST(ClampKernels, GradientIsZeroOnTheBoundsAndNotCutByAMissingOne) {
  // x == lo and x == hi get 0 (torch's strict convention); just inside, g; a NaN (missing)
  // upper bound lets +inf through.
  const Tensor x = from_vector<double>({-1.0, 1.0, std::nextafter(-1.0, 0.0), 0.5, kInf}, {5});
  const Tensor g = from_vector<double>({2, 3, 4, 5, 6}, {5});
  Tensor dx = poisoned({5}, DType::f64);
  cuda::clamp_backward<double>(dx.data<double>(), g.data<double>(), x.data<double>(),
                               strided_layout(dx, {g, x}), -1.0, 1.0, nullptr);
  EXPECT_EQ(to_vector<double>(dx), (std::vector<double>{0, 0, 4, 5, 0}));
  cuda::clamp_backward<double>(dx.data<double>(), g.data<double>(), x.data<double>(),
                               strided_layout(dx, {g, x}), -1.0, kMissing, nullptr);
  EXPECT_EQ(to_vector<double>(dx), (std::vector<double>{0, 3, 4, 5, 6}));
}

}  // namespace
}  // namespace fftune
