#include "nn/conv2d.h"

#include <cmath>

#include "nn/init.h"
#include "ops/ops.h"

namespace fftune::nn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, std::pair<int64_t, int64_t> kernel_size,
               std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding, bool bias,
               Generator* gen, DType dtype, Device device)
    : stride_(stride), padding_(padding) {
  FFTUNE_CHECK(
      in_channels > 0 && out_channels > 0 && kernel_size.first > 0 && kernel_size.second > 0,
      "Conv2d: channels and kernel size must be positive, got in ", in_channels, ", out ",
      out_channels, ", kernel ", kernel_size.first, "x", kernel_size.second);
  weight_ = register_parameter(
      "weight",
      empty({out_channels, in_channels, kernel_size.first, kernel_size.second}, dtype, device));
  init::kaiming_uniform_(weight_, std::sqrt(5.0), init::FanMode::kFanIn, gen);
  if (bias) {
    bias_ = register_parameter("bias", empty({out_channels}, dtype, device));
    const double fan_in = static_cast<double>(init::fans(weight_).fan_in);
    init::uniform_(bias_, -1.0 / std::sqrt(fan_in), 1.0 / std::sqrt(fan_in), gen);
  }
}

Tensor Conv2d::forward(const Tensor& x) const {
  if (adapter_) return adapter_->forward(x, weight_, bias_, stride_, padding_);
  return conv2d(x, weight_, bias_, stride_, padding_);
}

void Conv2d::attach_adapter(std::shared_ptr<Conv2dAdapter> adapter) {
  FFTUNE_CHECK(adapter != nullptr, "Conv2d::attach_adapter: the adapter is null");
  FFTUNE_CHECK(adapter_ == nullptr, "Conv2d::attach_adapter: this layer already has a '",
               adapter_->method(), "' adapter");
  adapter_ = register_module("adapter", std::move(adapter));
}

}  // namespace fftune::nn
