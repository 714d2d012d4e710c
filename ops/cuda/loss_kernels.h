// Host entry points of the cross_entropy CUDA kernels (ops/cuda/loss_kernels.cu); device
// pointers. The same contracts as cpu::cross_entropy_forward / backward
// (ops/cpu/loss_kernels.h): logits (M, C) and target (M) contiguous, every target either
// ignore_index or in [0, C).
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// loss, row_max, log_sum: (M) each; 0 on rows whose target is ignore_index.
template <typename T>
void cross_entropy_forward(T* loss, T* row_max, T* log_sum, const T* logits, const int64_t* target,
                           int64_t M, int64_t C, int64_t ignore_index, double smoothing,
                           Stream stream);

// dlogits (M, C); g_r = grad[r · grad_stride] · scale (grad_stride 0: one scalar gradient).
template <typename T>
void cross_entropy_backward(T* dlogits, const T* grad, int64_t grad_stride, double scale,
                            const T* logits, const T* row_max, const T* log_sum,
                            const int64_t* target, int64_t M, int64_t C, int64_t ignore_index,
                            double smoothing, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/loss.cpp in a CUDA build (defined at the end of
// loss_kernels.cu): each checks the dtype, takes the device pointers and queues the work on the
// device stream.
namespace fftune::cuda {

void cross_entropy_forward(const Tensor& loss, const Tensor& row_max, const Tensor& log_sum,
                           const Tensor& logits, const Tensor& target, int64_t ignore_index,
                           double smoothing);
void cross_entropy_backward(const Tensor& dlogits, const Tensor& grad, int64_t grad_stride,
                            double scale, const Tensor& logits, const Tensor& row_max,
                            const Tensor& log_sum, const Tensor& target, int64_t ignore_index,
                            double smoothing);

}  // namespace fftune::cuda
