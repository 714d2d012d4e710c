// Host entry points of the elementwise CUDA kernels (ops/cuda/elementwise_kernels.cu). Pointers
// are device pointers; sizes and strides count elements. Per-element math: ops/elementwise_math.h.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/stream.h"
#include "ops/elementwise_math.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

constexpr int kMaxDims = 8;

// An iteration shape shared by up to three operands (operand 0 is the output), each with its
// own strides in elements: 0 along a broadcast dim (NumPy broadcasting through strides).
struct StridedLayout {
  int ndim = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[3][kMaxDims] = {};
};

// y = f(x) over the layout (y: operand 0, x: operand 1); `p` is pow's exponent.
template <typename T>
void unary_forward(T* y, const T* x, const StridedLayout& layout, UnaryOp op, T p, Stream stream);
// dx = g · f'(s) for n contiguous elements; s is the saved input or output (backward_uses_output).
template <typename T>
void unary_backward(T* dx, const T* g, const T* s, int64_t n, UnaryOp op, T p, Stream stream);
// out = a ∘ b over the layout (out, a, b: operands 0, 1, 2).
template <typename T>
void binary_forward(T* out, const T* a, const T* b, const StridedLayout& layout, BinaryOp op,
                    Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/unary.cpp and ops/binary.cpp in a CUDA build
// (defined at the end of elementwise_kernels.cu): each checks the dtype, takes the device pointers
// and queues the work on the device stream.
namespace fftune::cuda {

void unary_forward(const Tensor& y, const Tensor& x, UnaryOp op, double p);
// dx, g, s: contiguous, the same shape.
void unary_backward(const Tensor& dx, const Tensor& g, const Tensor& s, UnaryOp op, double p);
// Complex a and b go to complex_binary_forward (ops/cuda/complex_kernels.h).
void binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op);

}  // namespace fftune::cuda
