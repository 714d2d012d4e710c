// Host entry points of the CUDA sum kernels (ops/cuda/reduce_kernels.cu); device pointers.
#pragma once

#include <cstdint>

#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// out[o] = Σ_i x[o·inner + i] over a contiguous (outer, inner) buffer; sums in double.
template <typename T>
void sum_rows(T* out, const T* x, int64_t outer, int64_t inner, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
