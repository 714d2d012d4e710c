// LayerNorm over the trailing dims `normalized_shape`, as torch.nn.LayerNorm: parameters
// "weight" (ones) and "bias" (zeros) of that shape when elementwise_affine, and eps. The math is
// ops/layer_norm.cpp (one fused pass forward, one backward).
#pragma once

#include "core/tensor/factory.h"
#include "nn/module.h"

namespace fftune::nn {

class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true,
                     DType dtype = DType::f32, Device device = Device::cpu());

  // x (…, normalized_shape) -> same shape.
  Tensor forward(const Tensor& x) const;

  const Shape& normalized_shape() const { return normalized_shape_; }
  double eps() const { return eps_; }
  const Tensor& weight() const { return weight_; }  // undefined without elementwise_affine
  const Tensor& bias() const { return bias_; }

 private:
  Shape normalized_shape_;
  double eps_;
  Tensor weight_, bias_;
};

}  // namespace fftune::nn
