// HartleyLinear: a Hartley-spectrum adapter for one Linear layer, in the spirit of SSH (Shen et
// al., "SSH: Sparse Spectrum Adaptation via Discrete Hartley Transformation", NAACL 2025,
// arXiv 2502.05539). It is also the worked example of a new adapter (docs/new-adapter.md): one
// file pair, nothing else in the engine changes.
//
// SSH learns n real coefficients placed at n cells of the discrete Hartley spectrum of a weight
// and maps them back with the inverse DHT: the Hartley kernel cas θ = cos θ + sin θ is real, so a
// real spectrum gives a real ΔW without taking a real part (FourierFT's Re(ifft2) throws away the
// sine half of every basis function; cas keeps it).
//
//   F = todense(E, c)  (d1, d2),   ΔW = α · IDHT2(F),   IDHT2 = DHT2 / (d1·d2),
//   ΔW[p, q] = α/(d1·d2) · Σ_l c_l · cas(2π(j_l·p/d1 + k_l·q/d2)).
//
// Kernel. Two 2-D Hartley kernels exist, both real, both their own inverse up to 1/(d1·d2):
//   the non-separable cas(2π(jp/d1 + kq/d2)) — used here — and
//   the separable     cas(2πjp/d1) · cas(2πkq/d2) = cos(a − b) + sin(a + b)   (a = 2πjp/d1,
//                                                                             b = 2πkq/d2).
// The non-separable one is chosen because each coefficient drives ONE plane wave of frequency
// (j, k), exactly like FourierFT's cos: the entry set means the same thing for both adapters
// (the same uniform/frequency-biased sampling, the same pictures), and ΔW is exactly
// fourierft::spectral_delta with the phase w = (1 − i)/2 (Note [Hermitian half-spectrum scatter] in
// fourierft/spectral_delta.h): 2·Re(w·e^{iθ}) = cos θ + sin θ. Forward: one scatter + one C2R;
// backward: one R2C + one gather — the same cost as FourierFT's ΔW.
// The separable kernel would also be one transform, but not one call with a single phase: its
// coefficient c at (j, k) is the plane wave sin(a + b) at (j, k) (phase w = −i/2) plus the plane
// wave cos(a − b) at (j, −k mod d2) (phase w = 1/2). Scattering both targets with their own phase
// into the same half spectrum gives one C2R; fourierft::spectral_delta takes one phase per call, so
// here it would cost two calls (two C2Rs) and an add — and every coefficient would touch two
// frequencies.
//
// Normalisation: IDHT2 = DHT2 / (d1·d2), the same 1/(d1·d2) as torch's ifft2 in FourierFT, so
// `scaling` means the same α for both adapters (cas has amplitude √2 where cos has 1).
//
// Entry selection. SSH picks its entries with guidance from the DHT of the pretrained weights
// (energy-based selection). This adapter draws them like peft's FourierFT instead:
// fourierft::uniform_entries(out, in, n, random_loc_seed), so they are regenerated from the seed
// and only the spectrum is saved. Energy-guided entries would need W0 at construction; an injector
// factory receives the base nn::Linear and could compute them without any change to the seam.
#pragma once

#include "fourierft/entries.h"
#include "nn/linear_adapter.h"

namespace fftune::adapters {

struct HartleyOptions {
  int64_t n_frequency = 1000;      // n, the number of trainable Hartley coefficients
  double scaling = 150.0;          // α, in ΔW = α · IDHT2(F)
  uint64_t random_loc_seed = 777;  // the seed of the entry permutation (fourierft::uniform_entries)
  bool init_weights = false;       // false: coefficients ~ N(0, 1); true: zeros (ΔW = 0 at start)
};

class HartleyLinear final : public nn::LinearAdapter {
 public:
  // For a base layer with weight (out_features, in_features). The coefficients are drawn from
  // `gen` (the default generator when null) unless init_weights.
  HartleyLinear(int64_t out_features, int64_t in_features, const HartleyOptions& options,
                Generator* gen = nullptr, DType dtype = DType::f32, Device device = Device::cpu());

  std::string method() const override { return "hartley"; }
  Tensor delta_weight() const override;  // (out, in)
  // forward: LinearAdapter's default, x·(W0 + ΔW)ᵀ + b with one GEMM on the merged weight.

  const Tensor& spectrum() const { return spectrum_; }  // (N)
  const fourierft::SpectralEntries& entries() const { return entries_; }
  const HartleyOptions& options() const { return options_; }

 private:
  HartleyOptions options_;
  fourierft::SpectralEntries entries_;
  Tensor spectrum_;  // (N), registered as "hartley_spectrum"
};

}  // namespace fftune::adapters
