// ops/cuda/dropout_kernels.cu under emulation: the mask and the values are bit-identical to
// cpu::dropout_apply for the same (seed, stream) — the CPU and CUDA masks must agree exactly.
#include <gtest/gtest.h>

#include "ops/cpu/dropout_kernels.h"
#include "ops/cuda/dropout_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_tensor;

template <typename T>
void check_dropout(int64_t n, float p, DType dtype) {
  SCOPED_TRACE(::testing::Message() << "n=" << n << " p=" << p);
  const double scale = 1.0 / (1.0 - p);
  Tensor x = random_tensor({n}, dtype, 1, false);
  Tensor expected = empty({n}, dtype);
  cpu::dropout_apply(expected, x, p, scale, 1234, 7);
  Tensor out = nan_tensor({n}, dtype);
  cuda::dropout_apply<T>(out.data<T>(), x.data<T>(), n, p, static_cast<T>(scale), 1234, 7, nullptr);
  EXPECT_ALL_CLOSE(out, expected, 0, 0);
}

TEST(DropoutKernels, MaskIsBitIdenticalToTheCpu) {
  for (int64_t n : {1, 255, 257, 100003}) {
    for (float p : {0.1f, 0.5f, 0.9f}) {
      check_dropout<float>(n, p, DType::f32);
      check_dropout<double>(n, p, DType::f64);
    }
  }
}

}  // namespace
}  // namespace fftune
