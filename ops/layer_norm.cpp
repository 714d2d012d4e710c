// layer_norm over the trailing dims given by normalized_shape (torch.nn.functional.layer_norm):
//   y = (x − mean) / √(var + eps) · weight + bias,   mean and biased var per row.
// One fused kernel forward (which keeps mean and rstd = 1/√(var + eps) per row for backward)
// and one fused kernel backward that produces dx, dweight and dbias, each only if needed: a
// frozen LayerNorm (PEFT) costs no column reductions.
#include "core/autograd/node.h"
#include "ops/cpu/layer_norm_kernels.h"
#include "ops/cuda/layer_norm_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

class LayerNormBackward final : public Node {
 public:
  LayerNormBackward(Shape normalized_shape, int64_t BT, int64_t C)
      : normalized_shape_(std::move(normalized_shape)), BT_(BT), C_(C) {}
  std::string name() const override { return "LayerNormBackward"; }

  SavedTensor x;       // (BT, C) contiguous (x's shape)
  SavedTensor mean;    // (BT)
  SavedTensor rstd;    // (BT)
  SavedTensor weight;  // (C) or undefined

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor xs = x.unpack(*this), w = weight.unpack(*this);
    const Tensor g = grads[0].contiguous();
    Tensor dx, dweight, dbias;
    if (needs_input_grad(0)) dx = empty(xs.shape(), xs.dtype(), xs.device());
    if (needs_input_grad(1)) dweight = empty(w.shape(), w.dtype(), w.device());
    if (needs_input_grad(2)) dbias = empty(normalized_shape_, xs.dtype(), xs.device());
    if (xs.device().is_cpu())
      cpu::layer_norm_backward(dx, dweight, dbias, g, xs, mean.unpack(*this), rstd.unpack(*this), w,
                               BT_, C_);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(
          cuda::layer_norm_backward(dx, dweight, dbias, g, xs, mean.unpack(*this),
                                    rstd.unpack(*this), w, BT_, C_),
          "layer_norm", xs.device());
    return {dx, dweight, dbias};
  }

 private:
  Shape normalized_shape_;  // the shape of weight and bias
  int64_t BT_, C_;          // rows, and elements per row
};

void check_affine(const Tensor& t, const char* arg, const Tensor& x, const Shape& normalized) {
  if (!t.defined()) return;
  FFTUNE_CHECK(t.shape() == normalized, "layer_norm: ", arg, " must have the normalized shape ",
               normalized, ", got ", t.shape());
  FFTUNE_CHECK(t.dtype() == x.dtype(), "layer_norm: ", arg, " has dtype ", t.dtype(), " but x has ",
               x.dtype());
  FFTUNE_CHECK(t.device() == x.device(), "layer_norm: ", arg, " is on ", t.device(),
               " but x is on ", x.device());
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  check_defined("layer_norm", x, "x");
  FFTUNE_CHECK(is_floating(x.dtype()), "layer_norm: expected a floating tensor (f32, f64), got ",
               x.dtype());
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  FFTUNE_CHECK(k >= 1, "layer_norm: normalized_shape must name at least one dim");
  bool trailing = x.dim() >= k;
  for (int64_t i = 0; trailing && i < k; ++i)
    trailing = x.shape()[x.dim() - k + i] == normalized_shape[i];
  FFTUNE_CHECK(trailing, "layer_norm: normalized_shape ", normalized_shape,
               " does not match the trailing dims of x ", x.shape());
  FFTUNE_CHECK(eps >= 0, "layer_norm: eps must be non-negative, got ", eps);
  check_affine(weight, "weight", x, normalized_shape);
  check_affine(bias, "bias", x, normalized_shape);

  const int64_t C = numel_of(normalized_shape);
  const int64_t BT = C == 0 ? 0 : x.numel() / C;
  const Tensor xc = x.detach().contiguous();
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  Tensor mean = empty({BT}, x.dtype(), x.device());
  Tensor rstd = empty({BT}, x.dtype(), x.device());
  if (x.device().is_cpu())
    cpu::layer_norm_forward(y, mean, rstd, xc, weight, bias, BT, C, eps);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::layer_norm_forward(y, mean, rstd, xc, weight, bias, BT, C, eps),
                             "layer_norm", x.device());

  if (auto node = make_node<LayerNormBackward>({x, weight, bias}, normalized_shape, BT, C)) {
    node->save(node->x, xc);
    node->save(node->mean, mean);
    node->save(node->rstd, rstd);
    node->save(node->weight, weight);
    attach(node, {y});
  }
  return y;
}

}  // namespace fftune
