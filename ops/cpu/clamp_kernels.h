// CPU kernels of clamp() (ops/clamp.cpp); the CUDA twins are in ops/cuda/clamp_kernels.h.
#pragma once

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// A missing bound is NaN (no bound is NaN otherwise: the op rejects one).
//
// y = min(max(x, lo), hi) elementwise: hi wins where lo > hi (as torch.clamp), NaN stays NaN.
// y has x's shape; any strides; f32 and f64.
void clamp_forward(const Tensor& y, const Tensor& x, double lo, double hi);
// dx = g where lo < x < hi (strictly, as torch: 0 on the bounds themselves), else 0; a missing
// bound does not cut. All the same shape, any strides.
void clamp_backward(const Tensor& dx, const Tensor& g, const Tensor& x, double lo, double hi);

}  // namespace fftune::cpu
