// Host entry points of the complex elementwise CUDA kernels (ops/cuda/complex_kernels.cu) and of
// the dtype conversion they share a file with. Device pointers. A complex array is interleaved
// (re, im) pairs of T — the layout of std::complex<T>[] and of cuFFT's complex types — and a
// StridedLayout over complex operands counts sizes and strides in complex elements.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/stream.h"
#include "ops/elementwise_math.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// out = a ∘ b for complex a, b over the layout (out, a, b: operands 0, 1, 2); kAdd, kSub, kMul
// and kDiv (comparisons and maximum are not defined for complex numbers).
template <typename T>
void complex_binary_forward(T* out, const T* a, const T* b, const StridedLayout& layout,
                            BinaryOp op, Stream stream);
// y = conj(x), complex to complex, over the layout (y: operand 0, x: operand 1).
template <typename T>
void complex_conj(T* y, const T* x, const StridedLayout& layout, Stream stream);
// y = |x|, complex x to real y, over the layout.
template <typename T>
void complex_abs(T* y, const T* x, const StridedLayout& layout, Stream stream);
// dz = g · z / |z| (0 where z = 0) for n contiguous elements: g real, z and dz complex.
template <typename T>
void complex_abs_backward(T* dz, const T* g, const T* z, int64_t n, Stream stream);

// dst = src converted element by element over the layout (dst: operand 0, src: operand 1), for
// TOut, TIn ∈ {float, double, int64_t}; a complex side (out_complex / in_complex, float and
// double only) reads or writes (re, im) pairs. Complex to real keeps the real part, real to
// complex sets the imaginary part to 0 — the CPU's conversions (ops/cpu/copy_kernels.cpp).
template <typename TOut, typename TIn>
void convert(TOut* dst, bool out_complex, const TIn* src, bool in_complex,
             const StridedLayout& layout, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/binary.cpp, ops/complex.cpp and ops/copy.cpp (and
// by the other entry points) in a CUDA build (defined at the end of complex_kernels.cu): each
// checks the dtype, takes the device pointers and queues the work on the device stream.
namespace fftune::cuda {

// out = a ∘ b for complex a, b broadcast to out (kAdd, kSub, kMul, kDiv).
void complex_binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op);
void conj(const Tensor& y, const Tensor& x);
// y (real) = |z| (complex).
void complex_abs(const Tensor& y, const Tensor& z);
// dz = g · z / |z| (0 at z = 0); all contiguous, g real.
void complex_abs_backward(const Tensor& dz, const Tensor& g, const Tensor& z);
// dst = src converted to dst's dtype (any two of f32, f64, i64, c64, c128; src broadcast to
// dst's shape, any strides; complex to real keeps the real part, as cpu::copy).
void convert(const Tensor& dst, const Tensor& src);
// dst = src (same dtype and device, src broadcast to dst's shape, any strides).
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, double value);

}  // namespace fftune::cuda
