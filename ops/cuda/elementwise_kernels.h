// Host entry points of the elementwise CUDA kernels (ops/cuda/elementwise_kernels.cu). Pointers
// are device pointers; sizes and strides count elements. Per-element math: ops/elementwise_math.h.
#pragma once

#include <cstdint>

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
