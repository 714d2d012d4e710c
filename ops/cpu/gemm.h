// Dense matrix multiply on the CPU: the one seam between fftune and the GEMM libraries.
// Which library runs is chosen by measurement (docs/perf.md, "GEMM library choice") and is
// invisible to callers; gemm_library_name() says what it is.
//
// Row-major: C = alpha * op(A) · op(B) + beta * C, op(X) = X or Xᵀ. A is (m×k) after op, B (k×n),
// C (m×n). lda/ldb/ldc are the row strides of the matrices as stored (before op): A is stored
// (m×k) with lda >= k, or, when trans_a, (k×m) with lda >= m; likewise B. Transposes are passed
// to the library, never copied. As in BLAS, beta == 0 means C is not read (NaNs in C vanish),
// and k == 0 gives C = beta * C.
//
// Threads: fftune::num_threads() (core/threading.h). Called from inside an OpenMP parallel
// region, a call runs single-threaded on the calling thread.
#pragma once

#include <cstdint>

namespace fftune::cpu {

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc);

// Strided batch: matrix i of A starts at a + i*stride_a, of B at b + i*stride_b, of C at
// c + i*stride_c (stride 0 = broadcast the same matrix; C's stride must not be 0 when batch > 1).
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  float alpha, const float* a, int64_t lda, int64_t stride_a, const float* b,
                  int64_t ldb, int64_t stride_b, float beta, float* c, int64_t ldc,
                  int64_t stride_c);
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  double alpha, const double* a, int64_t lda, int64_t stride_a, const double* b,
                  int64_t ldb, int64_t stride_b, double beta, double* c, int64_t ldc,
                  int64_t stride_c);

// The library (and version) behind gemm, e.g. "oneDNN 2.6.3 (f32), BLIS 0.9.0 (f64)"; printed
// by the benchmarks and the README.
const char* gemm_library_name();

}  // namespace fftune::cpu
