// clamp(x, min, max): y = min(max(x, min), max) elementwise, as torch.clamp: either bound may be
// missing (not both), max wins where min > max, NaN stays NaN.
//
// The gradient is torch's (checked against torch 2.15): g passes where min < x < max, strictly —
// an input sitting exactly on a bound gets 0, as does a NaN input, and every input when
// min > max; a missing bound does not cut, so x = ±inf keeps its gradient on the open side.
// The kernels take a missing bound as NaN, so a NaN bound from the caller is an error.
#include <cmath>
#include <limits>
#include <optional>

#include "core/autograd/node.h"
#include "ops/cpu/clamp_kernels.h"
#include "ops/cuda/clamp_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

class ClampBackward final : public Node {
 public:
  ClampBackward(double lo, double hi) : lo_(lo), hi_(hi) {}
  std::string name() const override { return "ClampBackward"; }

  SavedTensor x;  // the input, x's shape

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];  // x's shape
    const Tensor xs = x.unpack(*this);
    Tensor dx = empty(g.shape(), g.dtype(), g.device());
    if (g.device().is_cpu())
      cpu::clamp_backward(dx, g, xs, lo_, hi_);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(cuda::clamp_backward(dx, g, xs, lo_, hi_), "clamp backward",
                               g.device());
    return {dx};
  }

 private:
  double lo_, hi_;  // the bounds, NaN where missing
};

}  // namespace

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  check_defined("clamp", x, "x");
  FFTUNE_CHECK(min || max, "clamp: at least one of min and max must be given");
  FFTUNE_CHECK(is_floating(x.dtype()), "clamp: expected a floating tensor (f32, f64), got ",
               x.dtype());
  FFTUNE_CHECK(!(min && std::isnan(*min)) && !(max && std::isnan(*max)),
               "clamp: min and max must not be NaN");
  const double missing = std::numeric_limits<double>::quiet_NaN();
  const double lo = min.value_or(missing), hi = max.value_or(missing);
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  if (x.device().is_cpu())
    cpu::clamp_forward(y, x, lo, hi);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::clamp_forward(y, x, lo, hi), "clamp", x.device());
  if (auto node = make_node<ClampBackward>({x}, lo, hi)) {
    node->save(node->x, x);
    attach(node, {y});
  }
  return y;
}

}  // namespace fftune
