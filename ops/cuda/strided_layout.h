// The StridedLayout (ops/cuda/elementwise_kernels.h) of an elementwise kernel's operands, built
// from tensors: the output's shape, and each operand's strides broadcast to it (0 along a
// broadcast dim). Host code of the CUDA entry points.
#pragma once

#include <initializer_list>

#include "core/tensor/tensor.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/op_utils.h"

namespace fftune::cuda {

// out is operand 0; the inputs (at most two) are operands 1 and 2.
inline StridedLayout strided_layout(const Tensor& out, std::initializer_list<Tensor> inputs) {
  FFTUNE_CHECK(out.dim() <= kMaxDims, "CUDA elementwise: at most ", kMaxDims, " dims, got ",
               out.dim());
  FFTUNE_CHECK(inputs.size() <= 2, "CUDA elementwise: at most two inputs");
  StridedLayout layout;
  layout.ndim = static_cast<int>(out.dim());
  for (int d = 0; d < layout.ndim; ++d) {
    layout.shape[d] = out.shape()[d];
    layout.strides[0][d] = out.strides()[d];
  }
  int k = 1;
  for (const Tensor& operand : inputs) {
    const Shape strides = broadcast_strides(operand, out.shape());
    for (int d = 0; d < layout.ndim; ++d) layout.strides[k][d] = strides[d];
    ++k;
  }
  return layout;
}

}  // namespace fftune::cuda
