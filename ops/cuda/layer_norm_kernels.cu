// layer_norm forward and backward over contiguous (BT, C) rows.
//
// Forward and the dx backward: each block owns one row at a time (grid-stride over rows); each
// thread owns the elements threadIdx.x + k·blockDim.x of it. The forward accumulates Welford
// statistics (count, mean, M2) per thread, merges them across the warp with shuffles and across
// warps through shared memory (Chan's formula), then writes y; thread 0 writes mean and rstd.
// The dx backward does two block sums (Σĝ, Σĝ·x̂) and writes dx.
// dweight / dbias: each block owns 32 columns; its 32 × 8 threads walk the rows with stride 8
// (threadIdx.x picks the column: consecutive threads read consecutive addresses), and the 8
// partial sums per column are added through shared memory.
#include <cmath>

#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/layer_norm_kernels.h"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

using std::sqrt;

template <typename T>
struct Welford {
  T count;
  T mean;
  T m2;  // Σ (x − mean)²
};

// Chan et al.: the statistics of the union of two disjoint sets.
template <typename T>
__device__ __forceinline__ Welford<T> merge(Welford<T> a, Welford<T> b) {
  const T count = a.count + b.count;
  if (count == T(0)) return a;
  const T delta = b.mean - a.mean;
  const T fb = b.count / count;
  return {count, a.mean + delta * fb, a.m2 + b.m2 + delta * delta * a.count * fb};
}

template <typename T>
__device__ __forceinline__ Welford<T> warp_merge(Welford<T> v) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v = merge(
        v, {__shfl_xor_sync(kFullWarp, v.count, offset), __shfl_xor_sync(kFullWarp, v.mean, offset),
            __shfl_xor_sync(kFullWarp, v.m2, offset)});
  return v;
}

template <typename T>
__device__ __forceinline__ Welford<T> block_merge(Welford<T> v) {
  FFTUNE_SHARED(T, partial, [3][32]);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  v = warp_merge(v);
  __syncthreads();  // the previous row may still be reading the partials
  if (lane == 0) {
    partial[0][warp] = v.count;
    partial[1][warp] = v.mean;
    partial[2][warp] = v.m2;
  }
  __syncthreads();
  if (lane < static_cast<int>(blockDim.x / 32))
    v = {partial[0][lane], partial[1][lane], partial[2][lane]};
  else
    v = {T(0), T(0), T(0)};
  return warp_merge(v);
}

template <typename T>
__global__ void layer_norm_forward_kernel(T* __restrict__ y, T* __restrict__ mean,
                                          T* __restrict__ rstd, const T* __restrict__ x,
                                          const T* __restrict__ weight, const T* __restrict__ bias,
                                          int64_t BT, int64_t C, T eps) {
  for (int64_t row = blockIdx.x; row < BT; row += gridDim.x) {
    const T* x_row = x + row * C;
    Welford<T> stats{T(0), T(0), T(0)};
    for (int64_t i = threadIdx.x; i < C; i += blockDim.x) {
      const T v = x_row[i];
      stats.count += T(1);
      const T delta = v - stats.mean;
      stats.mean += delta / stats.count;
      stats.m2 += delta * (v - stats.mean);
    }
    stats = block_merge(stats);
    const T r = T(1) / sqrt(stats.m2 / T(C) + eps);
    if (threadIdx.x == 0) {
      mean[row] = stats.mean;
      rstd[row] = r;
    }
    T* y_row = y + row * C;
    for (int64_t i = threadIdx.x; i < C; i += blockDim.x) {
      const T w = weight ? weight[i] : T(1), b = bias ? bias[i] : T(0);
      y_row[i] = (x_row[i] - stats.mean) * r * w + b;
    }
  }
}

template <typename T>
__global__ void layer_norm_backward_dx_kernel(T* __restrict__ dx, const T* __restrict__ g,
                                              const T* __restrict__ x, const T* __restrict__ mean,
                                              const T* __restrict__ rstd,
                                              const T* __restrict__ weight, int64_t BT, int64_t C) {
  for (int64_t row = blockIdx.x; row < BT; row += gridDim.x) {
    const T* g_row = g + row * C;
    const T* x_row = x + row * C;
    const T mu = mean[row], r = rstd[row];
    T sum_g = 0, sum_gx = 0;  // Σ ĝ and Σ ĝ·x̂ over the row
    for (int64_t i = threadIdx.x; i < C; i += blockDim.x) {
      const T gh = g_row[i] * (weight ? weight[i] : T(1));
      sum_g += gh;
      sum_gx += gh * (x_row[i] - mu) * r;
    }
    sum_g = block_sum(sum_g) / T(C);
    sum_gx = block_sum(sum_gx) / T(C);
    T* dx_row = dx + row * C;
    for (int64_t i = threadIdx.x; i < C; i += blockDim.x) {
      const T gh = g_row[i] * (weight ? weight[i] : T(1));
      dx_row[i] = r * (gh - sum_g - (x_row[i] - mu) * r * sum_gx);
    }
  }
}

