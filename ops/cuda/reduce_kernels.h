// Host entry points of the CUDA sum kernels (ops/cuda/reduce_kernels.cu); device pointers.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// out[o] = Σ_i x[o·inner + i] over a contiguous (outer, inner) buffer; sums in double.
template <typename T>
void sum_rows(T* out, const T* x, int64_t outer, int64_t inner, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/reduce.cpp in a CUDA build (defined at the end of
// reduce_kernels.cu): each checks the dtype, takes the device pointers and queues the work on the
// device stream.
namespace fftune::cuda {

// out (outer) = the sums of the rows of a contiguous x (outer, inner); complex x too.
void sum_rows(const Tensor& out, const Tensor& x, int64_t outer, int64_t inner);

}  // namespace fftune::cuda
