// cuDNN behind the conv2d kernels' contract (ops/cpu/conv2d.h): NCHW f32, contiguous, on the
// device's stream. The descriptor dims come from conv2d_descriptor_dims (library_mapping.h).
// Algorithms: the first of cuDNN's heuristic ranking whose workspace fits; in deterministic mode
// (fftune::deterministic_algorithms(), core/determinism.h) the first such one that cuDNN marks
// deterministic, so that a run repeats bit for bit. Workspace comes from the caching allocator.
#pragma once

#include "core/tensor/tensor.h"
#include "ops/cpu/conv2d.h"
#include "ops/cuda/library_mapping.h"

namespace fftune::cuda {

// y = conv(x, w) (+ bias per output channel when bias != nullptr).
void conv2d_forward(float* y, const float* x, const float* w, const float* bias,
                    const ConvDescriptorDims& d);
// dx = the gradient of the input.
void conv2d_backward_data(float* dx, const float* dy, const float* w, const ConvDescriptorDims& d);
// dw = the gradient of the weight; dbias (when not nullptr) the sum of dy per channel.
void conv2d_backward_filter(float* dw, float* dbias, const float* dy, const float* x,
                            const ConvDescriptorDims& d);

}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/conv2d.cpp in a CUDA build (defined at the end of
// cudnn_conv.cu): each checks the dtype, takes the device pointers and queues the work on the
// device stream.
namespace fftune::cuda {

// NCHW f32, contiguous (the twins in ops/cpu/conv2d.h).
void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    const cpu::Conv2dShape& s);
void conv2d_backward_input(const Tensor& dx, const Tensor& dy, const Tensor& weight,
                           const cpu::Conv2dShape& s);
// dweight and dbias (either may be undefined: not computed) from dy and x.
void conv2d_backward_weight(const Tensor& dweight, const Tensor& dbias, const Tensor& dy,
                            const Tensor& x, const cpu::Conv2dShape& s);

}  // namespace fftune::cuda
