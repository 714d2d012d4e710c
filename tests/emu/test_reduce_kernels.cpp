// ops/cuda/reduce_kernels.cu (sum over the last dim) under emulation, against cpu::sum_rows.
#include <gtest/gtest.h>

#include "ops/cpu/reduce_kernels.h"
#include "ops/cuda/reduce_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_tensor;

template <typename T>
void check_sum_rows(int64_t outer, int64_t inner, DType dtype, double rtol) {
  SCOPED_TRACE(::testing::Message() << outer << " x " << inner);
  Tensor x = random_tensor({outer, inner}, dtype, 1, false);
  Tensor expected = empty({outer}, dtype);
  cpu::sum_rows(expected, x, outer, inner);
  Tensor out = nan_tensor({outer}, dtype);
  cuda::sum_rows<T>(out.data<T>(), x.data<T>(), outer, inner, nullptr);
  EXPECT_ALL_CLOSE(out, expected, rtol, rtol);
}

TEST(ReduceKernels, SumRowsMatchesCpu) {
  const std::vector<std::pair<int64_t, int64_t>> sizes = {
      {1, 1}, {1, 33}, {7, 1}, {5, 255}, {3, 257}, {4, 3072}, {2, 50265}, {300, 17}};
  for (auto [outer, inner] : sizes) {
    check_sum_rows<float>(outer, inner, DType::f32, 1e-6);  // both sum in double
    check_sum_rows<double>(outer, inner, DType::f64, 1e-12);
  }
}

}  // namespace
}  // namespace fftune
