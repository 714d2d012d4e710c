// Checks for CUDA runtime calls (nvcc builds only): every call is wrapped, and a failure throws
// fftune::Error naming the call, the file and the line (DESIGN.md §7).
#pragma once

#if !defined(__CUDACC__) && !defined(FFTUNE_CUDA_HOST_CODE)
#error "ops/cuda/check.h needs the CUDA runtime: include it from .cu files only"
#endif

#include <cuda_runtime.h>

#include "core/error.h"

namespace fftune::cuda {

inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess)
    FFTUNE_FAIL("CUDA error: ", call, " failed at ", file, ":", line, ": ",
                cudaGetErrorName(status), " (", cudaGetErrorString(status), ")");
}

// After a launch: the launch itself (configuration, resources) is checked at once; errors of
// the running kernel surface at the next synchronising call, which is checked too.
inline void check_launch(const char* kernel, const char* file, int line) {
  const cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess)
    FFTUNE_FAIL("CUDA error: launch of ", kernel, " failed at ", file, ":", line, ": ",
                cudaGetErrorName(status), " (", cudaGetErrorString(status), ")");
}

}  // namespace fftune::cuda

// FFTUNE_CUDA_CHECK(cudaMemcpyAsync(...)) throws fftune::Error if the call fails.
#define FFTUNE_CUDA_CHECK(call) ::fftune::cuda::check_cuda((call), #call, __FILE__, __LINE__)
