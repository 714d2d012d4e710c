#include "nn/init.h"

#include <cmath>

#include "ops/ops.h"

namespace fftune::nn::init {
namespace {

void check_floating(const Tensor& t, const char* op) {
  FFTUNE_CHECK(t.defined(), op, ": the tensor is undefined");
  FFTUNE_CHECK(is_floating(t.dtype()), op, ": expected a floating tensor (f32, f64), got ",
               t.dtype());
}

}  // namespace

void uniform_(Tensor& t, double a, double b, Generator* gen) {
  check_floating(t, "uniform_");
  FFTUNE_CHECK(a <= b, "uniform_: expected a <= b, got a = ", a, ", b = ", b);
  NoGradGuard no_grad;
  t.copy_(add(mul(rand(t.shape(), t.dtype(), t.device(), gen), b - a), a));
}

void normal_(Tensor& t, double mean, double std, Generator* gen) {
  check_floating(t, "normal_");
  FFTUNE_CHECK(std >= 0, "normal_: expected std >= 0, got ", std);
  NoGradGuard no_grad;
  t.copy_(add(mul(randn(t.shape(), t.dtype(), t.device(), gen), std), mean));
}

void zeros_(Tensor& t) {
  check_floating(t, "zeros_");
  NoGradGuard no_grad;
  t.zero_();
}

void ones_(Tensor& t) {
  check_floating(t, "ones_");
  NoGradGuard no_grad;
  t.fill_(1.0);
}

Fans fans(const Tensor& t) {
  FFTUNE_CHECK(t.dim() >= 2, "init: fan in and fan out need a tensor with at least 2 dims, got ",
               t.shape());
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

void kaiming_uniform_(Tensor& t, double a, FanMode mode, Generator* gen) {
  check_floating(t, "kaiming_uniform_");
  const Fans f = fans(t);
  const int64_t fan = mode == FanMode::kFanIn ? f.fan_in : f.fan_out;
  FFTUNE_CHECK(fan > 0, "kaiming_uniform_: zero fan in a tensor of shape ", t.shape());
  const double gain = std::sqrt(2.0 / (1.0 + a * a));
  const double bound = gain * std::sqrt(3.0 / static_cast<double>(fan));
  uniform_(t, -bound, bound, gen);
}

void xavier_uniform_(Tensor& t, double gain, Generator* gen) {
  check_floating(t, "xavier_uniform_");
  const Fans f = fans(t);
  FFTUNE_CHECK(f.fan_in + f.fan_out > 0, "xavier_uniform_: zero fans in a tensor of shape ",
               t.shape());
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(f.fan_in + f.fan_out));
  uniform_(t, -bound, bound, gen);
}

}  // namespace fftune::nn::init
