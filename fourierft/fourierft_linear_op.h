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
// A and B are stored bins-major, (⌊d2/2⌋+1, T) and (⌊d1/2⌋+1, T), on both devices: each bin's
// values over the tokens are contiguous, for the CPU's vectorised dot products and for coalesced
// reads by the CUDA warps; chosen by measurement on the CPU (docs/perf.md, "FourierFT").
// Both paths run on either device, as one sequence of steps (ops/cpu/spectral_kernels.h and
// its CUDA twin ops/cuda/spectral_ops.h). On CUDA the dense path is a cuBLAS GEMM, one cuFFT R2C
// and the mirrored gather; the row-FFT path is batched 1-D cuFFT R2Cs of X and dY and a gather
// kernel, one warp per entry — so G is never formed there either. The default was measured on
// the CPU; on a GPU the two are timed by bench/bench_cuda.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "core/tensor/tensor.h"
#include "fourierft/entries.h"

namespace fftune::fourierft {

// Note [row spectrum sharing]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Query and value projections read the same X, so their row-FFT backwards need the same
// A = rfft of X's rows. A RowSpectrumShare, one object held by the FourierFT layers that may
// read the same input (the injector hands one to the adapted layers of each parent module,
// adapters/inject.h), lets them compute A once per backward pass:
//  - forward: each layer asks the share for the slot of its input. It gets the slot the
//    previous layer got when that slot is still alive and was made for the same X (the same
//    storage, offset, shape, strides, dtype and version), else a new one. The share itself
//    keeps only a weak reference to the latest slot.
//  - backward: the first layer's backward computes A into the slot, the others read it. Each
//    node drops its reference once its backward has run, so the slot — A and its reference to
//    X — is freed when the last layer of the pass is done: after backward, memory is what it
//    was before forward.
// A slot holds X itself, so X's storage cannot be freed and reused while the slot exists: that
// is what makes comparing storage identity sound. Layers without a share compute their own A.
class RowSpectrumShare {
 public:
  class Slot {
   public:
    explicit Slot(const Tensor& x2);
    // True when this slot was made for x2: the same view of the same storage, unmodified.
    bool reads(const Tensor& x2) const;
    // A (⌊in/2⌋+1, T) for x2 (the input this slot reads), computed by the first call.
    Tensor spectrum(const Tensor& x2);

   private:
    std::mutex mutex_;
    Tensor x2_;  // (T, in): the input, a detached alias
    uint64_t version_;
    Tensor spectrum_;
  };

  // The slot for x2 (T, in) in this pass: the latest slot if it is alive and reads x2, else a
  // new one.
  std::shared_ptr<Slot> slot_for(const Tensor& x2);

 private:
  std::mutex mutex_;
  std::weak_ptr<Slot> latest_;
};

enum class CoeffGradPath {
  kDenseGradient,  // G = dYᵀ·X, one R2C of G, gather
  kRowFFT,         // row-wise rffts of X and dY, n dot products over the tokens
};

// The default path (set by benchmark: docs/perf.md, "FourierFTLinear backward").
CoeffGradPath default_coeff_grad_path();

// x (…, in), weight W0 (out, in) (frozen or not), bias (out) or undefined, coeffs (N) with
// entries over the (out, in) spectrum. The merged weight W0 + ΔW is formed once per call for one
// GEMM and kept for dX; W0 itself is never modified. `share` (may be null): the row spectrum
// share of the layers that read the same input (Note [row spectrum sharing]).
Tensor fourierft_linear(const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const Tensor& coeffs, const SpectralEntries& entries, double alpha,
                        CoeffGradPath path = default_coeff_grad_path(),
                        RowSpectrumShare* share = nullptr);

}  // namespace fftune::fourierft
