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
  if (adapter_ && !merged_) return adapter_->forward(x, weight_, bias_);
  return linear(x, weight_, bias_);
}

void Linear::attach_adapter(std::shared_ptr<LinearAdapter> adapter) {
  FFTUNE_CHECK(adapter != nullptr, "Linear::attach_adapter: the adapter is null");
  FFTUNE_CHECK(adapter_ == nullptr, "Linear::attach_adapter: this layer already has a '",
               adapter_->method(), "' adapter");
  adapter_ = register_module("adapter", std::move(adapter));
}

void Linear::merge_adapter(bool safe) {
  FFTUNE_CHECK(adapter_ != nullptr, "Linear::merge_adapter: no adapter attached");
  FFTUNE_CHECK(!merged_, "Linear::merge_adapter: the adapter is already merged");
  NoGradGuard no_grad;
  const Tensor delta = adapter_->delta_weight();
  if (safe) {
    const double total = sum(abs(delta.to(DType::f64))).item<double>();
    FFTUNE_CHECK(std::isfinite(total), "Linear::merge_adapter: the '", adapter_->method(),
                 "' adapter's ΔW has NaN or infinite values; the base weight was left unchanged");
  }
  add_(weight_, delta);
  merged_ = true;
}

void Linear::unmerge_adapter() {
  FFTUNE_CHECK(adapter_ != nullptr && merged_, "Linear::unmerge_adapter: no merged adapter");
  NoGradGuard no_grad;
  add_(weight_, adapter_->delta_weight(), -1.0);
  merged_ = false;
}

}  // namespace fftune::nn
