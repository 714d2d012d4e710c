#include "nn/layer_norm.h"

#include "ops/ops.h"

namespace fftune::nn {

LayerNorm::LayerNorm(Shape normalized_shape, double eps, bool elementwise_affine, DType dtype,
                     Device device)
    : normalized_shape_(std::move(normalized_shape)), eps_(eps) {
  FFTUNE_CHECK(!normalized_shape_.empty(), "LayerNorm: normalized_shape must not be empty");
  FFTUNE_CHECK(eps > 0, "LayerNorm: eps must be positive, got ", eps);
  if (elementwise_affine) {
    weight_ = register_parameter("weight", ones(normalized_shape_, dtype, device));
    bias_ = register_parameter("bias", zeros(normalized_shape_, dtype, device));
  }
}

Tensor LayerNorm::forward(const Tensor& x) const {
  return layer_norm(x, normalized_shape_, weight_, bias_, eps_);
}

}  // namespace fftune::nn
