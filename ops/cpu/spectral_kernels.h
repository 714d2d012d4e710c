// CPU kernels of the spectral adapters (Note [Hermitian half-spectrum scatter] in
// fourierft/spectral_delta.h): the Hermitian half-spectrum scatter, its adjoint the mirrored
// gather, the row-FFT gather of the coefficient gradient without G (Note [coefficient gradient
// without G] in fourierft/fourierft_linear_op.h), and the transforms around them. Every cell
// they index follows Note [half-spectrum index rule] (ops/spectral_math.h). The CUDA twins, of
// the same names and contracts, are in ops/cuda/spectral_ops.h.
//
// The Tensor-level entry points take the N entries (rows[i], cols[i]) of a d1 × d2 spectrum as
// host indices; tensors are contiguous and of one dtype (f32 or f64, and the matching complex).
#pragma once

#include <complex>
#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// For each entry i < N at (rows[i], cols[i]), adds
//   scale · c[i] · w        at (row, col)                 if that cell is stored,
//   scale · c[i] · conj(w)  at (−row mod d1, −col mod d2)  if that cell is stored,
// into half (d1, ⌊d2/2⌋ + 1), which the caller zeroes (ops/spectral_math.h, scatter_cells). A
// cell can receive several contributions, so this accumulates.
template <typename T>
void hermitian_scatter(std::complex<T>* half, const T* coeffs, const int64_t* rows,
                       const int64_t* cols, int64_t N, int64_t d1, int64_t d2, std::complex<T> w,
                       T scale);

// The adjoint of hermitian_scatter followed by a C2R: given the R2C half spectrum
// A (d1, ⌊d2/2⌋ + 1) of a real gradient G, writes
//   dcoeffs[i] = scale · 2·Re(w · conj(X)),  X = fft2(G)[row, col],
// reading X where ops/spectral_math.h's stored_cell says (G is real).
template <typename T>
void mirrored_gather(T* dcoeffs, const std::complex<T>* half, const int64_t* rows,
                     const int64_t* cols, int64_t N, int64_t d1, int64_t d2, std::complex<T> w,
                     T scale);

// The coefficient gradient without G: for each entry l at (rows[l], cols[l]),
//   dcoeffs[l] = scale · Re Σ_t B[t, j] · A[t, k],
// with A the row-wise rfft of X (T × d2) and B that of dY (T × d1), each bin read where
// ops/spectral_math.h's stored_bin says. Both are stored bins-major — a (⌊d2/2⌋ + 1, T),
// b (⌊d1/2⌋ + 1, T), the layout row_spectra writes — so that each bin's values over the tokens
// are contiguous for the vectorised dot products.
template <typename T>
void row_fft_gather(T* dcoeffs, const std::complex<T>* a, const std::complex<T>* b,
                    const int64_t* rows, const int64_t* cols, int64_t N, int64_t tokens, int64_t d1,
                    int64_t d2, T scale);

// ---- Tensor-level entry points (the op files call these, or their CUDA twins) ----------------

// half (d1, ⌊d2/2⌋ + 1) complex, zeroed by the caller, += the scatter of coeffs (N).
void hermitian_scatter(const Tensor& half, const Tensor& coeffs, const int64_t* rows,
                       const int64_t* cols, int64_t d1, int64_t d2, std::complex<double> w,
                       double scale);
// dcoeffs (N) = the mirrored gather of half (d1, ⌊d2/2⌋ + 1).
void mirrored_gather(const Tensor& dcoeffs, const Tensor& half, const int64_t* rows,
                     const int64_t* cols, int64_t d1, int64_t d2, std::complex<double> w,
                     double scale);
// dcoeffs (N) from the row spectra a (⌊d2/2⌋ + 1, T) and b (⌊d1/2⌋ + 1, T).
void row_fft_gather(const Tensor& dcoeffs, const Tensor& a, const Tensor& b, const int64_t* rows,
                    const int64_t* cols, int64_t d1, int64_t d2, double scale);
// out (⌊n/2⌋ + 1, T) complex = the rfft of each row of x (T, n), bins-major.
void row_spectra(const Tensor& out, const Tensor& x);
// delta (d1, d2) = the unnormalised C2R of the Hermitian half (d1, ⌊d2/2⌋ + 1) that
// hermitian_scatter built. The CUDA twin may overwrite half (it is the caller's scratch).
void spectral_c2r(const Tensor& delta, const Tensor& half);
// half (d1, ⌊d2/2⌋ + 1) = the unnormalised R2C of g (d1, d2).
void spectral_r2c(const Tensor& half, const Tensor& g);

}  // namespace fftune::cpu
