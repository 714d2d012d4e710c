#include "nn/activation.h"

namespace fftune::nn {

Activation activation_from_name(const std::string& hidden_act) {
  if (hidden_act == "gelu") return Activation::kGelu;
  if (hidden_act == "gelu_new" || hidden_act == "gelu_pytorch_tanh") return Activation::kGeluTanh;
  if (hidden_act == "relu") return Activation::kRelu;
  if (hidden_act == "tanh") return Activation::kTanh;
  FFTUNE_FAIL("unsupported hidden_act '", hidden_act,
              "' (supported: gelu, gelu_new, gelu_pytorch_tanh, relu, tanh)");
}

Tensor apply_activation(Activation activation, const Tensor& x) {
  switch (activation) {
    case Activation::kGelu:
      return gelu(x, GeluApproximation::kNone);
    case Activation::kGeluTanh:
      return gelu(x, GeluApproximation::kTanh);
    case Activation::kRelu:
      return relu(x);
    case Activation::kTanh:
      return tanh(x);
  }
  return x;
}

}  // namespace fftune::nn
