// FourierFTLinear: the FourierFT adapter for one Linear layer (paper §3, HF peft's
// FourierFTLayer). It owns n trainable spectral coefficients — peft's `fourierft_spectrum` — at
// fixed entries of the (out, in) spectrum, and ΔW = scaling · Re(ifft2(todense(E, c))).
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "fourierft/entries.h"
#include "fourierft/fourierft_linear_op.h"
#include "nn/linear_adapter.h"

namespace fftune::fourierft {

// Frequency-biased entry sampling (paper §3.1, Eq. 5): favoured centre frequency and band width.
struct FrequencyBias {
  double fc = 0.0;
  double width = 200.0;
};

// The per-layer settings, with peft's FourierFTConfig names and defaults.
struct FourierFTOptions {
  int64_t n_frequency = 1000;      // n, the number of trainable coefficients
  double scaling = 150.0;          // α
  uint64_t random_loc_seed = 777;  // the seed of peft's entry permutation
  bool init_weights = false;       // false: coefficients ~ N(0, 1) (peft's default); true: zeros
  std::optional<FrequencyBias> frequency_bias;  // fftune's extension; peft samples uniformly
  CoeffGradPath grad_path = default_coeff_grad_path();
};

class FourierFTLinear final : public nn::LinearAdapter {
 public:
  // For a base layer with weight (out_features, in_features). The coefficients are drawn from
  // `gen` (the default generator when null) unless init_weights.
  FourierFTLinear(int64_t out_features, int64_t in_features, const FourierFTOptions& options,
                  Generator* gen = nullptr, DType dtype = DType::f32,
                  Device device = Device::cpu());

  std::string method() const override { return "fourierft"; }
  Tensor delta_weight() const override;  // (out, in)
  Tensor forward(const Tensor& x, const Tensor& weight, const Tensor& bias) const override;

  const Tensor& spectrum() const { return spectrum_; }  // (N)
  const SpectralEntries& entries() const { return entries_; }
  const FourierFTOptions& options() const { return options_; }

  // Shares the row spectrum of the input with the other layers holding `share` (Note [row
  // spectrum sharing] in fourierft/fourierft_linear_op.h; the injector hands one to the adapted
  // layers of each parent module). Null: this layer computes its own.
  void share_row_spectrum(std::shared_ptr<RowSpectrumShare> share) {
    row_spectrum_share_ = std::move(share);
  }
  const std::shared_ptr<RowSpectrumShare>& row_spectrum_share() const {
    return row_spectrum_share_;
  }

 private:
  FourierFTOptions options_;
  SpectralEntries entries_;
  Tensor spectrum_;  // (N), registered as "fourierft_spectrum"
  std::shared_ptr<RowSpectrumShare> row_spectrum_share_;
};

}  // namespace fftune::fourierft
