#include "adapters/lora_linear.h"

#include <algorithm>
#include <cmath>

#include "nn/init.h"
#include "ops/ops.h"

namespace fftune::adapters {

LoRALinear::LoRALinear(int64_t out_features, int64_t in_features, const LoRAOptions& options,
                       Generator* gen, DType dtype, Device device)
    : options_(options) {
  FFTUNE_CHECK(out_features > 0 && in_features > 0,
               "LoRALinear: out_features and in_features must be positive, got ", out_features,
               " and ", in_features);
  FFTUNE_CHECK(options.r > 0, "LoRALinear: r must be positive, got ", options.r);
  // B·A has rank at most min(out, in): a larger r adds parameters but no expressiveness, and a
  // huge one (r = 10^12 in a config file) would allocate (r, in) and (out, r) matrices.
  const int64_t max_rank = std::min(out_features, in_features);
  FFTUNE_CHECK(options.r <= max_rank, "LoRALinear: r ", options.r,
               " exceeds min(out_features, in_features) = ", max_rank, " of a (", out_features,
               ", ", in_features, ") layer (B·A cannot have a higher rank)");
  FFTUNE_CHECK(options.lora_dropout >= 0.0 && options.lora_dropout < 1.0,
               "LoRALinear: lora_dropout must be in [0, 1), got ", options.lora_dropout);
  const double r = static_cast<double>(options.r);
  scaling_ = options.use_rslora ? options.lora_alpha / std::sqrt(r) : options.lora_alpha / r;

  lora_A_ = register_parameter("lora_A", empty({options.r, in_features}, dtype, device));
  lora_B_ = register_parameter("lora_B", empty({out_features, options.r}, dtype, device));
  // peft builds A and B as torch Linears (kaiming_uniform_(a = √5) each, A first) and, with
  // init_lora_weights, redraws A the same way and zeroes B.
  nn::init::kaiming_uniform_(lora_A_, std::sqrt(5.0), nn::init::FanMode::kFanIn, gen);
  if (options.init_lora_weights) {
    nn::init::zeros_(lora_B_);
  } else {
    nn::init::kaiming_uniform_(lora_B_, std::sqrt(5.0), nn::init::FanMode::kFanIn, gen);
  }
}

Tensor LoRALinear::delta_weight() const {
  return mul(matmul(lora_B_, lora_A_), scaling_);  // (out, r)·(r, in)
}

Tensor LoRALinear::forward(const Tensor& x, const Tensor& weight, const Tensor& bias) const {
  const Tensor base = linear(x, weight, bias);                         // (…, out)
  const Tensor xd = dropout(x, options_.lora_dropout, is_training());  // (…, in)
  const Tensor low_rank = linear(linear(xd, lora_A_), lora_B_);        // (…, out)
  return add(base, mul(low_rank, scaling_));
}

}  // namespace fftune::adapters
