// ops/cuda/softmax_kernels.cu under emulation, against cpu::softmax_forward / backward.
#include <gtest/gtest.h>

#include "ops/cpu/softmax_kernels.h"
#include "ops/cuda/softmax_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_tensor;

template <typename T>
void check_softmax(int64_t rows, int64_t n, bool log, DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message() << rows << " x " << n << (log ? " log_softmax" : " softmax"));
  // Scaled up so that the max matters (exp of unshifted values would overflow in f32).
  Tensor x = mul(random_tensor({rows, n}, dtype, 1, false), 30.0);
  Tensor expected = empty({rows, n}, dtype);
  cpu::softmax_forward(expected, x, rows, n, 1, log);
  Tensor y = nan_tensor({rows, n}, dtype);
  cuda::softmax_forward<T>(y.data<T>(), x.data<T>(), rows, n, log, nullptr);
  EXPECT_ALL_CLOSE(y, expected, tol, tol);

  Tensor g = random_tensor({rows, n}, dtype, 2, false);
  Tensor dx_expected = empty({rows, n}, dtype);
  cpu::softmax_backward(dx_expected, g, expected, rows, n, 1, log);
  Tensor dx = nan_tensor({rows, n}, dtype);
  cuda::softmax_backward<T>(dx.data<T>(), g.data<T>(), expected.data<T>(), rows, n, log, nullptr);
  EXPECT_ALL_CLOSE(dx, dx_expected, tol, tol);
}

TEST(SoftmaxKernels, ForwardAndBackwardMatchCpu) {
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{1, 1},    {3, 7},     {5, 33},  {2, 257},
                                                          {4, 3072}, {2, 50265}, {65, 100}};
  for (bool log : {false, true}) {
    for (auto [rows, n] : sizes) {
      check_softmax<float>(rows, n, log, DType::f32, 1e-5);
      check_softmax<double>(rows, n, log, DType::f64, 1e-11);
    }
  }
}

TEST(SoftmaxKernels, InfiniteLogitsAreMasked) {
  // -inf entries (a causal mask) get probability 0, also when a thread sees only -inf values.
  Tensor x = random_tensor({2, 300}, DType::f32, 3, false);
  float* px = x.data<float>();
  for (int i = 0; i < 290; ++i) px[i] = -INFINITY;
  Tensor expected = empty({2, 300}, DType::f32);
  cpu::softmax_forward(expected, x, 2, 300, 1, false);
  Tensor y = nan_tensor({2, 300}, DType::f32);
  cuda::softmax_forward<float>(y.data<float>(), px, 2, 300, false, nullptr);
  EXPECT_ALL_CLOSE(y, expected, 1e-6, 1e-7);
  EXPECT_EQ(y.data<float>()[0], 0.0f);
}

}  // namespace
}  // namespace fftune
