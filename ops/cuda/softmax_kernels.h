// Host entry points of the CUDA softmax kernels (ops/cuda/softmax_kernels.cu); device pointers,
// contiguous (rows, n) buffers normalised over the last dim.
#pragma once

#include <cstdint>

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
