// Host entry points of the CUDA softmax kernels (ops/cuda/softmax_kernels.cu); device pointers,
// contiguous (rows, n) buffers normalised over the last dim.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// y = softmax(x) or log_softmax(x) per row.
template <typename T>
void softmax_forward(T* y, const T* x, int64_t rows, int64_t n, bool log, Stream stream);
// From the saved output y and the output gradient g, per row:
//   softmax:      dx = y · (g − Σ g·y)
//   log_softmax:  dx = g − exp(y) · Σ g
template <typename T>
void softmax_backward(T* dx, const T* g, const T* y, int64_t rows, int64_t n, bool log,
                      Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/softmax.cpp in a CUDA build (defined at the end of
// softmax_kernels.cu): each checks the dtype, takes the device pointers and queues the work on the
// device stream.
namespace fftune::cuda {

// Over n for contiguous (outer, n, inner) tensors; the kernels reduce the last dim, so inner > 1
// is moved last first.
void softmax_forward(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log);
void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t outer, int64_t n,
                      int64_t inner, bool log);

}  // namespace fftune::cuda
