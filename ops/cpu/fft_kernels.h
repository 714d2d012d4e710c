// CPU kernels of the FFT ops (ops/fft.cpp): Tensor-level wrappers around our own FFT
// (ops/cpu/fft.h) that transform the last one or two dims of a contiguous tensor, batched over
// the leading dims, and scale the result.
#pragma once

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// out = scale · DFT of x over its last `ndim` (1 or 2) dims; forward uses exp(-2πi·jk/n),
// inverse exp(+2πi·jk/n). x and out: contiguous, complex, of one shape.
void fft_c2c_forward(const Tensor& out, const Tensor& x, int ndim, bool inverse, double scale);
// x (…, n) real [(…, n0, n) for ndim 2] -> out (…, n/2+1) [(…, n0, n/2+1)] = scale · the
// half spectrum. Both contiguous.
void fft_r2c_forward(const Tensor& out, const Tensor& x, int ndim, double scale);
// x (…, n/2+1) half spectrum -> out (…, n) real = scale · the inverse transform, with n taken
// from out. The imaginary parts of bin 0 (and bin n/2 for even n) are ignored. Both contiguous.
void fft_c2r_forward(const Tensor& out, const Tensor& x, int ndim, double scale);

}  // namespace fftune::cpu
