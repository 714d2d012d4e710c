// The one way kernels are launched (DESIGN.md §5.3): FFTUNE_LAUNCH(kernel, grid, block,
// shared_bytes, stream, args...). Compiled by nvcc it is kernel<<<grid, block, shared_bytes,
// stream>>>(args...) followed by a launch-error check naming the kernel, file and line; compiled
// as plain C++ it runs the grid on the CPU emulator (ops/cuda/emu). Kernel sources include this
// header (it brings in the CUDA surface of either build) and never write <<<>>> themselves.
//
// A kernel template is named in parentheses, so that its commas stay out of the macro's
// argument list: FFTUNE_LAUNCH((softmax_forward_kernel<float, 256>), grid, block, 0, s, ...).
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

#include "ops/cuda/stream.h"

#if defined(__CUDACC__)
#include <cuda_runtime.h>

#include "ops/cuda/check.h"
#define FFTUNE_SHARED(type, name, dims) __shared__ type name dims
#define FFTUNE_DYNAMIC_SHARED(type, name)                                 \
  extern __shared__ __align__(16) unsigned char fftune_dynamic_shared_[]; \
  type* name = reinterpret_cast<type*>(fftune_dynamic_shared_)
#else
#include "ops/cuda/emu/emu.h"
#endif

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

struct LaunchSite {
  const char* kernel;
  const char* file;
  int line;
};

template <typename... Params, typename... Args>
void launch(const LaunchSite& site, void (*kernel)(Params...), dim3 grid, dim3 block,
            size_t shared_bytes, Stream stream, Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "launch: wrong number of kernel arguments");
#if defined(__CUDACC__)
  kernel<<<grid, block, shared_bytes, stream>>>(std::forward<Args>(args)...);
  check_launch(site.kernel, site.file, site.line);
#else
  (void)stream;  // the emulator runs every launch to completion, in order
  std::tuple<Params...> params(std::forward<Args>(args)...);
  auto run_one_thread = [&] { std::apply(kernel, params); };
  using Body = decltype(run_one_thread);
  emu::run_grid(
      {site.kernel, site.file, site.line}, grid, block, shared_bytes,
      [](void* body) { (*static_cast<Body*>(body))(); }, &run_one_thread);
#endif
}

// Blocks of `threads` threads covering n work items, one item per thread.
inline unsigned blocks_for(long long n, unsigned threads) {
  return static_cast<unsigned>((n + threads - 1) / threads);
}

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

#define FFTUNE_LAUNCH(kernel, grid, block, shared_bytes, stream, ...)                      \
  ::fftune::cuda::launch({#kernel, __FILE__, __LINE__}, kernel, grid, block, shared_bytes, \
                         stream __VA_OPT__(, ) __VA_ARGS__)
