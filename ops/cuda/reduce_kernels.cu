// Sum over the last dim. Each block owns one row at a time (grid-stride over rows): its threads
// read the row in a strided pattern (consecutive threads, consecutive elements), each keeps a
// double partial sum, and the block combines them with warp shuffles and one shared value per
// warp (block_sum). Blocks are as wide as the row needs, up to 256 threads, a multiple of 32.
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/reduce_kernels.h"
#include "ops/cuda/tensor_args.h"
#include "ops/ops.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

template <typename T>
__global__ void sum_rows_kernel(T* __restrict__ out, const T* __restrict__ x, int64_t outer,
                                int64_t inner) {
  for (int64_t row = blockIdx.x; row < outer; row += gridDim.x) {
    const T* x_row = x + row * inner;
    double acc = 0;
    for (int64_t i = threadIdx.x; i < inner; i += blockDim.x) acc += static_cast<double>(x_row[i]);
    acc = block_sum(acc);
    if (threadIdx.x == 0) out[row] = static_cast<T>(acc);
  }
}

}  // namespace

template <typename T>
void sum_rows(T* out, const T* x, int64_t outer, int64_t inner, Stream stream) {
  if (outer == 0) return;
  FFTUNE_LAUNCH(sum_rows_kernel<T>, grid_for(outer, 1), row_threads(inner), 0, stream, out, x,
                outer, inner);
}

template void sum_rows<float>(float*, const float*, int64_t, int64_t, Stream);
template void sum_rows<double>(double*, const double*, int64_t, int64_t, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void sum_rows(const Tensor& out, const Tensor& x, int64_t outer, int64_t inner) {
  if (is_complex(x.dtype())) {  // the real and the imaginary parts, summed as 2·outer real rows
    NoGradGuard no_grad;
    const Tensor parts = view_as_real(x).reshape({outer, inner, 2}).transpose(1, 2).contiguous();
    return sum_rows(view_as_real(out).reshape({2 * outer}), parts, 2 * outer, inner);
  }
  dispatch_float(x.dtype(), "sum", [&]<typename T>() {
    sum_rows<T>(mut<T>(out), ptr<T>(x), outer, inner, stream());
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
