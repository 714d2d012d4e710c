// CUDA kernels of clamp() (ops/clamp.cpp): the launchers (device pointers, the same contracts as
// the CPU twins in ops/cpu/clamp_kernels.h) and the tensor-facing entry points.
#pragma once

#include "core/tensor/tensor.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// y = min(max(x, lo), hi) over the layout (y: operand 0, x: operand 1); a missing bound is NaN.
// T: float, double.
template <typename T>
void clamp_forward(T* y, const T* x, const StridedLayout& layout, T lo, T hi, Stream stream);
// dx = g where lo < x < hi (a NaN bound does not cut), else 0, over the layout (dx, g, x:
// operands 0, 1, 2).
template <typename T>
void clamp_backward(T* dx, const T* g, const T* x, const StridedLayout& layout, T lo, T hi,
                    Stream stream);

}  // namespace FFTUNE_CUDA_BUILD

// The tensor-facing entry points, called by ops/clamp.cpp in a CUDA build (defined at the end of
// clamp_kernels.cu): the contracts of cpu::clamp_forward / clamp_backward.
void clamp_forward(const Tensor& y, const Tensor& x, double lo, double hi);
void clamp_backward(const Tensor& dx, const Tensor& g, const Tensor& x, double lo, double hi);

}  // namespace fftune::cuda
