// The in-place add_ and the fused optimizer updates.
//
// add_scaled_inplace: each thread owns one element of x per grid-stride step and turns its
// linear index into the offsets of x and y through the shape and the strides (0 on broadcast
// dims of y); blocks of 256 threads share nothing.
// adamw_step / sgd_step: Note [multi-tensor apply] (optim_kernels.h). Each block owns one chunk
// of one tensor at a time (grid-stride over the chunk table); its 256 threads take the chunk's
// elements begin + threadIdx.x + k·256, so consecutive threads touch consecutive addresses.
// The per-element formulas repeat the CPU kernels' operation by operation.
#include <cmath>

#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/optim_kernels.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

using std::sqrt;

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void add_scaled_inplace_kernel(T* x, const T* y, StridedLayout layout, int64_t n,
                                          T alpha) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += step) {
    int64_t x_offset = 0, y_offset = 0, rest = e;
    for (int d = layout.ndim - 1; d >= 0; --d) {
      const int64_t coordinate = rest % layout.shape[d];
      rest /= layout.shape[d];
      x_offset += coordinate * layout.strides[0][d];
      y_offset += coordinate * layout.strides[1][d];
    }
    x[x_offset] = x[x_offset] + alpha * y[y_offset];
  }
}

template <typename T>
__global__ void adamw_step_kernel(const AdamWTensor<T>* __restrict__ tensors,
                                  const TensorChunk* __restrict__ chunks, int64_t num_chunks) {
  for (int64_t c = blockIdx.x; c < num_chunks; c += gridDim.x) {
    const AdamWTensor<T> s = tensors[chunks[c].tensor];
    const int64_t begin = chunks[c].begin;
    const int64_t end = begin + kChunkSize < s.numel ? begin + kChunkSize : s.numel;
    for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
      T p = s.param[i];
      if (s.decays) p = p * s.decay;  // p ← p·(1 − lr·wd)
      const T g = s.grad[i];
      const T m = s.exp_avg[i] + s.one_minus_beta1 * (g - s.exp_avg[i]);  // lerp(m, g, 1 − β1)
      const T v = s.exp_avg_sq[i] * s.beta2 + s.one_minus_beta2 * g * g;  // β2·v + (1 − β2)·g²
      const T denom = sqrt(v) / s.bias_correction2_sqrt + s.eps;
      s.param[i] = p + s.neg_step_size * m / denom;
      s.exp_avg[i] = m;
      s.exp_avg_sq[i] = v;
    }
  }
}

template <typename T>
__global__ void sgd_step_kernel(const SGDTensor<T>* __restrict__ tensors,
                                const TensorChunk* __restrict__ chunks, int64_t num_chunks) {
  for (int64_t c = blockIdx.x; c < num_chunks; c += gridDim.x) {
    const SGDTensor<T> s = tensors[chunks[c].tensor];
    const int64_t begin = chunks[c].begin;
    const int64_t end = begin + kChunkSize < s.numel ? begin + kChunkSize : s.numel;
    for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
      T d = s.grad[i];
      if (s.decays) d = d + s.weight_decay * s.param[i];  // L2: g ← g + wd·p
      if (s.momentum_buffer) {
        // b ← g on the first step, else b ← μ·b + (1 − dampening)·g
        const T b =
            s.first_step ? d : s.momentum_buffer[i] * s.momentum + s.one_minus_dampening * d;
        s.momentum_buffer[i] = b;
        d = s.nesterov ? d + s.momentum * b : b;
      }
      s.param[i] = s.param[i] + s.neg_lr * d;
    }
  }
}

}  // namespace

template <typename T>
void add_scaled_inplace(T* x, const T* y, const StridedLayout& layout, T alpha, Stream stream) {
  int64_t n = 1;
  for (int d = 0; d < layout.ndim; ++d) n *= layout.shape[d];
  if (n == 0) return;
  FFTUNE_LAUNCH(add_scaled_inplace_kernel<T>, grid_for(n, kThreads), kThreads, 0, stream, x, y,
                layout, n, alpha);
}

template <typename T>
void adamw_step(const AdamWTensor<T>* tensors, const TensorChunk* chunks, int64_t num_chunks,
                Stream stream) {
  if (num_chunks == 0) return;
  FFTUNE_LAUNCH(adamw_step_kernel<T>, grid_for(num_chunks, 1), kThreads, 0, stream, tensors, chunks,
                num_chunks);
}

template <typename T>
void sgd_step(const SGDTensor<T>* tensors, const TensorChunk* chunks, int64_t num_chunks,
              Stream stream) {
  if (num_chunks == 0) return;
  FFTUNE_LAUNCH(sgd_step_kernel<T>, grid_for(num_chunks, 1), kThreads, 0, stream, tensors, chunks,
                num_chunks);
}

template void add_scaled_inplace<float>(float*, const float*, const StridedLayout&, float, Stream);
template void add_scaled_inplace<double>(double*, const double*, const StridedLayout&, double,
                                         Stream);
template void add_scaled_inplace<int64_t>(int64_t*, const int64_t*, const StridedLayout&, int64_t,
                                          Stream);
template void adamw_step<float>(const AdamWTensor<float>*, const TensorChunk*, int64_t, Stream);
template void adamw_step<double>(const AdamWTensor<double>*, const TensorChunk*, int64_t, Stream);
template void sgd_step<float>(const SGDTensor<float>*, const TensorChunk*, int64_t, Stream);
template void sgd_step<double>(const SGDTensor<double>*, const TensorChunk*, int64_t, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
