#include "nn/linear.h"

#include <cmath>

#include "nn/init.h"
#include "ops/ops.h"

namespace fftune::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias, Generator* gen, DType dtype,
               Device device)
    : in_features_(in_features), out_features_(out_features) {
  FFTUNE_CHECK(in_features > 0 && out_features > 0,
               "Linear: in_features and out_features must be positive, got ", in_features, " and ",
               out_features);
  weight_ = register_parameter("weight", empty({out_features, in_features}, dtype, device));
  init::kaiming_uniform_(weight_, std::sqrt(5.0), init::FanMode::kFanIn, gen);
  if (bias) {
    bias_ = register_parameter("bias", empty({out_features}, dtype, device));
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    init::uniform_(bias_, -bound, bound, gen);
  }
}

Tensor Linear::forward(const Tensor& x) const {
  FFTUNE_CHECK(x.dim() >= 1 && x.size(-1) == in_features_, "Linear: x must be (…, ", in_features_,
               "), got ", x.shape());
  return linear(x, weight_, bias_);
}

}  // namespace fftune::nn
