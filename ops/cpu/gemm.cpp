#include "ops/cpu/gemm.h"

#include <blis.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "core/threading.h"

namespace fftune::cpu {
namespace {

// Note [GEMM library choice]: measured at the RoBERTa-base shapes on 2 threads (docs/perf.md,
// "GEMM library choice"; bench/bench_gemm_libraries.cpp).
//  - f32, matrices of kSmallGemm multiply-adds or more: oneDNN's dnnl_sgemm, the fastest of
//    oneDNN / OpenBLAS / BLIS on every Linear shape.
//  - f32 smaller than that, and every f64 call: BLIS (typed API, one thread per call for small
//    f32). A 2-thread call on a 128×128×64 matrix spends most of its time waking and joining
//    threads; a single-threaded BLIS call does not, and BLIS is far ahead of oneDNN and OpenBLAS
//    on single-threaded small matrices. oneDNN has no f64 GEMM.
//  - Batched: an OpenMP loop over the batch with one single-threaded call per matrix, unless the
//    batch is too small to keep every thread busy and the matrices are large.
// Both libraries are the OpenMP builds: they share one libgomp thread pool with fftune's own
// loops, so no two pools spin against each other. OpenBLAS (pthread build) is not linked.
constexpr int64_t kSmallGemm = int64_t{1} << 21;  // m·n·k below this: single-threaded BLIS

int threads_here() {
  return omp_in_parallel() ? 1 : num_threads();
}

void check_args(const char* fn, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                const void* a, int64_t lda, const void* b, int64_t ldb, const void* c,
                int64_t ldc) {
  FFTUNE_CHECK(m >= 0 && n >= 0 && k >= 0, fn, ": sizes must be non-negative, got m=", m, " n=", n,
               " k=", k);
  // Row widths of the matrices as stored (before op).
  const int64_t a_width = trans_a ? m : k, b_width = trans_b ? k : n;
  FFTUNE_CHECK(lda >= std::max<int64_t>(1, a_width), fn, ": lda=", lda,
               " is smaller than the row width of A as stored (", a_width,
               trans_a ? ", A stored k×m since trans_a)" : ", A stored m×k)");
  FFTUNE_CHECK(ldb >= std::max<int64_t>(1, b_width), fn, ": ldb=", ldb,
               " is smaller than the row width of B as stored (", b_width,
               trans_b ? ", B stored n×k since trans_b)" : ", B stored k×n)");
  FFTUNE_CHECK(ldc >= std::max<int64_t>(1, n), fn, ": ldc=", ldc, " is smaller than n=", n);
  if (m > 0 && n > 0) FFTUNE_CHECK(c != nullptr, fn, ": C is null");
  if (m > 0 && n > 0 && k > 0) FFTUNE_CHECK(a != nullptr && b != nullptr, fn, ": A or B is null");
}

// C = beta * C (the k == 0 case); beta == 0 writes zeros without reading C.
template <typename T>
void scale_c(int64_t m, int64_t n, T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
}

trans_t blis_trans(bool t) {
  return t ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE;
}

// One matrix. Returns dnnl_success or oneDNN's error status (never throws: it runs inside
// OpenMP loops, where an exception would terminate the program).
dnnl_status_t run(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                  int64_t ldc, int threads) {
  if (k == 0) {
    scale_c(m, n, beta, c, ldc);
    return dnnl_success;
  }
  if (m * n * k < kSmallGemm) {
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(1, &rntm);
    // BLIS takes non-const pointers but does not write A or B.
    bli_sgemm_ex(blis_trans(trans_a), blis_trans(trans_b), m, n, k, &alpha, const_cast<float*>(a),
                 lda, 1, const_cast<float*>(b), ldb, 1, &beta, c, ldc, 1, nullptr, &rntm);
    return dnnl_success;
  }
  // oneDNN's OpenMP build sizes its parallel regions by the calling thread's
  // omp_get_max_threads() (and runs sequentially inside a parallel region).
  if (!omp_in_parallel() && omp_get_max_threads() != threads) omp_set_num_threads(threads);
  return dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta,
                    c, ldc);
}

dnnl_status_t run(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                  const double* a, int64_t lda, const double* b, int64_t ldb, double beta,
                  double* c, int64_t ldc, int threads) {
  if (k == 0) {
    scale_c(m, n, beta, c, ldc);
    return dnnl_success;
  }
  rntm_t rntm = BLIS_RNTM_INITIALIZER;
  bli_rntm_set_num_threads(m * n * k < kSmallGemm ? 1 : threads, &rntm);
  bli_dgemm_ex(blis_trans(trans_a), blis_trans(trans_b), m, n, k, &alpha, const_cast<double*>(a),
               lda, 1, const_cast<double*>(b), ldb, 1, &beta, c, ldc, 1, nullptr, &rntm);
  return dnnl_success;
}

void check_status(dnnl_status_t status, const char* fn, int64_t m, int64_t n, int64_t k) {
  FFTUNE_CHECK(status == dnnl_success, fn, ": dnnl_sgemm failed with oneDNN status ",
               static_cast<int>(status), " (m=", m, " n=", n, " k=", k, ")");
}

template <typename T>
void gemm_impl(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
               int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  check_args("gemm", trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
  if (m == 0 || n == 0) return;
  check_status(run(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads_here()),
               "gemm", m, n, k);
}

template <typename T>
void gemm_batched_impl(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                       T alpha, const T* a, int64_t lda, int64_t stride_a, const T* b, int64_t ldb,
                       int64_t stride_b, T beta, T* c, int64_t ldc, int64_t stride_c) {
  FFTUNE_CHECK(batch >= 0, "gemm_batched: batch must be non-negative, got ", batch);
  if (batch == 0) return;
  check_args("gemm_batched", trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
  FFTUNE_CHECK(batch <= 1 || stride_c != 0 || m == 0 || n == 0,
               "gemm_batched: stride_c is 0 with batch ", batch,
               ": every matrix would write the same C");
  if (m == 0 || n == 0) return;
  const int threads = threads_here();
  // Loop over the batch unless that would leave threads idle on large matrices.
  const bool over_batch =
      threads > 1 && batch > 1 && (m * n * k < kSmallGemm || batch >= 4 * int64_t{threads});
  if (!over_batch) {
    for (int64_t i = 0; i < batch; ++i)
      check_status(run(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda, b + i * stride_b,
                       ldb, beta, c + i * stride_c, ldc, threads),
                   "gemm_batched", m, n, k);
    return;
  }
  dnnl_status_t status = dnnl_success;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t i = 0; i < batch; ++i) {
    dnnl_status_t s = run(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda, b + i * stride_b,
                          ldb, beta, c + i * stride_c, ldc, 1);
    if (s != dnnl_success) {
#pragma omp critical(fftune_gemm_batched_status)
      status = s;
    }
  }
  check_status(status, "gemm_batched", m, n, k);
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm_impl(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc) {
  gemm_impl(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  float alpha, const float* a, int64_t lda, int64_t stride_a, const float* b,
                  int64_t ldb, int64_t stride_b, float beta, float* c, int64_t ldc,
                  int64_t stride_c) {
  gemm_batched_impl(trans_a, trans_b, batch, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b,
                    beta, c, ldc, stride_c);
}

void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  double alpha, const double* a, int64_t lda, int64_t stride_a, const double* b,
                  int64_t ldb, int64_t stride_b, double beta, double* c, int64_t ldc,
                  int64_t stride_c) {
  gemm_batched_impl(trans_a, trans_b, batch, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b,
                    beta, c, ldc, stride_c);
}

const char* gemm_library_name() {
  static const std::string name = [] {
    const dnnl_version_t* v = dnnl_version();
    return detail::str_cat("oneDNN ", v->major, ".", v->minor, ".", v->patch, " (f32) + BLIS ",
                           bli_info_get_version_str(), " (f32 below 2^21 multiply-adds, f64)");
  }();
  return name.c_str();
}

}  // namespace fftune::cpu
