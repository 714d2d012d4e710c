// dropout(x, p, training, gen): zeroes each element with probability p and scales the others
// by 1/(1 − p), so the expected value is unchanged. Identity (x itself, no copy) when !training
// or p == 0; p == 1 gives zeros. The mask is Note [dropout mask] (ops/dropout_math.h).
//
// Backward multiplies the output gradient by the same mask. The mask is not stored: the node
// keeps (seed, stream) — two integers — and regenerates it. Storing it would keep one byte per
// element alive until backward (12 MB for a (4096, 3072) activation, per dropout layer).
// Regenerating costs one Philox evaluation (10 rounds) per element: free on a GPU, where the
// pass is bound by memory traffic, and several times a plain copy on a CPU core (docs/perf.md,
// "Memory-bound ops") — the price of masks that match CUDA's.
#include "core/autograd/node.h"
#include "ops/cpu/dropout_kernels.h"
#include "ops/cuda/dropout_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

class DropoutBackward final : public Node {
 public:
  DropoutBackward(float p, double scale, uint64_t seed, uint64_t stream)
      : p_(p), scale_(scale), seed_(seed), stream_(stream) {}
  std::string name() const override { return "DropoutBackward"; }

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor g = grads[0].contiguous();
    Tensor dx = empty(g.shape(), g.dtype(), g.device());
    if (g.device().is_cpu())
      cpu::dropout_apply(dx, g, p_, scale_, seed_, stream_);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(cuda::dropout_apply(dx, g, p_, scale_, seed_, stream_), "dropout",
                               g.device());
    return {dx};
  }

 private:
  float p_;       // drop probability, as the mask compares it
  double scale_;  // 1/(1 − p), or 0 when p == 1
  uint64_t seed_, stream_;
};

}  // namespace

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  check_defined("dropout", x, "x");
  FFTUNE_CHECK(p >= 0.0 && p <= 1.0, "dropout: p must be in [0, 1], got ", p);
  FFTUNE_CHECK(is_floating(x.dtype()), "dropout: expected a floating tensor (f32, f64), got ",
               x.dtype());
  if (!training || p == 0.0) return x;

  Generator& g = gen ? *gen : default_generator();
  const uint64_t seed = g.seed(), stream = g.next_stream();
  const float pf = static_cast<float>(p);
  const double scale = p == 1.0 ? 0.0 : 1.0 / (1.0 - p);
  const Tensor xc = x.detach().contiguous();
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  if (x.device().is_cpu())
    cpu::dropout_apply(y, xc, pf, scale, seed, stream);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::dropout_apply(y, xc, pf, scale, seed, stream), "dropout",
                             x.device());
  if (auto node = make_node<DropoutBackward>({x}, pf, scale, seed, stream)) attach(node, {y});
  return y;
}

}  // namespace fftune
