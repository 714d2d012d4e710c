// fourierft_linear: the FourierFT layer as one differentiable op,
//   y = x·(W0 + ΔW)ᵀ + b,   ΔW = α · Re(ifft2(todense(E, c)))   (fourierft/spectral_delta.h),
// with two ways to get the coefficients' gradient, chosen by a setting.
//
// Note [coefficient gradient without G]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The plain way forms G = ∂L/∂ΔW = dYᵀ·X (a T·d1·d2 GEMM) and takes one R2C of it
// (kDenseGradient). But fft2(G) factorises over the tokens:
//   fft2(G)[j, k] = Σ_t DFT(dY_t)[j] · DFT(X_t)[k],
// so with A = row-wise rfft of X (T × (⌊d2/2⌋+1)) and B = row-wise rfft of dY (T × (⌊d1/2⌋+1)),
//   ∂L/∂c_l = α/(d1·d2) · Re Σ_t B[t, j_l] · A[t, k_l],
// reading conj(A[t, d2 − k]) for k > ⌊d2/2⌋ (X is real), and likewise for B (kRowFFT).
// O(T·(d1 log d1 + d2 log d2) + n·T) instead of the GEMM plus a 2-D FFT. Which is faster is a
// measurement (docs/perf.md), not a flop count: GEMM runs far nearer peak than an FFT.
// Query and value read the same X: A is cached for the last X seen (RowSpectrumCache in the .cpp).
// Both paths run on either device. On CUDA the dense path is a cuBLAS GEMM, one cuFFT R2C and
// the mirrored gather; the row-FFT path is the same pieces — batched 1-D cuFFT R2Cs of X and dY
// and a gather kernel, one warp per entry (cuda::row_fft_gather) — so G is never formed there
// either. The default was measured on the CPU; on a GPU the two are timed by bench/bench_cuda.
#pragma once

#include "core/tensor/tensor.h"
#include "fourierft/entries.h"

namespace fftune::fourierft {

enum class CoeffGradPath {
  kDenseGradient,  // G = dYᵀ·X, one R2C of G, gather
  kRowFFT,         // row-wise rffts of X and dY, n dot products over the tokens
};

// The default path (set by benchmark: docs/perf.md, "FourierFTLinear backward").
CoeffGradPath default_coeff_grad_path();

// x (…, in), weight W0 (out, in) (frozen or not), bias (out) or undefined, coeffs (N) with
// entries over the (out, in) spectrum. The merged weight W0 + ΔW is formed once per call for one
// GEMM and kept for dX; W0 itself is never modified.
Tensor fourierft_linear(const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const Tensor& coeffs, const SpectralEntries& entries, double alpha,
                        CoeffGradPath path = default_coeff_grad_path());

}  // namespace fftune::fourierft
