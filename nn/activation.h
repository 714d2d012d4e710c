// Activations by the names Hugging Face configs use for hidden_act, and the GELU module.
//   "gelu"                           exact GELU, x·Φ(x) (erf form)
//   "gelu_new", "gelu_pytorch_tanh"  the tanh approximation (GPT-2's, and torch's "tanh")
//   "relu", "tanh"
#pragma once

#include <string>

#include "nn/module.h"
#include "ops/ops.h"

namespace fftune::nn {

enum class Activation { kGelu, kGeluTanh, kRelu, kTanh };

// The activation HF names `hidden_act`; any other name is an error listing the supported ones.
Activation activation_from_name(const std::string& hidden_act);
Tensor apply_activation(Activation activation, const Tensor& x);

// GELU as torch.nn.GELU(approximate="none" | "tanh"). No parameters.
class GELU : public Module {
 public:
  explicit GELU(GeluApproximation approximate = GeluApproximation::kNone)
      : approximate_(approximate) {}
  Tensor forward(const Tensor& x) const { return gelu(x, approximate_); }
  GeluApproximation approximate() const { return approximate_; }

 private:
  GeluApproximation approximate_;
};

}  // namespace fftune::nn
