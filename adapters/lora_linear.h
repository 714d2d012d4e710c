// LoRALinear: the LoRA adapter for one Linear layer (Hu et al. 2021, HF peft's lora.Linear), the
// baseline FourierFT is measured against. It owns two trainable matrices A (r, in) and
// B (out, r) — peft's lora_A.weight and lora_B.weight, same names and layouts — and
//   ΔW = scaling · B·A,   scaling = lora_alpha / r   (lora_alpha / √r with use_rslora).
// The forward runs the low-rank path and never forms ΔW:
//   y = x·W0ᵀ + b + scaling · (dropout(x)·Aᵀ)·Bᵀ.
#pragma once

#include "core/tensor/factory.h"
#include "nn/linear_adapter.h"

namespace fftune::adapters {

// The per-layer settings, with peft's LoRAConfig names and defaults.
struct LoRAOptions {
  int64_t r = 8;              // the rank
  double lora_alpha = 8.0;    // α
  double lora_dropout = 0.0;  // dropout on the adapter's input, in training mode only
  // true: A by kaiming_uniform_(a = √5) (torch's Linear init), B zeros, so ΔW starts at 0.
  // false: both keep torch's Linear init (A then B drawn), so ΔW starts random — peft's
  // init_lora_weights=False, meant for tests.
  bool init_lora_weights = true;
  bool use_rslora = false;  // rank-stabilised scaling α/√r (Kalajdzievski 2023)
};

class LoRALinear final : public nn::LinearAdapter {
 public:
  // For a base layer with weight (out_features, in_features). Random values are drawn from `gen`
  // (the default generator when null); dropout masks from the default generator.
  LoRALinear(int64_t out_features, int64_t in_features, const LoRAOptions& options,
             Generator* gen = nullptr, DType dtype = DType::f32, Device device = Device::cpu());

  std::string method() const override { return "lora"; }
  Tensor delta_weight() const override;  // scaling · B·A, (out, in)
  Tensor forward(const Tensor& x, const Tensor& weight, const Tensor& bias) const override;

  const Tensor& lora_A() const { return lora_A_; }  // (r, in)
  const Tensor& lora_B() const { return lora_B_; }  // (out, r)
  double scaling() const { return scaling_; }
  const LoRAOptions& options() const { return options_; }

 private:
  LoRAOptions options_;
  double scaling_;
  Tensor lora_A_;  // (r, in), registered as "lora_A"
  Tensor lora_B_;  // (out, r), registered as "lora_B"
};

}  // namespace fftune::adapters
