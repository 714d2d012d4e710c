// See cublas_gemm.h. One cuBLAS handle, bound to the device's stream.
#include <cublas_v2.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "core/tensor/factory.h"
#include "ops/cuda/cublas_gemm.h"
#include "ops/cuda/device.h"
#include "ops/cuda/library_mapping.h"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
namespace {

void check_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    FFTUNE_FAIL("cuBLAS error: ", call, " failed at ", file, ":", line, ": ",
                cublasGetStatusName(status), " (", cublasGetStatusString(status), ")");
}
#define FFTUNE_CUBLAS_CHECK(call) check_cublas((call), #call, __FILE__, __LINE__)

std::atomic<bool> g_allow_tf32{false};

cublasHandle_t handle() {
  static cublasHandle_t h = [] {
    cublasHandle_t created = nullptr;
    FFTUNE_CUBLAS_CHECK(cublasCreate(&created));
    FFTUNE_CUBLAS_CHECK(cublasSetStream(created, stream()));
    return created;  // never destroyed: see device.cpp's runtime()
  }();
  FFTUNE_CUBLAS_CHECK(
      cublasSetMathMode(h, g_allow_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  return h;
}

cublasOperation_t op(bool trans) {
  return trans ? CUBLAS_OP_T : CUBLAS_OP_N;
}

// One call for both precisions: cublas[SD]gemmStridedBatched_64 (a batch of 1 is a plain GEMM).
template <typename T>
void gemm_impl(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k, T alpha,
               const T* a, int64_t lda, int64_t stride_a, const T* b, int64_t ldb, int64_t stride_b,
               T beta, T* c, int64_t ldc, int64_t stride_c) {
  if (batch == 0 || m == 0 || n == 0) return;
  const ColumnMajorGemm g =
      to_column_major(trans_a, trans_b, m, n, k, lda, ldb, ldc, stride_a, stride_b, stride_c);
  // cuBLAS checks ld >= rows even when k == 0; a valid ld is harmless then.
  const int64_t ld_first = std::max<int64_t>(g.ld_first, 1);
  const int64_t ld_second = std::max<int64_t>(g.ld_second, 1);
  if constexpr (std::is_same_v<T, float>) {
    FFTUNE_CUBLAS_CHECK(cublasSgemmStridedBatched_64(
        handle(), op(g.trans_first), op(g.trans_second), g.m, g.n, g.k, &alpha, b, ld_first,
        g.stride_first, a, ld_second, g.stride_second, &beta, c, g.ldc, g.stride_c, batch));
  } else {
    FFTUNE_CUBLAS_CHECK(cublasDgemmStridedBatched_64(
        handle(), op(g.trans_first), op(g.trans_second), g.m, g.n, g.k, &alpha, b, ld_first,
        g.stride_first, a, ld_second, g.stride_second, &beta, c, g.ldc, g.stride_c, batch));
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm_impl(trans_a, trans_b, 1, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0);
}
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc) {
  gemm_impl(trans_a, trans_b, 1, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0);
}
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  float alpha, const float* a, int64_t lda, int64_t stride_a, const float* b,
                  int64_t ldb, int64_t stride_b, float beta, float* c, int64_t ldc,
                  int64_t stride_c) {
  gemm_impl(trans_a, trans_b, batch, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c,
            ldc, stride_c);
}
void gemm_batched(bool trans_a, bool trans_b, int64_t batch, int64_t m, int64_t n, int64_t k,
                  double alpha, const double* a, int64_t lda, int64_t stride_a, const double* b,
                  int64_t ldb, int64_t stride_b, double beta, double* c, int64_t ldc,
                  int64_t stride_c) {
  gemm_impl(trans_a, trans_b, batch, m, n, k, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c,
            ldc, stride_c);
}

void scale_reals(float* x, int64_t n, double alpha) {
  const float a = static_cast<float>(alpha);
  if (n > 0 && alpha != 1.0) FFTUNE_CUBLAS_CHECK(cublasSscal_64(handle(), n, &a, x, 1));
}
void scale_reals(double* x, int64_t n, double alpha) {
  if (n > 0 && alpha != 1.0) FFTUNE_CUBLAS_CHECK(cublasDscal_64(handle(), n, &alpha, x, 1));
}

void set_allow_tf32(bool allow) {
  g_allow_tf32 = allow;
}
bool allow_tf32() {
  return g_allow_tf32;
}

}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
namespace fftune::cuda {

namespace {

// At least n ones of type T on the device, made once and grown as needed. Old buffers are kept
// (never freed), so a pointer handed out stays valid whatever another thread asks for later.
template <typename T>
const T* device_ones(int64_t n) {
  static std::mutex mutex;
  static auto* buffers = new std::vector<Tensor>;  // never destroyed: see device.cpp's runtime()
  std::lock_guard<std::mutex> lock(mutex);
  if (buffers->empty() || buffers->back().numel() < n)
    buffers->push_back(
        full({std::max<int64_t>(2 * n, 4096)}, 1.0, dtype_of<T>::value, Device::cuda()));
  return buffers->back().template data<T>();
}

}  // namespace

void sum_columns(const Tensor& out, const Tensor& x, int64_t m, int64_t n) {
  dispatch_float(x.dtype(), "sum_columns", [&]<typename T>() {
    // out (1, n) = ones (1, m) · x (m, n)
    const int64_t ld = std::max<int64_t>(n, 1);
    gemm(false, false, 1, n, m, T(1), device_ones<T>(m), std::max<int64_t>(m, 1), ptr<T>(x), ld,
         T(0), mut<T>(out), ld);
  });
}

}  // namespace fftune::cuda
