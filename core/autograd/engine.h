// The backward engine: runs the graph's nodes in reverse topological order, summing the
// gradients that reach each node, and ends in AccumulateGrad nodes that fill leaves' .grad.
#pragma once

#include <vector>

#include "core/tensor/tensor.h"

namespace fftune::autograd {

// Backpropagates from `roots`. grads[i] may be undefined for a one-element root (then 1).
// Without retain_graph the saved tensors are freed as each node finishes.
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
              bool retain_graph = false);

// a + b for two gradients of the same shape. Defined by ops/ (ops/binary.cpp), where the
// device kernels live; the engine only needs this one operation.
Tensor sum_gradients(const Tensor& a, const Tensor& b);

}  // namespace fftune::autograd
