// ops/cuda/max_kernels.cu under emulation, against cpu::max_forward: values and first-maximum
// indices along the last dim (block per row) and along a middle dim (thread per column), with
// ties (small integer values) and NaNs (the first NaN wins), in f32, f64 and i64.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "ops/cpu/max_kernels.h"
#include "ops/cuda/max_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_indices;
using testing::random_tensor;

// x (outer, size, inner): normal values, or (ties) integers in [0, 4) so that maxima repeat.
Tensor max_input(int64_t outer, int64_t size, int64_t inner, DType dtype, bool ties) {
  if (ties) return random_indices({outer, size, inner}, 4, 1).to(dtype);
  return random_tensor({outer, size, inner}, DType::f64, 1, false).to(dtype);
}

template <typename T>
void check_max(const Tensor& x, DType dtype) {
  const int64_t outer = x.size(0), size = x.size(1), inner = x.size(2);
  SCOPED_TRACE(::testing::Message() << outer << " x " << size << " x " << inner << " " << dtype);
  Tensor values = empty({outer, inner}, dtype), indices = empty({outer, inner}, DType::i64);
  cpu::max_forward(values, indices, x, outer, size, inner);
  Tensor values_d =
      dtype == DType::i64 ? full({outer, inner}, -7.0, dtype) : nan_tensor({outer, inner}, dtype);
  Tensor indices_d = full({outer, inner}, -7.0, DType::i64);
  cuda::max_forward<T>(values_d.data<T>(), indices_d.data<int64_t>(), x.data<T>(), outer, size,
                       inner, nullptr);
  EXPECT_ALL_CLOSE(values_d, values, 0.0, 0.0);
  EXPECT_ALL_CLOSE(indices_d, indices, 0.0, 0.0);
}

TEST(MaxKernels, ValuesAndFirstIndicesMatchCpu) {
  const std::vector<std::array<int64_t, 3>> shapes = {
      {1, 1, 1}, {3, 1000, 1}, {1, 20001, 1}, {65, 33, 1}, {4, 37, 5}, {2, 300, 257}, {3, 1, 7}};
  for (const auto& [outer, size, inner] : shapes) {
    for (bool ties : {false, true}) {
      check_max<float>(max_input(outer, size, inner, DType::f32, ties), DType::f32);
      check_max<double>(max_input(outer, size, inner, DType::f64, ties), DType::f64);
    }
    check_max<int64_t>(max_input(outer, size, inner, DType::i64, true), DType::i64);
  }
}

TEST(MaxKernels, TheFirstNanIsTheMaximum) {
  for (int64_t inner : {1, 3}) {
    Tensor x = random_tensor({2, 700, inner}, DType::f32, 2, false);
    float* p = x.data<float>();
    // Row 0: NaNs at positions 400 and 90 (90 wins); row 1: no NaN.
    for (int64_t i = 0; i < inner; ++i) p[400 * inner + i] = p[90 * inner + i] = NAN;
    check_max<float>(x, DType::f32);
  }
}

}  // namespace
}  // namespace fftune
