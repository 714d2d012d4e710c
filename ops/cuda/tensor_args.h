// What the tensor-facing CUDA entry points share (host code): a tensor's device pointer as the
// launcher's T*, and the StridedLayout (ops/cuda/elementwise_kernels.h) of an elementwise
// kernel's operands. Each ops/cuda/<family>_kernels.cu defines its entry points at its end, in
// the device build only; the emulated tests use strided_layout too.
#pragma once

#include <initializer_list>

#include "core/tensor/tensor.h"
#include "ops/cuda/device.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/op_utils.h"

namespace fftune::cuda {

// The data of t as T (nullptr for an undefined tensor); T must be t's dtype.
template <typename T>
const T* ptr(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}
template <typename T>
T* mut(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// The data of a floating or complex tensor as its real scalar type T: a complex tensor is read
// as interleaved (re, im) pairs (the layout of ops/cuda/complex_kernels.h).
template <typename T>
const T* reals(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}
template <typename T>
T* mutable_reals(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
}

// The layout of out (operand 0) and of at most two inputs read broadcast to out's shape
// (operands 1, 2; stride 0 along a broadcast dim).
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
  const Tensor* operand = inputs.begin();
  for (int k = 1; k < 3 && operand != inputs.end(); ++k, ++operand) {
    const Shape strides = broadcast_strides(*operand, out.shape());
    for (int d = 0; d < layout.ndim; ++d) layout.strides[k][d] = strides[d];
  }
  return layout;
}

}  // namespace fftune::cuda
