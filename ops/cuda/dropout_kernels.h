// Host entry point of the CUDA dropout kernel (ops/cuda/dropout_kernels.cu); device pointers.
#pragma once

#include <cstdint>

#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// out[i] = in[i] · scale where element i is kept, else 0, over n contiguous elements: the mask
// of Note [dropout mask] (ops/dropout_math.h), bit for bit the CPU's for the same seed and
// stream. The forward passes x, the backward the output gradient.
template <typename T>
void dropout_apply(T* out, const T* in, int64_t n, float p, T scale, uint64_t seed,
                   uint64_t stream_id, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
