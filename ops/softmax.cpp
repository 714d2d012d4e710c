// softmax and log_softmax over one dim, each one fused kernel forward and backward
// (ops/cpu/softmax_kernels.h). Both subtract the row max before exponentiating, so large
// logits never overflow. Backward needs only the output y:
//   softmax:      dx = y · (g − Σ g·y)
//   log_softmax:  dx = g − exp(y) · Σ g        (exp(y) is the softmax)
#include "core/autograd/node.h"
#include "ops/cpu/softmax_kernels.h"
#include "ops/cuda/softmax_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

// The (outer, n, inner) view of a contiguous tensor around `dim` (a 0-dim tensor is (1, 1, 1)).
struct SoftmaxGeometry {
  int64_t outer = 1, n = 1, inner = 1;
};

SoftmaxGeometry geometry(const Shape& shape, int64_t dim) {
  SoftmaxGeometry s;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < dim) s.outer *= shape[d];
    if (d == dim) s.n = shape[d];
    if (d > dim) s.inner *= shape[d];
  }
  return s;
}

class SoftmaxBackward final : public Node {
 public:
  SoftmaxBackward(SoftmaxGeometry geo, bool log) : geo_(geo), log_(log) {}
  std::string name() const override { return log_ ? "LogSoftmaxBackward" : "SoftmaxBackward"; }

  SavedTensor y;  // the output, contiguous, x's shape

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor out = y.unpack(*this);
    const Tensor g = grads[0].contiguous();
    Tensor dx = empty(out.shape(), out.dtype(), out.device());
    if (out.device().is_cpu())
      cpu::softmax_backward(dx, g, out, geo_.outer, geo_.n, geo_.inner, log_);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(
          cuda::softmax_backward(dx, g, out, geo_.outer, geo_.n, geo_.inner, log_),
          log_ ? "log_softmax" : "softmax", out.device());
    return {dx};
  }

 private:
  SoftmaxGeometry geo_;
  bool log_;
};

Tensor softmax_op(const Tensor& x, int64_t dim, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  check_defined(name, x, "x");
  FFTUNE_CHECK(is_floating(x.dtype()), name, ": expected a floating tensor (f32, f64), got ",
               x.dtype());
  const int64_t d = wrap_dim(dim, x.dim(), name);
  const SoftmaxGeometry geo = geometry(x.shape(), d);
  const Tensor xc = x.detach().contiguous();
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  if (x.device().is_cpu())
    cpu::softmax_forward(y, xc, geo.outer, geo.n, geo.inner, log);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::softmax_forward(y, xc, geo.outer, geo.n, geo.inner, log), name,
                             x.device());
  if (auto node = make_node<SoftmaxBackward>({x}, geo, log)) {
    node->save(node->y, y);
    attach(node, {y});
  }
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  return softmax_op(x, dim, /*log=*/false);
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  return softmax_op(x, dim, /*log=*/true);
}

}  // namespace fftune
