// where(cond, a, b) with NumPy broadcasting through strides: each thread owns one output
// element per grid-stride step and turns its linear index into the four operands' offsets
// through the shape and their strides (0 on broadcast dims). Blocks of 256 threads share
// nothing.
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/tensor_args.h"
#include "ops/cuda/where_kernels.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

template <typename T, typename C>
__global__ void where_forward_kernel(T* __restrict__ out, const C* __restrict__ cond,
                                     const T* __restrict__ a, const T* __restrict__ b,
                                     WhereLayout layout, int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += step) {
    int64_t offset[4] = {0, 0, 0, 0};
    int64_t rest = e;
    for (int d = layout.ndim - 1; d >= 0; --d) {
      const int64_t coordinate = rest % layout.shape[d];
      rest /= layout.shape[d];
      for (int k = 0; k < 4; ++k) offset[k] += coordinate * layout.strides[k][d];
    }
    out[offset[0]] = cond[offset[1]] != C(0) ? a[offset[2]] : b[offset[3]];
  }
}

}  // namespace

template <typename T, typename C>
void where_forward(T* out, const C* cond, const T* a, const T* b, const WhereLayout& layout,
                   Stream stream) {
  int64_t n = 1;
  for (int d = 0; d < layout.ndim; ++d) n *= layout.shape[d];
  if (n == 0) return;
  FFTUNE_LAUNCH((where_forward_kernel<T, C>), grid_for(n, kThreads), kThreads, 0, stream, out, cond,
                a, b, layout, n);
}

template void where_forward<float, float>(float*, const float*, const float*, const float*,
                                          const WhereLayout&, Stream);
template void where_forward<float, double>(float*, const double*, const float*, const float*,
                                           const WhereLayout&, Stream);
template void where_forward<float, int64_t>(float*, const int64_t*, const float*, const float*,
                                            const WhereLayout&, Stream);
template void where_forward<double, float>(double*, const float*, const double*, const double*,
                                           const WhereLayout&, Stream);
template void where_forward<double, double>(double*, const double*, const double*, const double*,
                                            const WhereLayout&, Stream);
template void where_forward<double, int64_t>(double*, const int64_t*, const double*, const double*,
                                             const WhereLayout&, Stream);
template void where_forward<int64_t, float>(int64_t*, const float*, const int64_t*, const int64_t*,
                                            const WhereLayout&, Stream);
template void where_forward<int64_t, double>(int64_t*, const double*, const int64_t*,
                                             const int64_t*, const WhereLayout&, Stream);
template void where_forward<int64_t, int64_t>(int64_t*, const int64_t*, const int64_t*,
                                              const int64_t*, const WhereLayout&, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void where_forward(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  FFTUNE_CHECK(out.dim() <= kMaxDims, "where: at most ", kMaxDims, " dims on CUDA, got ",
               out.dim());
  WhereLayout layout;
  layout.ndim = static_cast<int>(out.dim());
  const Tensor* operands[4] = {&out, &cond, &a, &b};
  for (int k = 0; k < 4; ++k) {
    const Shape strides = broadcast_strides(*operands[k], out.shape());
    for (int d = 0; d < layout.ndim; ++d) layout.strides[k][d] = strides[d];
  }
  for (int d = 0; d < layout.ndim; ++d) layout.shape[d] = out.size(d);
  dispatch_real(cond.dtype(), "where", [&]<typename C>() {
    dispatch_real(out.dtype(), "where", [&]<typename T>() {
      where_forward<T, C>(mut<T>(out), ptr<C>(cond), ptr<T>(a), ptr<T>(b), layout, stream());
    });
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
