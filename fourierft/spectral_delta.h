// The differentiable op at the heart of fftune: a weight delta ΔW (d1 × d2) made from n
// trainable real coefficients placed at fixed cells of a 2-D spectrum.
//
// FourierFT (paper Eqs. 2–4, with torch's normalised ifft2 as peft uses):
//   F = todense(E, c),   ΔW = α · Re(ifft2(F)),
//   ifft2(F)[p, q] = 1/(d1·d2) · Σ_{j,k} F[j, k] · exp(+2πi (jp/d1 + kq/d2)).
//
// Note [Hermitian half-spectrum scatter]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// F is real and only Re(ifft2(F)) is needed. With θ = 2π(jp/d1 + kq/d2), each coefficient adds
// c·cos θ = c·(e^{iθ} + e^{−iθ})/2 to ΔW·(d1·d2)/α: half of it at (j, k) and half at the mirror
// (−j mod d1, −k mod d2). That spectrum is Hermitian, so ΔW is ONE complex-to-real inverse FFT
// of its left half (columns 0..⌊d2/2⌋): the scatter keeps only the targets whose column is
// ≤ ⌊d2/2⌋. Column 0 (and column d2/2 when d2 is even) is its own mirror column: there both
// targets land, which keeps that column Hermitian along the rows — a C2R needs that (numpy
// silently projects a non-Hermitian column, cuFFT's result is undefined). A cell can receive two
// contributions (a self-conjugate entry such as (0, 0), or two entries that mirror each other),
// so the scatter accumulates. Half the FFT work and memory of the dense complex ifft2.
//
// More generally each coefficient can carry a phase w: c·(w·e^{iθ} + w̄·e^{−iθ}) = 2c·Re(w·e^{iθ}).
// w = 1/2 gives FourierFT's cos θ; w = (1 − i)/2 gives cos θ + sin θ = cas θ, the Hartley kernel
// (adapters/hartley_adapter.h). The same scatter, the same one C2R.
//
// Backward: ∂L/∂c = scale · 2·Re(w · conj(fft2(G)[j, k])) with G = ∂L/∂ΔW — one real-to-complex
// FFT of G and a gather; for k > ⌊d2/2⌋ the gather reads the mirror, fft2(G)[j, k] =
// conj(fft2(G)[−j, −k]) since G is real. Which cell is stored, and where a mirror lands, is
// Note [half-spectrum index rule] (ops/spectral_math.h), the one place both backends take it from.
//
// The op is one sequence of steps for both devices: zero the half spectrum, scatter, C2R;
// backward R2C, gather. Each step is a Tensor-level kernel of ops/cpu/spectral_kernels.h or its
// CUDA twin of the same name (ops/cuda/spectral_ops.h), chosen by the tensors' device.
#pragma once

#include <complex>

#include "core/tensor/tensor.h"
#include "fourierft/entries.h"

namespace fftune::fourierft {

// ΔW = scale · Σ_l c_l · 2·Re(w · e^{iθ_l}) over the entries: coeffs (N) -> (d1, d2).
Tensor spectral_delta(const Tensor& coeffs, const SpectralEntries& entries, double scale,
                      std::complex<double> w);

// The adjoint of spectral_delta, without autograd: its backward, and the FourierFT layer's
// coefficient gradient through G. dcoeffs (N) from G = ∂L/∂ΔW (d1, d2): one R2C and the
// mirrored gather, on G's device.
Tensor spectral_delta_backward(const Tensor& g, const SpectralEntries& entries, double scale,
                               std::complex<double> w);

// FourierFT: ΔW = α · Re(ifft2(todense(E, c))). coeffs (N).
Tensor fourierft_delta(const Tensor& coeffs, const SpectralEntries& entries, double alpha);

}  // namespace fftune::fourierft
