// max over one dim (values and indices), max over all elements, argmax.
//
// The first maximum wins ties, and a NaN counts as larger than every number (the first NaN of a
// slice is its maximum, as in PyTorch). The values' gradient flows only to the element that
// was chosen: dx is zero except at the first argmax of each slice, which receives g. (At a tie
// the function is not differentiable; this is PyTorch's choice for max(dim).)
#include "core/autograd/node.h"
#include "ops/cpu/index_kernels.h"
#include "ops/cpu/max_kernels.h"
#include "ops/cuda/index_kernels.h"
#include "ops/cuda/max_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

// values and indices with x's shape and 1 at dim `d` (a 0-dim x gives 0-dim results). No
// autograd. `op` names the caller in errors.
MaxResult max_kernel(const Tensor& x, int64_t d, const char* op) {
  FFTUNE_CHECK(!is_complex(x.dtype()), op, ": expected a real tensor (f32, f64, i64), got ",
               x.dtype());
  Shape keep_shape = x.shape();
  int64_t outer = 1, size = 1, inner = 1;
  if (x.dim() > 0) {
    size = x.size(d);
    FFTUNE_CHECK(size > 0, op, ": cannot reduce dim ", d, " of size 0 (x has shape ", x.shape(),
                 ")");
    keep_shape[d] = 1;
    for (int64_t k = 0; k < d; ++k) outer *= x.size(k);
    for (int64_t k = d + 1; k < x.dim(); ++k) inner *= x.size(k);
  }
  MaxResult r{empty(keep_shape, x.dtype(), x.device()), empty(keep_shape, DType::i64, x.device())};
  if (x.device().is_cpu())
    cpu::max_forward(r.values, r.indices, x.detach().contiguous(), outer, size, inner);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::max_forward(r.values, r.indices, x.detach().contiguous(), outer, size, inner), op,
        x.device());
  return r;
}

class MaxBackward final : public Node {
 public:
  MaxBackward(Shape x_shape, int64_t dim, bool keepdim)
      : x_shape_(std::move(x_shape)), dim_(dim), keepdim_(keepdim) {}
  std::string name() const override { return "MaxBackward"; }
  SavedTensor indices;  // x's shape with 1 at dim, i64, contiguous
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];        // the values' shape
    if (x_shape_.empty()) return {g};  // a 0-dim x is its own maximum
    const Tensor g_keep = keepdim_ ? g : g.unsqueeze(dim_);
    Tensor dx = zeros(x_shape_, g.dtype(), g.device());
    // dx[..., indices[p], ...] = g[p]: a scatter into zeros (one target per slice).
    if (g.device().is_cpu())
      cpu::scatter_add(dx, indices.unpack(*this), g_keep, dim_);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(cuda::scatter_add(dx, indices.unpack(*this), g_keep, dim_),
                               "max backward", g.device());
    return {dx};
  }

 private:
  Shape x_shape_;
  int64_t dim_;
  bool keepdim_;
};

Tensor drop_dim(const Tensor& t, int64_t d, bool keepdim) {
  return keepdim || t.dim() == 0 ? t : t.squeeze(d);
}

}  // namespace

MaxResult max(const Tensor& x, int64_t dim, bool keepdim) {
  check_defined("max", x, "x");
  const int64_t d = wrap_dim(dim, x.dim(), "max");
  MaxResult r = max_kernel(x, d, "max");
  MaxResult out{drop_dim(r.values, d, keepdim), drop_dim(r.indices, d, keepdim)};
  if (auto node = make_node<MaxBackward>({x}, x.shape(), d, keepdim)) {
    node->save(node->indices, r.indices);
    attach(node, {out.values});  // the indices carry no gradient
  }
  return out;
}

Tensor max(const Tensor& x) {
  check_defined("max", x, "x");
  FFTUNE_CHECK(x.numel() > 0, "max: cannot take the maximum of an empty tensor of shape ",
               x.shape());
  return max(x.reshape({-1}), 0).values;
}

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  check_defined("argmax", x, "x");
  const int64_t d = wrap_dim(dim, x.dim(), "argmax");
  return drop_dim(max_kernel(x, d, "argmax").indices, d, keepdim);
}

}  // namespace fftune
