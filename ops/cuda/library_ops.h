// The CUDA entry points of the ops built on cuBLAS, cuFFT and cuDNN, and of the complex
// kernels beside them (CUDA builds only; the declarations need no CUDA header). Each
// has the Tensor-level contract of its CPU twin (named in the comment), checks the dtype, takes
// raw device pointers and queues the work on the device stream, so that an op file dispatches
// with one branch: `else FFTUNE_CUDA_OR_NO_KERNEL(cuda::f(...), op, device)` (tensor_ops.h).
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cpu/conv2d.h"
#include "ops/cuda/tensor_ops.h"
#include "ops/elementwise_math.h"

namespace fftune::cuda {

// ---- column sums (cuBLAS) ----------------------------------------------------------------------
// out (n) = Σ_rows x for a contiguous x (m, n) (cpu::sum_columns): one GEMM with a ones vector.
void sum_columns(const Tensor& out, const Tensor& x, int64_t m, int64_t n);

// ---- conv2d (cuDNN): NCHW f32, contiguous (the twins in ops/cpu/conv2d.h) ---------------------
void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    const cpu::Conv2dShape& s);
void conv2d_backward_input(const Tensor& dx, const Tensor& dy, const Tensor& weight,
                           const cpu::Conv2dShape& s);
// dweight and dbias (either may be undefined: not computed) from dy and x.
void conv2d_backward_weight(const Tensor& dweight, const Tensor& dbias, const Tensor& dy,
                            const Tensor& x, const cpu::Conv2dShape& s);

// ---- FFT (cuFFT): the contracts of ops/cpu/fft_kernels.h ---------------------------------------
void fft_c2c_forward(const Tensor& out, const Tensor& x, int ndim, bool inverse, double scale);
void fft_r2c_forward(const Tensor& out, const Tensor& x, int ndim, double scale);
// x is left as it is (cuFFT's C2R overwrites its input, so a projected copy is transformed:
// Note [Hermitian projection before C2R], ops/cuda/fft_kernels.h).
void fft_c2r_forward(const Tensor& out, const Tensor& x, int ndim, double scale);

// ---- complex elementwise and dtype conversion (ops/cuda/complex_kernels.cu) ---------------------
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

}  // namespace fftune::cuda
