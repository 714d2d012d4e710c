// CPU kernels of the elementwise binary ops, with NumPy broadcasting through strides.
#pragma once

#include "core/tensor/tensor.h"
#include "ops/elementwise_math.h"  // BinaryOp

namespace fftune::cpu {

// out = a ∘ b; out has the broadcast shape (any strides, e.g. a view being written in place).
void binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op);
// x += alpha · y, y broadcast to x.
void add_scaled_inplace(const Tensor& x, const Tensor& y, double alpha);

}  // namespace fftune::cpu
