// cross_entropy: a fused log-softmax + NLL forward and its backward over (M, C) logits.
//
// Forward: each block owns one row (one sample's C logits) at a time, grid-stride over rows;
// each thread owns the elements threadIdx.x + k·blockDim.x of it. Two reads of the row: the row
// max (block_max), then Σ exp(x − max) and Σ x together (two block_sums, in double as the CPU
// kernel accumulates); thread 0 writes the loss and the saved (max, log Σ exp) pair. A row with
// an ignored target is skipped by the whole block (the branch is uniform across the block).
// Blocks are 32..256 threads, sized to the row.
// Backward: each thread owns one logit's gradient, grid-stride over M·C in blocks of 256 threads;
// it needs only the saved pair of its row, so nothing is shared.
#include <cmath>

#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/loss_kernels.h"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

using std::exp, std::log;

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void cross_entropy_forward_kernel(T* __restrict__ loss, T* __restrict__ row_max,
                                             T* __restrict__ log_sum, const T* __restrict__ logits,
                                             const int64_t* __restrict__ target, int64_t M,
                                             int64_t C, int64_t ignore_index, double smoothing) {
  for (int64_t r = blockIdx.x; r < M; r += gridDim.x) {
    const int64_t t = target[r];
    if (t == ignore_index) {
      if (threadIdx.x == 0) loss[r] = row_max[r] = log_sum[r] = T(0);
      continue;
    }
    const T* x = logits + r * C;
    T m = T(-INFINITY);
    for (int64_t c = threadIdx.x; c < C; c += blockDim.x) m = x[c] > m ? x[c] : m;
    m = block_max(m);
    double s = 0, sum_x = 0;  // Σ exp(x − max) and Σ x
    for (int64_t c = threadIdx.x; c < C; c += blockDim.x) {
      s += static_cast<double>(exp(x[c] - m));
      sum_x += static_cast<double>(x[c]);
    }
    s = block_sum(s);
    sum_x = block_sum(sum_x);
    if (threadIdx.x == 0) {
      const double lse = static_cast<double>(m) + log(s);
      const double nll = lse - static_cast<double>(x[t]);
      const double smooth = lse - sum_x / static_cast<double>(C);  // mean_c −log p_c
      loss[r] = static_cast<T>((1.0 - smoothing) * nll + smoothing * smooth);
      row_max[r] = m;
      log_sum[r] = static_cast<T>(log(s));
    }
  }
}

template <typename T>
__global__ void cross_entropy_backward_kernel(T* __restrict__ dlogits, const T* __restrict__ grad,
                                              int64_t grad_stride, double scale,
                                              const T* __restrict__ logits,
                                              const T* __restrict__ row_max,
                                              const T* __restrict__ log_sum,
                                              const int64_t* __restrict__ target, int64_t M,
                                              int64_t C, int64_t ignore_index, double smoothing) {
  const T off = static_cast<T>(smoothing / static_cast<double>(C));  // ε/C, every class
  const T hit = static_cast<T>(1.0 - smoothing);                     // 1 − ε, the target class
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < M * C; e += step) {
    const int64_t r = e / C, c = e % C;
    const int64_t t = target[r];
    if (t == ignore_index) {
      dlogits[e] = T(0);
      continue;
    }
    const T g = static_cast<T>(static_cast<double>(grad[r * grad_stride]) * scale);
    T d = g * (exp((logits[e] - row_max[r]) - log_sum[r]) - off);
    if (c == t) d -= g * hit;
    dlogits[e] = d;
  }
}

}  // namespace

template <typename T>
void cross_entropy_forward(T* loss, T* row_max, T* log_sum, const T* logits, const int64_t* target,
                           int64_t M, int64_t C, int64_t ignore_index, double smoothing,
                           Stream stream) {
  if (M == 0) return;
  FFTUNE_LAUNCH(cross_entropy_forward_kernel<T>, grid_for(M, 1), row_threads(C), 0, stream, loss,
                row_max, log_sum, logits, target, M, C, ignore_index, smoothing);
}

template <typename T>
void cross_entropy_backward(T* dlogits, const T* grad, int64_t grad_stride, double scale,
                            const T* logits, const T* row_max, const T* log_sum,
                            const int64_t* target, int64_t M, int64_t C, int64_t ignore_index,
                            double smoothing, Stream stream) {
  if (M * C == 0) return;
  FFTUNE_LAUNCH(cross_entropy_backward_kernel<T>, grid_for(M * C, kThreads), kThreads, 0, stream,
                dlogits, grad, grad_stride, scale, logits, row_max, log_sum, target, M, C,
                ignore_index, smoothing);
}

template void cross_entropy_forward<float>(float*, float*, float*, const float*, const int64_t*,
                                           int64_t, int64_t, int64_t, double, Stream);
template void cross_entropy_forward<double>(double*, double*, double*, const double*,
                                            const int64_t*, int64_t, int64_t, int64_t, double,
                                            Stream);
template void cross_entropy_backward<float>(float*, const float*, int64_t, double, const float*,
                                            const float*, const float*, const int64_t*, int64_t,
                                            int64_t, int64_t, double, Stream);
template void cross_entropy_backward<double>(double*, const double*, int64_t, double, const double*,
                                             const double*, const double*, const int64_t*, int64_t,
                                             int64_t, int64_t, double, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void cross_entropy_forward(const Tensor& loss, const Tensor& row_max, const Tensor& log_sum,
                           const Tensor& logits, const Tensor& target, int64_t ignore_index,
                           double smoothing) {
  dispatch_float(logits.dtype(), "cross_entropy", [&]<typename T>() {
    cross_entropy_forward<T>(mut<T>(loss), mut<T>(row_max), mut<T>(log_sum), ptr<T>(logits),
                             ptr<int64_t>(target), logits.size(0), logits.size(1), ignore_index,
                             smoothing, stream());
  });
}

void cross_entropy_backward(const Tensor& dlogits, const Tensor& grad, int64_t grad_stride,
                            double scale, const Tensor& logits, const Tensor& row_max,
                            const Tensor& log_sum, const Tensor& target, int64_t ignore_index,
                            double smoothing) {
  dispatch_float(logits.dtype(), "cross_entropy backward", [&]<typename T>() {
    cross_entropy_backward<T>(mut<T>(dlogits), ptr<T>(grad), grad_stride, scale, ptr<T>(logits),
                              ptr<T>(row_max), ptr<T>(log_sum), ptr<int64_t>(target),
                              logits.size(0), logits.size(1), ignore_index, smoothing, stream());
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
