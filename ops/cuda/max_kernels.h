// Host entry point of the max-over-a-dim CUDA kernels (ops/cuda/max_kernels.cu); device
// pointers. The same contract as cpu::max_forward (ops/cpu/max_kernels.h).
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// values[o, i] = max_j x[o, j, i], indices[o, i] = the first j that attains it; x (outer, size,
// inner) contiguous, size ≥ 1. A NaN counts as larger than every number (the first NaN of a
// slice is its maximum). T: float, double, int64_t.
template <typename T>
void max_forward(T* values, int64_t* indices, const T* x, int64_t outer, int64_t size,
                 int64_t inner, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/max.cpp in a CUDA build (defined at the end of
// max_kernels.cu): each checks the dtype, takes the device pointers and queues the work on the
// device stream.
namespace fftune::cuda {

void max_forward(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
                 int64_t size, int64_t inner);

}  // namespace fftune::cuda
