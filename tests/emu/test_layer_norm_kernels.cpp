// ops/cuda/layer_norm_kernels.cu under emulation, against cpu::layer_norm_forward / backward,
// with and without weight and bias, at row sizes below, at and far above the block size.
#include <gtest/gtest.h>

#include "ops/cpu/layer_norm_kernels.h"
#include "ops/cuda/layer_norm_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_tensor;

template <typename T>
T* ptr(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

template <typename T>
void check_layer_norm(int64_t M, int64_t N, bool affine, DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message() << M << " x " << N << (affine ? " affine" : ""));
  // An offset mean, so that a one-pass E[x²] − E[x]² variance would lose digits.
  Tensor x = add(random_tensor({M, N}, dtype, 1, false), 50.0);
  Tensor weight = affine ? random_tensor({N}, dtype, 2, false) : Tensor();
  Tensor bias = affine ? random_tensor({N}, dtype, 3, false) : Tensor();
  const double eps = 1e-5;

  Tensor y_ref = empty({M, N}, dtype), mean_ref = empty({M}, dtype), rstd_ref = empty({M}, dtype);
  cpu::layer_norm_forward(y_ref, mean_ref, rstd_ref, x, weight, bias, M, N, eps);
  Tensor y = nan_tensor({M, N}, dtype), mean = nan_tensor({M}, dtype),
         rstd = nan_tensor({M}, dtype);
  cuda::layer_norm_forward<T>(y.data<T>(), mean.data<T>(), rstd.data<T>(), x.data<T>(),
                              ptr<T>(weight), ptr<T>(bias), M, N, eps, nullptr);
  EXPECT_ALL_CLOSE(y, y_ref, tol, tol);
  EXPECT_ALL_CLOSE(mean, mean_ref, tol, tol);
  EXPECT_ALL_CLOSE(rstd, rstd_ref, tol, tol);

  Tensor g = random_tensor({M, N}, dtype, 4, false);
  Tensor dx_ref = empty({M, N}, dtype);
  Tensor dw_ref = affine ? empty({N}, dtype) : Tensor(),
         db_ref = affine ? empty({N}, dtype) : Tensor();
  cpu::layer_norm_backward(dx_ref, dw_ref, db_ref, g, x, mean_ref, rstd_ref, weight, M, N);
  Tensor dx = nan_tensor({M, N}, dtype);
  Tensor dw = affine ? nan_tensor({N}, dtype) : Tensor(),
         db = affine ? nan_tensor({N}, dtype) : Tensor();
  cuda::layer_norm_backward<T>(dx.data<T>(), ptr<T>(dw), ptr<T>(db), g.data<T>(), x.data<T>(),
                               mean_ref.data<T>(), rstd_ref.data<T>(), ptr<T>(weight), M, N,
                               nullptr);
  EXPECT_ALL_CLOSE(dx, dx_ref, tol, tol);
  if (affine) {
    // Column sums over M rows: the summation order differs from the CPU's.
    EXPECT_ALL_CLOSE(dw, dw_ref, tol * 10, tol * 10);
    EXPECT_ALL_CLOSE(db, db_ref, tol * 10, tol * 10);
  }
}

TEST(LayerNormKernels, ForwardAndBackwardMatchCpu) {
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{1, 1},   {3, 5},    {7, 33},   {37, 257},
                                                          {4, 768}, {3, 3072}, {1, 50265}};
  for (bool affine : {true, false}) {
    for (auto [M, N] : sizes) {
      check_layer_norm<float>(M, N, affine, DType::f32, 2e-4);
      check_layer_norm<double>(M, N, affine, DType::f64, 1e-10);
    }
  }
}

TEST(LayerNormKernels, BackwardWritesOnlyTheRequestedGradients) {
  const int64_t M = 5, N = 40;
  Tensor x = random_tensor({M, N}, DType::f32, 1, false),
         g = random_tensor({M, N}, DType::f32, 2, false);
  Tensor w = random_tensor({N}, DType::f32, 3, false);
  Tensor mean = empty({M}, DType::f32), rstd = empty({M}, DType::f32),
         y = empty({M, N}, DType::f32);
  cpu::layer_norm_forward(y, mean, rstd, x, w, Tensor(), M, N, 1e-5);
  Tensor dw_ref = empty({N}, DType::f32);
  cpu::layer_norm_backward(Tensor(), dw_ref, Tensor(), g, x, mean, rstd, w, M, N);
  Tensor dw = nan_tensor({N}, DType::f32);
  cuda::layer_norm_backward<float>(nullptr, dw.data<float>(), nullptr, g.data<float>(),
                                   x.data<float>(), mean.data<float>(), rstd.data<float>(),
                                   w.data<float>(), M, N, nullptr);
  EXPECT_ALL_CLOSE(dw, dw_ref, 1e-5, 1e-5);
}

}  // namespace
}  // namespace fftune
