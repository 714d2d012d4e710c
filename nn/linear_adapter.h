// LinearAdapter: the seam every weight-delta adapter plugs into (DESIGN.md §4).
//
// An adapter attaches to one Linear (Linear::attach_adapter). The Linear keeps its base weight
// W0 (out, in) and bias; the adapter owns its own trainable parameters and says
//   - what ΔW (out, in) they make (delta_weight),
//   - how the adapted layer computes y = x·(W0 + ΔW)ᵀ + b (forward; the default forms the merged
//     weight for one GEMM, an adapter may do better — LoRA's low-rank path, FourierFT's fused op),
//   - its method name ("fourierft", "lora", "hartley").
// Merging ΔW into W0 and back is the Linear's job (it owns W0). Parameter counts, saving and
// loading work on the adapter as on any Module (named_parameters). A new adapter is one class
// implementing this interface: adapters/hartley_adapter.h is the worked example
// (docs/new-adapter.md).
#pragma once

#include <string>

#include "nn/module.h"
#include "ops/ops.h"

namespace fftune::nn {

class LinearAdapter : public Module {
 public:
  virtual std::string method() const = 0;
  // ΔW (out, in), differentiable with respect to the adapter's parameters.
  virtual Tensor delta_weight() const = 0;
  // y = x·(weight + ΔW)ᵀ + bias for x (…, in). weight is the frozen base W0.
  virtual Tensor forward(const Tensor& x, const Tensor& weight, const Tensor& bias) const {
    return linear(x, add(weight, delta_weight()), bias);
  }
};

}  // namespace fftune::nn
