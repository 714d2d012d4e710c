// Device helpers shared by the kernel sources: aligned vectors for 16-byte loads, grid sizing,
// and warp / block sums built on shuffles. Include after ops/cuda/launch.h.
#pragma once

#include <cstdint>

#include "ops/cuda/launch.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

constexpr unsigned kFullWarp = 0xffffffffu;

// N consecutive elements loaded or stored as one aligned access (16 bytes for float × 4 and
// double × 2); the compiler turns a copy of it into a single vector instruction.
template <typename T, int N>
struct alignas(sizeof(T) * N) Vec {
  T v[N];
};

// How many elements one 16-byte access holds.
template <typename T>
constexpr int kVecWidth = 16 / sizeof(T);

inline bool aligned16(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % 16 == 0;
}

// Grid for a grid-stride loop over `work` items with `threads` per block: enough blocks to fill
// a GPU many times over, capped so that the launch stays legal for any size.
inline unsigned grid_for(int64_t work, unsigned threads) {
  const int64_t blocks = (work + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
}

// Threads per block for a block that owns a row of n elements: a multiple of 32 in [32, 256].
inline unsigned row_threads(int64_t n) {
  const int64_t warps = (n + 31) / 32;
  return static_cast<unsigned>(32 * (warps < 8 ? (warps > 0 ? warps : 1) : 8));
}

// Σ over the 32 lanes of a full warp; every lane gets the total.
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(kFullWarp, v, offset);
  return v;
}

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
  for (int offset = 16; offset > 0; offset >>= 1) {
    const T other = __shfl_xor_sync(kFullWarp, v, offset);
    v = other > v ? other : v;
  }
  return v;
}

// Σ over a 1-D block whose size is a multiple of 32 (at most 1024); every thread gets the total.
// Every thread of the block must call it (it synchronises the block).
template <typename T>
__device__ __forceinline__ T block_sum(T v) {
  FFTUNE_SHARED(T, partial, [32]);  // one value per warp
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int warps = blockDim.x / 32;
  v = warp_sum(v);
  __syncthreads();  // a previous call may still be reading `partial`
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  // Every warp reduces the per-warp sums, so every thread ends with the total.
  return warp_sum(lane < warps ? partial[lane] : T(0));
}

// The maximum over a 1-D block whose size is a multiple of 32 (at most 1024); every thread gets
// it. Every thread of the block must call it (it synchronises the block).
template <typename T>
__device__ __forceinline__ T block_max(T v) {
  FFTUNE_SHARED(T, partial, [32]);  // one value per warp
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int warps = blockDim.x / 32;
  v = warp_max(v);
  __syncthreads();  // a previous call may still be reading `partial`
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  return warp_max(lane < warps ? partial[lane] : partial[0]);
}

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
