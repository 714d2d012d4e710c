// clamp's CUDA kernels: each thread owns one output element per grid-stride step and turns its
// linear index into per-operand offsets through the layout (ops/cuda/strided.cuh). Blocks of
// 256 threads share nothing. The per-element expressions are cpu::clamp_forward's and
// cpu::clamp_backward's.
#include "ops/cuda/clamp_kernels.h"
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/strided.cuh"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void clamp_forward_kernel(T* __restrict__ y, const T* __restrict__ x,
                                     StridedLayout layout, int64_t n, T lo, T hi) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[2];
    strided_offsets<2>(layout, i, offset);
    const T v = x[offset[1]];
    const T r = v < lo ? lo : v;  // NaN x or a NaN (missing) bound: unchanged
    y[offset[0]] = r > hi ? hi : r;
  }
}

template <typename T>
__global__ void clamp_backward_kernel(T* __restrict__ dx, const T* __restrict__ g,
                                      const T* __restrict__ x, StridedLayout layout, int64_t n,
                                      T lo, T hi) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[3];
    strided_offsets<3>(layout, i, offset);
    const T v = x[offset[2]];
    const bool inside = (v > lo || lo != lo) && (v < hi || hi != hi);  // lo != lo: missing
    dx[offset[0]] = inside ? g[offset[1]] : T(0);
  }
}

}  // namespace

template <typename T>
void clamp_forward(T* y, const T* x, const StridedLayout& layout, T lo, T hi, Stream stream) {
  const int64_t n = numel(layout);
  if (n == 0) return;
  FFTUNE_LAUNCH((clamp_forward_kernel<T>), grid_for(n, kThreads), kThreads, 0, stream, y, x, layout,
                n, lo, hi);
}

template <typename T>
void clamp_backward(T* dx, const T* g, const T* x, const StridedLayout& layout, T lo, T hi,
                    Stream stream) {
  const int64_t n = numel(layout);
  if (n == 0) return;
  FFTUNE_LAUNCH((clamp_backward_kernel<T>), grid_for(n, kThreads), kThreads, 0, stream, dx, g, x,
                layout, n, lo, hi);
}

template void clamp_forward<float>(float*, const float*, const StridedLayout&, float, float,
                                   Stream);
template void clamp_forward<double>(double*, const double*, const StridedLayout&, double, double,
                                    Stream);
template void clamp_backward<float>(float*, const float*, const float*, const StridedLayout&, float,
                                    float, Stream);
template void clamp_backward<double>(double*, const double*, const double*, const StridedLayout&,
                                     double, double, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void clamp_forward(const Tensor& y, const Tensor& x, double lo, double hi) {
  dispatch_float(x.dtype(), "clamp", [&]<typename T>() {
    clamp_forward<T>(mut<T>(y), ptr<T>(x), strided_layout(y, {x}), static_cast<T>(lo),
                     static_cast<T>(hi), stream());
  });
}

void clamp_backward(const Tensor& dx, const Tensor& g, const Tensor& x, double lo, double hi) {
  dispatch_float(x.dtype(), "clamp backward", [&]<typename T>() {
    clamp_backward<T>(mut<T>(dx), ptr<T>(g), ptr<T>(x), strided_layout(dx, {g, x}),
                      static_cast<T>(lo), static_cast<T>(hi), stream());
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
