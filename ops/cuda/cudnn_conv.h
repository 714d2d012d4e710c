// cuDNN behind the conv2d kernels' contract (ops/cpu/conv2d.h): NCHW f32, contiguous, on the
// device's stream. The descriptor dims come from conv2d_descriptor_dims (library_mapping.h).
// Algorithms: the first of cuDNN's heuristic ranking whose workspace fits; in deterministic mode
// (fftune::deterministic_algorithms(), core/determinism.h) the first such one that cuDNN marks
// deterministic, so that a run repeats bit for bit. Workspace comes from the caching allocator.
#pragma once

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
