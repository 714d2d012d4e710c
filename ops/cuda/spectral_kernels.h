// Host entry points of the CUDA spectral-adapter kernels (ops/cuda/spectral_kernels.cu), the
// twins of ops/cpu/spectral_kernels.h (Note [Hermitian half-spectrum scatter] in
// fourierft/spectral_delta.h). Device pointers; complex buffers are interleaved (re, im) pairs,
// the layout of std::complex<T>[] and of cuFFT's complex types.
#pragma once

#include <cstdint>

#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// For each layer l < L and entry i < N at (rows[i], cols[i]) of a d1 × d2 spectrum, adds
//   scale · c[l, i] · w        at (row, col)                 if col ≤ d2/2,
//   scale · c[l, i] · conj(w)  at (−row mod d1, −col mod d2)  if that column ≤ d2/2,
// into half (L, d1, d2/2 + 1) complex, which the caller zeroes. w = (w_re, w_im).
template <typename T>
void hermitian_scatter(T* half, const T* coeffs, const int64_t* rows, const int64_t* cols,
                       int64_t L, int64_t N, int64_t d1, int64_t d2, T w_re, T w_im, T scale,
                       Stream stream);

// dcoeffs[l, i] = scale · 2·Re(w · conj(X)), X = fft2(G_l)[row, col] read from the R2C half
// spectrum (L, d1, d2/2 + 1): A[row, col] for col ≤ d2/2, else conj(A[−row, −col]).
template <typename T>
void mirrored_gather(T* dcoeffs, const T* half, const int64_t* rows, const int64_t* cols, int64_t L,
                     int64_t N, int64_t d1, int64_t d2, T w_re, T w_im, T scale, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
