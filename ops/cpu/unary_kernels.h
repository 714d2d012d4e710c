// CPU kernels of the elementwise unary ops (math in ops/elementwise_math.h).
#pragma once

#include "core/tensor/tensor.h"
#include "ops/elementwise_math.h"

namespace fftune::cpu {

// y = f(x); y is contiguous with x's shape.
void unary_forward(const Tensor& y, const Tensor& x, UnaryOp op, double p);
// dx = g · f'(s), s the saved input or output (see backward_uses_output); dx contiguous.
void unary_backward(const Tensor& dx, const Tensor& g, const Tensor& s, UnaryOp op, double p);

}  // namespace fftune::cpu
