// cuBLAS behind the row-major GEMM contract of ops/cpu/gemm.h (same arguments, same meaning),
// on the device's stream. The argument mapping is Note [row-major GEMM on cuBLAS]
// (library_mapping.h). Also cuBLAS's scal, which the FFT wrappers use for normalisation.
#pragma once

#include <cstdint>
#include "core/tensor/tensor.h"

namespace fftune::cuda {

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc);
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  float alpha, const float* a, int64_t lda, int64_t stride_a, const float* b,
                  int64_t ldb, int64_t stride_b, float beta, float* c, int64_t ldc,
                  int64_t stride_c);
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  double alpha, const double* a, int64_t lda, int64_t stride_a, const double* b,
                  int64_t ldb, int64_t stride_b, double beta, double* c, int64_t ldc,
                  int64_t stride_c);

// x[i] *= alpha for n contiguous reals (a complex array of m elements is 2m reals).
void scale_reals(float* x, int64_t n, double alpha);
void scale_reals(double* x, int64_t n, double alpha);

// TF32 tensor-core math for f32 GEMMs: an opt-in, off by default so that the CUDA results match
// the CPU's to float32 tolerance (TF32 keeps 10 mantissa bits of the inputs).
void set_allow_tf32(bool allow);
bool allow_tf32();

}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/device_gemm.h in a CUDA build (defined at the end
// of cublas_gemm.cu): each checks the dtype, takes the device pointers and queues the work on the
// device stream.
namespace fftune::cuda {

// out (n) = Σ_rows x for a contiguous x (m, n) (cpu::sum_columns): one GEMM with a ones vector.
void sum_columns(const Tensor& out, const Tensor& x, int64_t m, int64_t n);

}  // namespace fftune::cuda
