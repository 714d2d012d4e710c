// fftune's own CPU FFT: batched 1-D and 2-D complex and real transforms of any length, on raw
// pointers, in f32 and f64 (std::complex<float>, std::complex<double>).
//
// Conventions: forward is numpy.fft.fft; inverse is n * numpy.fft.ifft (numpy's and torch's
// norm="forward" inverse). Nothing is ever divided by n; scale the result yourself.
//   forward:  X[k] = sum_j x[j] * exp(-2*pi*i*j*k/n)
//   inverse:  x[j] = sum_k X[k] * exp(+2*pi*i*j*k/n)
//
// Layouts: element i of transform b lives at ptr[b*dist + i*stride] (in elements of the pointed-to
// type). Real-to-complex transforms of length n produce n/2+1 bins (the rest follow from Hermitian
// symmetry, X[n-k] = conj(X[k])).
//
// Where the code lives:
//   fft_plan.cpp       factorisation, twiddle tables, the thread-safe plan cache
//   fft_passes.cpp     the radix-2/3/4/5 Stockham passes that do the arithmetic
//   fft_bluestein.cpp  lengths with a prime factor > 5 (chirp-z convolution)
//   fft_complex.cpp    batched 1-D complex transforms (c2c): gather, transform, scatter
//   fft_real.cpp       batched 1-D real transforms (r2c, c2r): the half-length complex trick
//   fft_2d.cpp         2-D transforms: rows as a batch, then tiles of adjacent columns
//   fft_transpose.cpp  the (AVX2) transposes between user memory and the split-complex buffers
// Plans (twiddles, factorisations) are built on first use of a length and cached for the life of
// the process, one per (transform kind, length, precision); both directions share them.
#pragma once

#include <complex>
#include <cstdint>

namespace fftune::cpu::fft {

// forward: exp(-2*pi*i*jk/n), inverse: exp(+2*pi*i*jk/n). All transforms are unnormalised.
enum class Direction { kForward, kInverse };

// Batched 1-D complex-to-complex transform of length n. Element i of batch b is at
// in[b*in_dist + i*in_stride]. in == out is allowed (in place) when the strides and dists match.
template <typename T>
void c2c(const std::complex<T>* in, std::complex<T>* out, int64_t n, int64_t batch,
         int64_t in_stride, int64_t in_dist, int64_t out_stride, int64_t out_dist, Direction dir);

// Batched 1-D real-to-complex forward transform: each transform writes n/2+1 bins.
template <typename T>
void r2c(const T* in, std::complex<T>* out, int64_t n, int64_t batch, int64_t in_stride,
         int64_t in_dist, int64_t out_stride, int64_t out_dist);

// Batched 1-D complex-to-real inverse transform (unnormalised) of an n/2+1 bin half spectrum into
// n reals. The imaginary parts of bin 0 (and of bin n/2 for even n) are ignored, as numpy and
// pocketfft do. The input is not modified.
template <typename T>
void c2r(const std::complex<T>* in, T* out, int64_t n, int64_t batch, int64_t in_stride,
         int64_t in_dist, int64_t out_stride, int64_t out_dist);

// 2-D transforms of contiguous row-major (batch, n0, n1) arrays.
// c2c_2d: in and out are (batch, n0, n1); in == out is allowed.
template <typename T>
void c2c_2d(const std::complex<T>* in, std::complex<T>* out, int64_t batch, int64_t n0, int64_t n1,
            Direction dir);
// r2c_2d: in (batch, n0, n1) reals -> out (batch, n0, n1/2+1).
template <typename T>
void r2c_2d(const T* in, std::complex<T>* out, int64_t batch, int64_t n0, int64_t n1);
// c2r_2d: in (batch, n0, n1/2+1), not modified -> out (batch, n0, n1) reals, unnormalised.
template <typename T>
void c2r_2d(const std::complex<T>* in, T* out, int64_t batch, int64_t n0, int64_t n1);

}  // namespace fftune::cpu::fft
