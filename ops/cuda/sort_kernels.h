// Host entry point of the device sort behind the deterministic scatter-adds
// (ops/cuda/sort_kernels.cu); device pointers.
//
// Note [sorted segmented reduction]
// A scatter-add dst[index[j]] += src[j] with float atomics is fast but not deterministic: the
// order in which the atomics land, and so the rounding of the sum, changes from run to run. The
// deterministic alternative sorts the pairs (index[j], j) — as one 64-bit key index[j]·n + j,
// so that equal indices end up next to each other in increasing j — and then lets one thread
// own each destination: it finds the run ("segment") of keys with its index and adds the
// sources in that fixed order. No atomics, and every destination sees its terms in increasing
// j, exactly as the CPU kernels add them, so the result is bit-identical to the CPU's.
#pragma once

#include <cstdint>

#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// The length of the key buffer for n indices: n rounded up to a power of two (at least 1).
int64_t sorted_keys_length(int64_t n);

// keys[0, sorted_keys_length(n)) = the keys index[j]·n + j for j < n, sorted ascending, then
// INT64_MAX padding. Every index must lie in [0, size) with size·n ≤ INT64_MAX (the caller
// checks); a key decodes as index = key / n, j = key % n.
void sort_index_keys(int64_t* keys, const int64_t* index, int64_t n, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
