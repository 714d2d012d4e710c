// Softmax and log_softmax over the last dim of a contiguous (rows, n) buffer.
//
// Each block owns one row at a time (grid-stride over rows); each thread owns the elements
// threadIdx.x, threadIdx.x + blockDim.x, ... of it. Forward, in one read of the row: every
// thread keeps an online (max m, Σ exp(x − m)) pair, rescaling its sum when the max grows; the
// pairs are combined across the warp with shuffles and across warps through shared memory;
// then each thread writes its elements. Backward: one block sum per row, then the write.
// Blocks are 32..256 threads (a multiple of 32), sized to the row.
#include <cmath>

#include "core/tensor/factory.h"
#include "ops/cuda/complex_kernels.h"
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/softmax_kernels.h"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

using std::exp, std::log;

// The running max and sum of exponentials of a set of values.
template <typename T>
struct MaxSum {
  T max;
  T sum;  // Σ exp(x − max)
};

template <typename T>
__device__ __forceinline__ MaxSum<T> combine(MaxSum<T> a, MaxSum<T> b) {
  const T m = a.max > b.max ? a.max : b.max;
  if (m == -INFINITY) return {m, T(0)};  // both empty
  return {m, a.sum * exp(a.max - m) + b.sum * exp(b.max - m)};
}

// Combines the pairs of a whole block (size a multiple of 32); every thread gets the result.
template <typename T>
__device__ __forceinline__ MaxSum<T> block_max_sum(MaxSum<T> v) {
  FFTUNE_SHARED(T, partial_max, [32]);
  FFTUNE_SHARED(T, partial_sum, [32]);
  for (int offset = 16; offset > 0; offset >>= 1)
    v = combine(
        v, {__shfl_xor_sync(kFullWarp, v.max, offset), __shfl_xor_sync(kFullWarp, v.sum, offset)});
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  __syncthreads();  // the previous row may still be reading the partials
  if (lane == 0) {
    partial_max[warp] = v.max;
    partial_sum[warp] = v.sum;
  }
  __syncthreads();
  const bool has = lane < static_cast<int>(blockDim.x / 32);
  v = {has ? partial_max[lane] : T(-INFINITY), has ? partial_sum[lane] : T(0)};
  for (int offset = 16; offset > 0; offset >>= 1)
    v = combine(
        v, {__shfl_xor_sync(kFullWarp, v.max, offset), __shfl_xor_sync(kFullWarp, v.sum, offset)});
  return v;
}

template <typename T, bool kLog>
__global__ void softmax_forward_kernel(T* __restrict__ y, const T* __restrict__ x, int64_t rows,
                                       int64_t n) {
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* x_row = x + row * n;
    T* y_row = y + row * n;
    MaxSum<T> stats{T(-INFINITY), T(0)};
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      const T v = x_row[i];
      if (v > stats.max) {
        stats.sum = stats.sum * exp(stats.max - v) + T(1);
        stats.max = v;
      } else if (v != T(-INFINITY)) {  // -inf (a masked logit) adds exp(-inf) = 0
        stats.sum += exp(v - stats.max);
      }
    }
    stats = block_max_sum(stats);
    if constexpr (kLog) {
      const T shift = stats.max + log(stats.sum);
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) y_row[i] = x_row[i] - shift;
    } else {
      const T inv = T(1) / stats.sum;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        y_row[i] = exp(x_row[i] - stats.max) * inv;
    }
  }
}

template <typename T, bool kLog>
__global__ void softmax_backward_kernel(T* __restrict__ dx, const T* __restrict__ g,
                                        const T* __restrict__ y, int64_t rows, int64_t n) {
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* g_row = g + row * n;
    const T* y_row = y + row * n;
    T* dx_row = dx + row * n;
    T acc = 0;  // Σ g·y (softmax) or Σ g (log_softmax)
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
      acc += kLog ? g_row[i] : g_row[i] * y_row[i];
    acc = block_sum(acc);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
      dx_row[i] = kLog ? g_row[i] - exp(y_row[i]) * acc : y_row[i] * (g_row[i] - acc);
  }
}

}  // namespace

template <typename T>
void softmax_forward(T* y, const T* x, int64_t rows, int64_t n, bool log, Stream stream) {
  if (rows == 0 || n == 0) return;
  if (log)
    FFTUNE_LAUNCH((softmax_forward_kernel<T, true>), grid_for(rows, 1), row_threads(n), 0, stream,
                  y, x, rows, n);
  else
    FFTUNE_LAUNCH((softmax_forward_kernel<T, false>), grid_for(rows, 1), row_threads(n), 0, stream,
                  y, x, rows, n);
}

template <typename T>
void softmax_backward(T* dx, const T* g, const T* y, int64_t rows, int64_t n, bool log,
                      Stream stream) {
  if (rows == 0 || n == 0) return;
  if (log)
    FFTUNE_LAUNCH((softmax_backward_kernel<T, true>), grid_for(rows, 1), row_threads(n), 0, stream,
                  dx, g, y, rows, n);
  else
    FFTUNE_LAUNCH((softmax_backward_kernel<T, false>), grid_for(rows, 1), row_threads(n), 0, stream,
                  dx, g, y, rows, n);
}

template void softmax_forward<float>(float*, const float*, int64_t, int64_t, bool, Stream);
template void softmax_forward<double>(double*, const double*, int64_t, int64_t, bool, Stream);
template void softmax_backward<float>(float*, const float*, const float*, int64_t, int64_t, bool,
                                      Stream);
template void softmax_backward<double>(double*, const double*, const double*, int64_t, int64_t,
                                       bool, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

namespace {

// (outer, n, inner) contiguous -> (outer, inner, n), so that the reduced dim is last.
Tensor move_middle_last(const Tensor& x, int64_t outer, int64_t n, int64_t inner) {
  return x.reshape({outer, n, inner}).transpose(1, 2).contiguous();
}

}  // namespace

void softmax_forward(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  if (inner == 1) {
    dispatch_float(x.dtype(), op, [&]<typename T>() {
      softmax_forward<T>(mut<T>(y), ptr<T>(x), outer, n, log, stream());
    });
    return;
  }
  const Tensor xt = move_middle_last(x, outer, n, inner);
  const Tensor yt = empty(xt.shape(), xt.dtype(), xt.device());
  softmax_forward(yt, xt, outer * inner, n, 1, log);
  copy(y.reshape({outer, n, inner}), yt.transpose(1, 2));
}

void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t outer, int64_t n,
                      int64_t inner, bool log) {
  const char* op = log ? "log_softmax backward" : "softmax backward";
  if (inner == 1) {
    const Tensor gc = g.contiguous(), yc = y.contiguous();
    dispatch_float(g.dtype(), op, [&]<typename T>() {
      softmax_backward<T>(mut<T>(dx), ptr<T>(gc), ptr<T>(yc), outer, n, log, stream());
    });
    return;
  }
  const Tensor gt = move_middle_last(g.contiguous(), outer, n, inner);
  const Tensor yt = move_middle_last(y.contiguous(), outer, n, inner);
  const Tensor dt = empty(gt.shape(), gt.dtype(), gt.device());
  softmax_backward(dt, gt, yt, outer * inner, n, 1, log);
  copy(dx.reshape({outer, n, inner}), dt.transpose(1, 2));
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
