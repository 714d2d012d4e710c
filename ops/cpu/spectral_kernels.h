// CPU kernels of the spectral adapters: the Hermitian half-spectrum scatter and its adjoint,
// the mirrored gather (Note [Hermitian half-spectrum scatter] in fourierft/spectral_delta.h).
#pragma once

#include <complex>
#include <cstdint>

namespace fftune::cpu {

// For each layer l < L and entry i < N at (rows[i], cols[i]) of a d1 × d2 spectrum, adds
//   scale · c[l, i] · w        at (row, col)                 if col ≤ d2/2,
//   scale · c[l, i] · conj(w)  at (−row mod d1, −col mod d2)  if that column ≤ d2/2,
// into half (L, d1, d2/2 + 1), which the caller zeroes. A cell can receive several
// contributions, so this accumulates; layers run in parallel (each owns its slice).
template <typename T>
void hermitian_scatter(std::complex<T>* half, const T* coeffs, const int64_t* rows,
                       const int64_t* cols, int64_t L, int64_t N, int64_t d1, int64_t d2,
                       std::complex<T> w, T scale);

// The adjoint of hermitian_scatter followed by a C2R: given the R2C half spectrum
// A (L, d1, d2/2 + 1) of a real gradient G, writes
//   dcoeffs[l, i] = scale · 2·Re(w · conj(X)),  X = fft2(G_l)[row, col],
// reading X = A[row, col] for col ≤ d2/2 and conj(A[−row, −col]) otherwise (G is real).
template <typename T>
void mirrored_gather(T* dcoeffs, const std::complex<T>* half, const int64_t* rows,
                     const int64_t* cols, int64_t L, int64_t N, int64_t d1, int64_t d2,
                     std::complex<T> w, T scale);

// The coefficient gradient without G (Note [coefficient gradient without G] in
// fourierft/fourierft_linear_op.h): for each entry l at (rows[l], cols[l]) of a d1 × d2 spectrum,
//   dcoeffs[l] = scale · Re Σ_t B[t, j] · A[t, k],
// with A the row-wise rfft of X (T × d2) and B that of dY (T × d1), read as conj(A[t, d2 − k])
// for k > ⌊d2/2⌋ and likewise for B. Here both are stored transposed — at (⌊d2/2⌋+1, T) and
// bt (⌊d1/2⌋+1, T) — so that each frequency's values over the tokens are contiguous for the
// vectorised dot products (the CUDA twin reads the untransposed layout).
template <typename T>
void row_fft_gather(T* dcoeffs, const std::complex<T>* at, const std::complex<T>* bt,
                    const int64_t* rows, const int64_t* cols, int64_t N, int64_t tokens, int64_t d1,
                    int64_t d2, T scale);

}  // namespace fftune::cpu
