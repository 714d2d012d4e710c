// The CUDA twins of the Tensor-level spectral entry points in ops/cpu/spectral_kernels.h, with
// the same names and contracts (CUDA builds only; the declarations need no CUDA header). They
// check the dtype, copy the entries (rows, cols: host indices of a d1 × d2 spectrum) to the
// device once per entry set and keep them (a small cache keyed by their values, with the plan
// of Note [deterministic spectral scatter] when deterministic mode needs it), and queue the
// kernels of ops/cuda/spectral_kernels.h and the cuFFT transforms on the device stream.
#pragma once

#include <complex>
#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cuda {

// In deterministic mode (core/determinism.h) the scatter uses no float atomics.
void hermitian_scatter(const Tensor& half, const Tensor& coeffs, const int64_t* rows,
                       const int64_t* cols, int64_t d1, int64_t d2, std::complex<double> w,
                       double scale);
void mirrored_gather(const Tensor& dcoeffs, const Tensor& half, const int64_t* rows,
                     const int64_t* cols, int64_t d1, int64_t d2, std::complex<double> w,
                     double scale);
void row_fft_gather(const Tensor& dcoeffs, const Tensor& a, const Tensor& b, const int64_t* rows,
                    const int64_t* cols, int64_t d1, int64_t d2, double scale);
// One batched 1-D cuFFT R2C over the tokens, then a transposing copy into the bins-major out.
void row_spectra(const Tensor& out, const Tensor& x);
// Overwrites half: it is the caller's scratch, Hermitian by construction (the scatter adds each
// value and its mirror), so cuFFT's C2R may run on it directly.
void spectral_c2r(const Tensor& delta, const Tensor& half);
void spectral_r2c(const Tensor& half, const Tensor& g);

}  // namespace fftune::cuda
