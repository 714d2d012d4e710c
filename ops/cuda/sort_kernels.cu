// A bitonic sort of 64-bit keys (Note [sorted segmented reduction] in sort_kernels.h).
//
// Bitonic sort on a power-of-two length L: for each block size k = 2, 4, ..., L and each
// distance j = k/2, k/4, ..., 1, every element i is compared with its partner i ^ j and the pair
// is put in ascending order when bit k of i is clear, descending when it is set. After the last
// k the whole buffer is ascending. One launch per (k, j) step, log2(L)·(log2(L)+1)/2 launches:
// a launch boundary is the global barrier between steps. Each thread owns the pairs whose lower
// element is i (grid-stride over i); pairs never overlap within a step, so there are no races.
// Blocks of 256 threads share nothing. O(L log² L) work: simple rather than the fastest sort,
// which is fine for the token counts of an embedding backward.
#include <cstdint>

#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/sort_kernels.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

// keys[j] = index[j]·n + j for j < n, INT64_MAX for the padding up to length.
__global__ void make_index_keys_kernel(int64_t* __restrict__ keys,
                                       const int64_t* __restrict__ index, int64_t n,
                                       int64_t length) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < length; i += step)
    keys[i] = i < n ? index[i] * n + i : INT64_MAX;
}

__global__ void bitonic_step_kernel(int64_t* __restrict__ keys, int64_t length, int64_t j,
                                    int64_t k) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < length; i += step) {
    const int64_t partner = i ^ j;
    if (partner <= i) continue;  // the lower element of each pair does the exchange
    const bool ascending = (i & k) == 0;
    const int64_t a = keys[i], b = keys[partner];
    if ((a > b) == ascending) {
      keys[i] = b;
      keys[partner] = a;
    }
  }
}

}  // namespace

int64_t sorted_keys_length(int64_t n) {
  int64_t length = 1;
  while (length < n) length <<= 1;
  return length;
}

void sort_index_keys(int64_t* keys, const int64_t* index, int64_t n, Stream stream) {
  const int64_t length = sorted_keys_length(n);
  const unsigned grid = grid_for(length, kThreads);
  FFTUNE_LAUNCH(make_index_keys_kernel, grid, kThreads, 0, stream, keys, index, n, length);
  for (int64_t k = 2; k <= length; k <<= 1)
    for (int64_t j = k >> 1; j > 0; j >>= 1)
      FFTUNE_LAUNCH(bitonic_step_kernel, grid, kThreads, 0, stream, keys, length, j, k);
}

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
