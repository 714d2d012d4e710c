// See cufft_plans.h.
#include <cufft.h>

#include <map>
#include <mutex>
#include <tuple>

#include "core/error.h"
#include "ops/cuda/check.h"
#include "ops/cuda/cublas_gemm.h"
#include "ops/cuda/cufft_plans.h"
#include "ops/cuda/device.h"

namespace fftune::cuda {
namespace {

void check_cufft(cufftResult status, const char* call, const char* file, int line) {
  if (status != CUFFT_SUCCESS)
    FFTUNE_FAIL("cuFFT error: ", call, " failed at ", file, ":", line, ": cufftResult ",
                static_cast<int>(status));
}
#define FFTUNE_CUFFT_CHECK(call) check_cufft((call), #call, __FILE__, __LINE__)

auto tie(const FftPlanKey& k) {
  return std::make_tuple(k.kind, k.double_precision, k.rank, k.n[0], k.n[1], k.batch);
}
struct KeyLess {
  bool operator()(const FftPlanKey& a, const FftPlanKey& b) const { return tie(a) < tie(b); }
};

cufftType plan_type(const FftPlanKey& key) {
  switch (key.kind) {
    case FftKind::kR2C:
      return key.double_precision ? CUFFT_D2Z : CUFFT_R2C;
    case FftKind::kC2R:
      return key.double_precision ? CUFFT_Z2D : CUFFT_C2R;
    case FftKind::kC2C:
      break;
  }
  return key.double_precision ? CUFFT_Z2Z : CUFFT_C2C;
}

std::mutex g_mutex;
std::map<FftPlanKey, cufftHandle, KeyLess>& plans() {
  static auto* cache = new std::map<FftPlanKey, cufftHandle, KeyLess>;  // see device.cpp
  return *cache;
}

cufftHandle plan_for(const FftPlanKey& key) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = plans().find(key);
  if (it != plans().end()) return it->second;
  cufftHandle plan = 0;
  FFTUNE_CUFFT_CHECK(cufftCreate(&plan));
  long long n[2] = {key.n[0], key.n[1]};
  size_t workspace = 0;
  // Null embeddings: each transform's data is contiguous, batches fft_*_distance apart.
  FFTUNE_CUFFT_CHECK(cufftMakePlanMany64(plan, key.rank, n, nullptr, 1, fft_input_distance(key),
                                         nullptr, 1, fft_output_distance(key), plan_type(key),
                                         key.batch, &workspace));
  FFTUNE_CUFFT_CHECK(cufftSetStream(plan, stream()));
  plans().emplace(key, plan);
  return plan;
}

int64_t output_reals(const FftPlanKey& key) {
  const int64_t per = fft_output_distance(key) * (key.kind == FftKind::kC2R ? 1 : 2);
  return per * key.batch;
}

}  // namespace

void fft_execute(const FftPlanKey& key, const void* in, void* out, bool inverse, double scale,
                 bool input_is_scratch) {
  if (key.batch == 0 || key.n[0] == 0) return;
  const cufftHandle plan = plan_for(key);
  void* src = const_cast<void*>(in);
  void* scratch = nullptr;
  if (key.kind == FftKind::kC2R && !input_is_scratch) {  // cuFFT's C2R overwrites its input
    const size_t bytes = static_cast<size_t>(fft_input_distance(key) * key.batch) * 2 *
                         (key.double_precision ? sizeof(double) : sizeof(float));
    scratch = device_allocator().allocate(bytes);
    FFTUNE_CUDA_CHECK(cudaMemcpyAsync(scratch, in, bytes, cudaMemcpyDeviceToDevice, stream()));
    src = scratch;
  }
  const int direction = inverse ? CUFFT_INVERSE : CUFFT_FORWARD;
  if (key.double_precision) {
    switch (key.kind) {
      case FftKind::kR2C:
        FFTUNE_CUFFT_CHECK(cufftExecD2Z(plan, static_cast<cufftDoubleReal*>(src),
                                        static_cast<cufftDoubleComplex*>(out)));
        break;
      case FftKind::kC2R:
        FFTUNE_CUFFT_CHECK(cufftExecZ2D(plan, static_cast<cufftDoubleComplex*>(src),
                                        static_cast<cufftDoubleReal*>(out)));
        break;
      case FftKind::kC2C:
        FFTUNE_CUFFT_CHECK(cufftExecZ2Z(plan, static_cast<cufftDoubleComplex*>(src),
                                        static_cast<cufftDoubleComplex*>(out), direction));
        break;
    }
    scale_reals(static_cast<double*>(out), output_reals(key), scale);
  } else {
    switch (key.kind) {
      case FftKind::kR2C:
        FFTUNE_CUFFT_CHECK(
            cufftExecR2C(plan, static_cast<cufftReal*>(src), static_cast<cufftComplex*>(out)));
        break;
      case FftKind::kC2R:
        FFTUNE_CUFFT_CHECK(
            cufftExecC2R(plan, static_cast<cufftComplex*>(src), static_cast<cufftReal*>(out)));
        break;
      case FftKind::kC2C:
        FFTUNE_CUFFT_CHECK(cufftExecC2C(plan, static_cast<cufftComplex*>(src),
                                        static_cast<cufftComplex*>(out), direction));
        break;
    }
    scale_reals(static_cast<float*>(out), output_reals(key), scale);
  }
  device_allocator().free(scratch);  // stream-ordered: later work on the stream reuses it
}

size_t fft_plan_cache_size() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return plans().size();
}

void clear_fft_plan_cache() {
  std::lock_guard<std::mutex> lock(g_mutex);
  for (auto& [key, plan] : plans()) FFTUNE_CUFFT_CHECK(cufftDestroy(plan));
  plans().clear();
}

}  // namespace fftune::cuda