constexpr unsigned kColumnTile = 32, kRowLanes = 8;

template <typename T>
__global__ void layer_norm_backward_params_kernel(T* __restrict__ dweight, T* __restrict__ dbias,
                                                  const T* __restrict__ g, const T* __restrict__ x,
                                                  const T* __restrict__ mean,
                                                  const T* __restrict__ rstd, int64_t BT,
                                                  int64_t C) {
  FFTUNE_SHARED(T, partial_w, [kRowLanes][kColumnTile]);
  FFTUNE_SHARED(T, partial_b, [kRowLanes][kColumnTile]);
  const int64_t col = int64_t(blockIdx.x) * kColumnTile + threadIdx.x;
  T acc_w = 0, acc_b = 0;
  if (col < C) {
    for (int64_t row = threadIdx.y; row < BT; row += kRowLanes) {
      const T gv = g[row * C + col];
      acc_w += gv * (x[row * C + col] - mean[row]) * rstd[row];
      acc_b += gv;
    }
  }
  partial_w[threadIdx.y][threadIdx.x] = acc_w;
  partial_b[threadIdx.y][threadIdx.x] = acc_b;
  __syncthreads();
  if (threadIdx.y == 0 && col < C) {
    for (unsigned k = 1; k < kRowLanes; ++k) {
      acc_w += partial_w[k][threadIdx.x];
      acc_b += partial_b[k][threadIdx.x];
    }
    if (dweight) dweight[col] = acc_w;
    if (dbias) dbias[col] = acc_b;
  }
}

}  // namespace

template <typename T>
void layer_norm_forward(T* y, T* mean, T* rstd, const T* x, const T* weight, const T* bias,
                        int64_t BT, int64_t C, double eps, Stream stream) {
  if (BT == 0 || C == 0) return;
  FFTUNE_LAUNCH(layer_norm_forward_kernel<T>, grid_for(BT, 1), row_threads(C), 0, stream, y, mean,
                rstd, x, weight, bias, BT, C, static_cast<T>(eps));
}

template <typename T>
void layer_norm_backward(T* dx, T* dweight, T* dbias, const T* g, const T* x, const T* mean,
                         const T* rstd, const T* weight, int64_t BT, int64_t C, Stream stream) {
  if (BT == 0 || C == 0) return;
  if (dx)
    FFTUNE_LAUNCH(layer_norm_backward_dx_kernel<T>, grid_for(BT, 1), row_threads(C), 0, stream, dx,
                  g, x, mean, rstd, weight, BT, C);
  if (dweight || dbias)
    FFTUNE_LAUNCH(layer_norm_backward_params_kernel<T>,
                  static_cast<unsigned>((C + kColumnTile - 1) / kColumnTile),
                  dim3(kColumnTile, kRowLanes), 0, stream, dweight, dbias, g, x, mean, rstd, BT, C);
}

template void layer_norm_forward<float>(float*, float*, float*, const float*, const float*,
                                        const float*, int64_t, int64_t, double, Stream);
template void layer_norm_forward<double>(double*, double*, double*, const double*, const double*,
                                         const double*, int64_t, int64_t, double, Stream);
template void layer_norm_backward<float>(float*, float*, float*, const float*, const float*,
                                         const float*, const float*, const float*, int64_t, int64_t,
                                         Stream);
template void layer_norm_backward<double>(double*, double*, double*, const double*, const double*,
                                          const double*, const double*, const double*, int64_t,
                                          int64_t, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void layer_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t BT, int64_t C,
                        double eps) {
  dispatch_float(x.dtype(), "layer_norm", [&]<typename T>() {
    layer_norm_forward<T>(mut<T>(y), mut<T>(mean), mut<T>(rstd), ptr<T>(x), ptr<T>(weight),
                          ptr<T>(bias), BT, C, eps, stream());
  });
}

void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias,
                         const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t BT, int64_t C) {
  dispatch_float(x.dtype(), "layer_norm backward", [&]<typename T>() {
    layer_norm_backward<T>(mut<T>(dx), mut<T>(dweight), mut<T>(dbias), ptr<T>(g), ptr<T>(x),
                           ptr<T>(mean), ptr<T>(rstd), ptr<T>(weight), BT, C, stream());
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
