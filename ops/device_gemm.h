// The row-major GEMM of ops/cpu/gemm.h on the device that holds the operands — the CPU GEMM
// library or cuBLAS (same arguments, same meaning: Note [row-major GEMM on cuBLAS] in
// ops/cuda/library_mapping.h) — and the column sums that linear's bias gradient needs. The ops
// that multiply matrices (matmul, linear, fourierft_linear) call these, so that their device
// branch is written once.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cpu/gemm.h"
#include "ops/cpu/reduce_kernels.h"
#include "ops/cuda/cublas_gemm.h"
#include "ops/op_utils.h"

namespace fftune {

// How a GEMM reads a (rows × cols) matrix stored with strides (row_stride, col_stride): as
// stored (row-major), or — a transposed view — as the transpose of what is stored (Note
// [transposes are free] in ops/matmul.cpp).
struct GemmLayout {
  bool ok = false;     // false: the layout needs a contiguous copy
  bool trans = false;  // stored transposed
  int64_t ld = 0;      // leading dimension (row stride of the stored matrix)
};

inline GemmLayout gemm_layout(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  if ((col_stride == 1 || cols == 1) && (row_stride >= std::max<int64_t>(cols, 1) || rows == 1))
    return {true, false, rows == 1 ? std::max<int64_t>(cols, 1) : row_stride};
  if ((row_stride == 1 || rows == 1) && (col_stride >= std::max<int64_t>(rows, 1) || cols == 1))
    return {true, true, cols == 1 ? std::max<int64_t>(rows, 1) : col_stride};
  return {};
}

// C (m×n, ldc) = alpha·op(A)·op(B) + beta·C, all pointers on `device`.
template <typename T>
void device_gemm(Device device, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                 T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
                 int64_t ldc) {
  if (device.is_cpu())
    cpu::gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), "gemm", device);
}

// `batch` GEMMs whose operands lie stride_a, stride_b, stride_c elements apart.
template <typename T>
void device_gemm_batched(Device device, bool trans_a, bool trans_b, int64_t batch, int64_t m,
                         int64_t n, int64_t k, T alpha, const T* a, int64_t lda, int64_t stride_a,
                         const T* b, int64_t ldb, int64_t stride_b, T beta, T* c, int64_t ldc,
                         int64_t stride_c) {
  if (device.is_cpu())
    cpu::gemm_batched(trans_a, trans_b, batch, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b,
                      beta, c, ldc, stride_c);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::gemm_batched(trans_a, trans_b, batch, m, n, k, alpha, a, lda,
                                                stride_a, b, ldb, stride_b, beta, c, ldc, stride_c),
                             "gemm", device);
}

// out (n) = Σ over the m rows of a contiguous x (m, n).
inline void device_sum_columns(const Tensor& out, const Tensor& x, int64_t m, int64_t n) {
  if (x.device().is_cpu())
    cpu::sum_columns(out, x, m, n);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::sum_columns(out, x, m, n), "sum", x.device());
}

}  // namespace fftune
