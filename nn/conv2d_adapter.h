// Conv2dAdapter: the seam for weight-delta adapters on convolutions, the twin of LinearAdapter
// (nn/linear_adapter.h). An adapter attaches to one Conv2d (Conv2d::attach_adapter); the Conv2d
// keeps its base kernel W0 (out, in, kh, kw) and bias, the adapter owns its own parameters and
// says what ΔW (out, in, kh, kw) they make. The registry (adapters/registry.h) has a factory slot
// for it; FourierFT on convolutions is the first adapter meant to fill it.
#pragma once

#include <string>
#include <utility>

#include "nn/module.h"
#include "ops/ops.h"

namespace fftune::nn {

class Conv2dAdapter : public Module {
 public:
  virtual std::string method() const = 0;
  // ΔW (out, in, kh, kw), differentiable with respect to the adapter's parameters.
  virtual Tensor delta_weight() const = 0;
  // conv2d(x, weight + ΔW, bias) for x (B, in, H, W); weight is the frozen base W0.
  virtual Tensor forward(const Tensor& x, const Tensor& weight, const Tensor& bias,
                         std::pair<int64_t, int64_t> stride,
                         std::pair<int64_t, int64_t> padding) const {
    return conv2d(x, add(weight, delta_weight()), bias, stride, padding);
  }
};

}  // namespace fftune::nn
