// Host entry point of the CUDA FFT helper kernel (ops/cuda/fft_kernels.cu); the transforms
// themselves are cuFFT's (ops/cuda/cufft_plans.h). Device pointers; complex is (re, im) pairs.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// Note [Hermitian projection before C2R]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// A C2R transform of n0 × n1 reals reads a half spectrum X (n0, n1/2 + 1) that must be
// Hermitian in its self-mirrored columns — column 0 and, for even n1, column n1/2:
// X[j, c] = conj(X[−j mod n0, c]). cuFFT's result is undefined otherwise; the CPU kernels (and
// numpy) compute Re of the inverse there, which equals the inverse of the projection
//   X[j, c] <- (X[j, c] + conj(X[−j, c])) / 2.
// So the CUDA FFT ops project a copy first (cuFFT's C2R overwrites its input anyway): the same
// result on both devices for any input, e.g. a gradient that is not Hermitian. A 1-D transform
// is n0 = 1: the imaginary parts of bin 0 and bin n1/2 are dropped.
// In place on half (batch, n0, n1/2 + 1); one thread per (batch, column, row pair).
template <typename T>
void hermitian_project(T* half, int64_t batch, int64_t n0, int64_t n1, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/fft.cpp (and fourierft_linear) in a CUDA build
// (defined at the end of fft_kernels.cu): each checks the dtype, takes the device pointers and
// queues the work on the device stream.
namespace fftune::cuda {

// The contracts of ops/cpu/fft_kernels.h, on cuFFT (ops/cuda/cufft_plans.h).
void fft_c2c_forward(const Tensor& out, const Tensor& x, int ndim, bool inverse, double scale);
void fft_r2c_forward(const Tensor& out, const Tensor& x, int ndim, double scale);
// x is left as it is (cuFFT's C2R overwrites its input, so a projected copy is transformed:
// Note [Hermitian projection before C2R]).
void fft_c2r_forward(const Tensor& out, const Tensor& x, int ndim, double scale);

}  // namespace fftune::cuda
