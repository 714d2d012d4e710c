#include "nn/clip_grad.h"

#include <algorithm>
#include <cmath>

#include "ops/ops.h"

namespace fftune::nn {

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm) {
  FFTUNE_CHECK(max_norm >= 0, "clip_grad_norm_: max_norm must be >= 0, got ", max_norm);
  NoGradGuard no_grad;
  double sum_squares = 0.0;
  for (const Tensor& p : params) {
    const Tensor& g = p.grad();
    if (!g.defined()) continue;
    FFTUNE_CHECK(is_floating(g.dtype()), "clip_grad_norm_: gradients must be f32 or f64, got ",
                 g.dtype());
    sum_squares += sum(mul(g, g)).item();
  }
  const double total_norm = std::sqrt(sum_squares);
  const double coef = max_norm / (total_norm + 1e-6);
  if (coef < 1.0) {
    for (const Tensor& p : params) {
      if (!p.grad().defined()) continue;
      Tensor g = p.grad();
      mul_(g, coef);
    }
  }
  return total_norm;
}

GradientAccumulation::GradientAccumulation(int64_t steps) : steps_(steps) {
  FFTUNE_CHECK(steps >= 1, "GradientAccumulation: steps must be >= 1, got ", steps);
}

double GradientAccumulation::loss_scale(int64_t index, int64_t count) const {
  FFTUNE_CHECK(index >= 0 && index < count, "GradientAccumulation: micro-batch ", index,
               " outside an epoch of ", count);
  const int64_t group_start = index / steps_ * steps_;
  return 1.0 / static_cast<double>(std::min(steps_, count - group_start));
}

bool GradientAccumulation::ends_group(int64_t index, int64_t count) const {
  FFTUNE_CHECK(index >= 0 && index < count, "GradientAccumulation: micro-batch ", index,
               " outside an epoch of ", count);
  return (index + 1) % steps_ == 0 || index + 1 == count;
}

}  // namespace fftune::nn
