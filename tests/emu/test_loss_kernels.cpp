// ops/cuda/loss_kernels.cu (cross_entropy) under emulation, against cpu::cross_entropy_forward /
// backward: ignored targets, label smoothing, a scalar or per-row output gradient, and rows of
// one class, of a few classes and of a vocabulary's worth.
#include <gtest/gtest.h>

#include "ops/cpu/loss_kernels.h"
#include "ops/cuda/loss_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_indices;
using testing::random_tensor;

constexpr int64_t kIgnore = -100;

template <typename T>
void check_cross_entropy(int64_t M, int64_t C, double smoothing, DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message()
               << M << " x " << C << " smoothing " << smoothing << " " << dtype);
  const Tensor x = mul(random_tensor({M, C}, dtype, 1, false), 5.0);
  Tensor target = random_indices({M}, C, 2);
  for (int64_t r = 1; r < M; r += 3) target.data<int64_t>()[r] = kIgnore;

  Tensor loss = empty({M}, dtype), row_max = empty({M}, dtype), log_sum = empty({M}, dtype);
  cpu::cross_entropy_forward(loss, row_max, log_sum, x, target, kIgnore, smoothing);
  Tensor loss_d = nan_tensor({M}, dtype), max_d = nan_tensor({M}, dtype),
         log_sum_d = nan_tensor({M}, dtype);
  cuda::cross_entropy_forward<T>(loss_d.data<T>(), max_d.data<T>(), log_sum_d.data<T>(),
                                 x.data<T>(), target.data<int64_t>(), M, C, kIgnore, smoothing,
                                 nullptr);
  EXPECT_ALL_CLOSE(loss_d, loss, tol, tol);
  EXPECT_ALL_CLOSE(max_d, row_max, 0.0, 0.0);
  EXPECT_ALL_CLOSE(log_sum_d, log_sum, tol, tol);

  // Backward with one scalar gradient (kMean: scale 1/count) and with one per row (kNone).
  const Tensor g_scalar = random_tensor({}, dtype, 3, false);
  const Tensor g_rows = random_tensor({M}, dtype, 4, false);
  for (int64_t stride : {0, 1}) {
    const Tensor& g = stride == 0 ? g_scalar : g_rows;
    const double scale = stride == 0 ? 1.0 / 7.0 : 1.0;
    Tensor dx = empty({M, C}, dtype);
    cpu::cross_entropy_backward(dx, g, stride, scale, x, row_max, log_sum, target, kIgnore,
                                smoothing);
    Tensor dx_d = nan_tensor({M, C}, dtype);
    cuda::cross_entropy_backward<T>(dx_d.data<T>(), g.data<T>(), stride, scale, x.data<T>(),
                                    row_max.data<T>(), log_sum.data<T>(), target.data<int64_t>(), M,
                                    C, kIgnore, smoothing, nullptr);
    EXPECT_ALL_CLOSE(dx_d, dx, tol, tol);
  }
}

TEST(LossKernels, CrossEntropyMatchesCpu) {
  const std::vector<std::pair<int64_t, int64_t>> sizes = {
      {1, 1}, {5, 3}, {7, 1000}, {33, 257}, {2, 50265}};
  for (double smoothing : {0.0, 0.1}) {
    for (auto [M, C] : sizes) {
      check_cross_entropy<float>(M, C, smoothing, DType::f32, 1e-5);
      check_cross_entropy<double>(M, C, smoothing, DType::f64, 1e-12);
    }
  }
}

TEST(LossKernels, AllTargetsIgnoredGiveZeros) {
  const Tensor x = random_tensor({4, 9}, DType::f32, 5, false);
  const Tensor target = full({4}, static_cast<double>(kIgnore), DType::i64);
  Tensor loss = nan_tensor({4}, DType::f32), row_max = nan_tensor({4}, DType::f32),
         log_sum = nan_tensor({4}, DType::f32);
  cuda::cross_entropy_forward<float>(loss.data<float>(), row_max.data<float>(),
                                     log_sum.data<float>(), x.data<float>(), target.data<int64_t>(),
                                     4, 9, kIgnore, 0.0, nullptr);
  EXPECT_ALL_CLOSE(loss, zeros({4}, DType::f32), 0.0, 0.0);
  const Tensor g = random_tensor({4}, DType::f32, 6, false);
  Tensor dx = nan_tensor({4, 9}, DType::f32);
  cuda::cross_entropy_backward<float>(dx.data<float>(), g.data<float>(), 1, 1.0, x.data<float>(),
                                      row_max.data<float>(), log_sum.data<float>(),
                                      target.data<int64_t>(), 4, 9, kIgnore, 0.0, nullptr);
  EXPECT_ALL_CLOSE(dx, zeros({4, 9}, DType::f32), 0.0, 0.0);
}

}  // namespace
}  // namespace fftune
