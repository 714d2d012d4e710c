// max over one dim of a contiguous (outer, size, inner) tensor: values and first-max indices.
//
// inner == 1 (a max along the last dim, or over everything): each block owns one row of `size`
// elements at a time (grid-stride over rows); each thread scans the elements threadIdx.x +
// k·blockDim.x in increasing order, keeping its first maximum; the (value, index) pairs are
// combined across the warp with shuffles and across warps through shared memory, keeping the
// first maximum (the smaller index at a tie). Blocks are 32..256 threads, sized to the row.
// inner > 1: each thread owns one output (o, i) and walks its column j = 0 .. size−1, grid-
// stride over outer·inner in blocks of 256 threads; consecutive threads read consecutive
// columns (consecutive addresses). Both orders give exactly the CPU's answer.
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/max_kernels.h"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

// True when v, seen after `best` in a scan, replaces it: strictly larger (the first maximum
// wins ties) or the first NaN. For integers the NaN tests are always false.
template <typename T>
__device__ __forceinline__ bool beats(T v, T best) {
  return v > best || (v != v && best == best);
}

// A candidate maximum and its position; at < 0: no element seen yet.
template <typename T>
struct MaxAt {
  T value;
  int64_t at;
};

// The first maximum of the union of two candidates' element sets.
template <typename T>
__device__ __forceinline__ MaxAt<T> first_max(MaxAt<T> a, MaxAt<T> b) {
  if (a.at < 0) return b;
  if (b.at < 0) return a;
  const bool a_first = a.at < b.at;
  const MaxAt<T>& first = a_first ? a : b;
  const MaxAt<T>& second = a_first ? b : a;
  return beats(second.value, first.value) ? second : first;
}

template <typename T>
__device__ __forceinline__ MaxAt<T> warp_first_max(MaxAt<T> v) {
  for (int offset = 16; offset > 0; offset >>= 1)
    v = first_max(
        v, {__shfl_xor_sync(kFullWarp, v.value, offset), __shfl_xor_sync(kFullWarp, v.at, offset)});
  return v;
}

template <typename T>
__global__ void max_rows_kernel(T* __restrict__ values, int64_t* __restrict__ indices,
                                const T* __restrict__ x, int64_t rows, int64_t size) {
  FFTUNE_SHARED(T, partial_value, [32]);
  FFTUNE_SHARED(int64_t, partial_at, [32]);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* x_row = x + row * size;
    MaxAt<T> best{T(0), -1};
    for (int64_t j = threadIdx.x; j < size; j += blockDim.x)
      if (best.at < 0 || beats(x_row[j], best.value)) best = {x_row[j], j};
    best = warp_first_max(best);
    __syncthreads();  // the previous row may still be reading the partials
    if (lane == 0) {
      partial_value[warp] = best.value;
      partial_at[warp] = best.at;
    }
    __syncthreads();
    if (lane < static_cast<int>(blockDim.x / 32))
      best = {partial_value[lane], partial_at[lane]};
    else
      best = {T(0), -1};
    best = warp_first_max(best);
    if (threadIdx.x == 0) {
      values[row] = best.value;
      indices[row] = best.at;
    }
  }
}

template <typename T>
__global__ void max_columns_kernel(T* __restrict__ values, int64_t* __restrict__ indices,
                                   const T* __restrict__ x, int64_t outer, int64_t size,
                                   int64_t inner) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < outer * inner; t += step) {
    const int64_t o = t / inner, i = t % inner;
    const T* column = x + o * size * inner + i;
    T best = column[0];
    int64_t at = 0;
    for (int64_t j = 1; j < size; ++j)
      if (beats(column[j * inner], best)) {
        best = column[j * inner];
        at = j;
      }
    values[t] = best;
    indices[t] = at;
  }
}

}  // namespace

template <typename T>
void max_forward(T* values, int64_t* indices, const T* x, int64_t outer, int64_t size,
                 int64_t inner, Stream stream) {
  if (outer * inner == 0 || size == 0) return;
  if (inner == 1)
    FFTUNE_LAUNCH(max_rows_kernel<T>, grid_for(outer, 1), row_threads(size), 0, stream, values,
                  indices, x, outer, size);
  else
    FFTUNE_LAUNCH(max_columns_kernel<T>, grid_for(outer * inner, kThreads), kThreads, 0, stream,
                  values, indices, x, outer, size, inner);
}

template void max_forward<float>(float*, int64_t*, const float*, int64_t, int64_t, int64_t, Stream);
template void max_forward<double>(double*, int64_t*, const double*, int64_t, int64_t, int64_t,
                                  Stream);
template void max_forward<int64_t>(int64_t*, int64_t*, const int64_t*, int64_t, int64_t, int64_t,
                                   Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void max_forward(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
                 int64_t size, int64_t inner) {
  dispatch_real(x.dtype(), "max", [&]<typename T>() {
    max_forward<T>(mut<T>(values), mut<int64_t>(indices), ptr<T>(x), outer, size, inner, stream());
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
