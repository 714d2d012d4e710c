// conv2d (NCHW): x (B, C, H, W) * weight (O, C, KH, KW) + bias (O) -> (B, O, OH, OW), with
// stride and zero padding — the ViT patch embedding. Kernels: im2col + GEMM on the CPU
// (ops/cpu/conv2d.h), cuDNN on CUDA (ops/cuda/cudnn_conv.h, f32).
// Backward: dx by the transposed convolution, dweight/dbias by correlating dy with x.
#include "ops/cpu/conv2d.h"
#include "core/autograd/node.h"
#include "ops/cuda/cudnn_conv.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

class Conv2dBackward final : public Node {
 public:
  explicit Conv2dBackward(cpu::Conv2dShape s) : s_(s) {}
  std::string name() const override { return "Conv2dBackward"; }
  SavedTensor x;       // (B, C, H, W), contiguous
  SavedTensor weight;  // (O, C, KH, KW), contiguous
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor g = grads[0].contiguous();  // (B, O, OH, OW)
    Tensor dx, dw, db;
    if (needs_input_grad(0)) {
      const Tensor w = weight.unpack(*this);
      dx = empty({s_.batch, s_.in_channels, s_.height, s_.width}, g.dtype(), g.device());
      if (g.device().is_cpu())
        dispatch_float(g.dtype(), "conv2d", [&]<typename T>() {
          cpu::conv2d_backward_input(dx.data<T>(), g.data<T>(), w.data<T>(), s_);
        });
      else
        FFTUNE_CUDA_OR_NO_KERNEL(cuda::conv2d_backward_input(dx, g, w, s_), "conv2d", g.device());
    }
    if (needs_input_grad(1) || needs_input_grad(2)) {
      const Tensor xv = x.unpack(*this);
      dw =
          empty({s_.out_channels, s_.in_channels, s_.kernel_h, s_.kernel_w}, g.dtype(), g.device());
      if (needs_input_grad(2)) db = empty({s_.out_channels}, g.dtype(), g.device());
      if (g.device().is_cpu())
        dispatch_float(g.dtype(), "conv2d", [&]<typename T>() {
          cpu::conv2d_backward_weight(dw.data<T>(), db.defined() ? db.data<T>() : nullptr,
                                      g.data<T>(), xv.data<T>(), s_);
        });
      else
        FFTUNE_CUDA_OR_NO_KERNEL(cuda::conv2d_backward_weight(dw, db, g, xv, s_), "conv2d",
                                 g.device());
      if (!needs_input_grad(1)) dw = Tensor();
    }
    return {dx, dw, db};
  }

 private:
  cpu::Conv2dShape s_;
};

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              std::pair<int64_t, int64_t> stride, std::pair<int64_t, int64_t> padding) {
  check_defined("conv2d", x, "x");
  check_defined("conv2d", weight, "weight");
  check_same_device("conv2d", {x, weight});
  check_same_dtype("conv2d", x, weight);
  FFTUNE_CHECK(x.dim() == 4, "conv2d: x must be (B, C, H, W), got ", x.shape());
  FFTUNE_CHECK(weight.dim() == 4 && weight.size(1) == x.size(1), "conv2d: weight must be (O, ",
               x.size(1), ", KH, KW) for x ", x.shape(), ", got ", weight.shape());
  FFTUNE_CHECK(stride.first > 0 && stride.second > 0, "conv2d: stride must be positive");
  FFTUNE_CHECK(padding.first >= 0 && padding.second >= 0, "conv2d: padding must be >= 0");
  if (bias.defined()) {
    check_same_device("conv2d", {x, bias});
    check_same_dtype("conv2d", x, bias);
    FFTUNE_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "conv2d: bias must be (",
                 weight.size(0), "), got ", bias.shape());
  }
  const cpu::Conv2dShape s{x.size(0),      x.size(1),      x.size(2),      x.size(3),
                           weight.size(0), weight.size(2), weight.size(3), stride.first,
                           stride.second,  padding.first,  padding.second};
  FFTUNE_CHECK(s.out_h() > 0 && s.out_w() > 0, "conv2d: kernel ", weight.size(2), "x",
               weight.size(3), " does not fit the padded input ", x.shape());
  Tensor xc, wc, bc;
  {
    NoGradGuard no_grad;
    xc = x.contiguous();
    wc = weight.contiguous();
    if (bias.defined()) bc = bias.contiguous();
  }
  Tensor y = empty({s.batch, s.out_channels, s.out_h(), s.out_w()}, x.dtype(), x.device());
  if (x.device().is_cpu())
    dispatch_float(x.dtype(), "conv2d", [&]<typename T>() {
      cpu::conv2d_forward(y.data<T>(), xc.data<T>(), wc.data<T>(),
                          bc.defined() ? bc.data<T>() : nullptr, s);
    });
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::conv2d_forward(y, xc, wc, bc, s), "conv2d", x.device());
  if (auto node = make_node<Conv2dBackward>({x, weight, bias}, s)) {
    if (node->needs_input_grad(1) || node->needs_input_grad(2)) node->save(node->x, xc);
    if (node->needs_input_grad(0)) node->save(node->weight, wc);
    attach(node, {y});
  }
  return y;
}

}  // namespace fftune
