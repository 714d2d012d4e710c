// Host entry point of the CUDA dropout kernel (ops/cuda/dropout_kernels.cu); device pointers.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
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

// The tensor-facing entry points, called by ops/dropout.cpp in a CUDA build (defined at the end of
// dropout_kernels.cu): each checks the dtype, takes the device pointers and queues the work on the
// device stream.
namespace fftune::cuda {

// The CPU's Philox mask for the same (seed, stream): identical masks on both devices.
void dropout_apply(const Tensor& out, const Tensor& in, float p, double scale, uint64_t seed,
                   uint64_t stream_id);

}  // namespace fftune::cuda
