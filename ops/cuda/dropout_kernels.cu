// Dropout. Each thread owns one group of four elements per grid-stride step: one Philox call
// gives the four words that decide elements 4g … 4g+3 (Note [dropout mask] in
// ops/dropout_math.h). No state is shared, so the mask does not depend on the launch shape and
// matches the CPU's. Blocks of 256 threads share nothing.
#include "ops/cuda/dropout_kernels.h"
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/tensor_args.h"
#include "ops/dropout_math.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void dropout_kernel(T* __restrict__ out, const T* __restrict__ in, int64_t n, float p,
                               T scale, uint64_t seed, uint64_t stream_id) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  const int64_t groups = (n + 3) / 4;
  for (int64_t g = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; g < groups; g += step) {
    const Philox4x32 r = philox4x32(seed, stream_id, static_cast<uint64_t>(g));
    for (int w = 0; w < 4 && 4 * g + w < n; ++w)
      out[4 * g + w] = dropout_keep_word(r, w, p) ? in[4 * g + w] * scale : T(0);
  }
}

}  // namespace

template <typename T>
void dropout_apply(T* out, const T* in, int64_t n, float p, T scale, uint64_t seed,
                   uint64_t stream_id, Stream stream) {
  if (n == 0) return;
  FFTUNE_LAUNCH(dropout_kernel<T>, grid_for((n + 3) / 4, kThreads), kThreads, 0, stream, out, in, n,
                p, scale, seed, stream_id);
}

template void dropout_apply<float>(float*, const float*, int64_t, float, float, uint64_t, uint64_t,
                                   Stream);
template void dropout_apply<double>(double*, const double*, int64_t, float, double, uint64_t,
                                    uint64_t, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void dropout_apply(const Tensor& out, const Tensor& in, float p, double scale, uint64_t seed,
                   uint64_t stream_id) {
  dispatch_float(in.dtype(), "dropout", [&]<typename T>() {
    dropout_apply<T>(mut<T>(out), ptr<T>(in), in.numel(), p, static_cast<T>(scale), seed, stream_id,
                     stream());
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
