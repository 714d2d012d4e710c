// Reductions over a list of dims: sum (a kernel), mean and var (composed from sum, so their
// gradients come from sum's and div's). The gradient of a sum is the output gradient
// broadcast back over the reduced dims.
#include <algorithm>

#include "core/autograd/node.h"
#include "ops/cpu/reduce_kernels.h"
#include "ops/cuda/reduce_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

Shape keepdim_shape(const Shape& shape, const std::vector<int64_t>& dims) {
  Shape out = shape;
  for (int64_t d : dims) out[d] = 1;
  return out;
}

Shape squeezed_shape(const Shape& shape, const std::vector<int64_t>& dims) {
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    if (!std::binary_search(dims.begin(), dims.end(), d)) out.push_back(shape[d]);
  return out;
}

// The sum with keepdim shape, no autograd.
Tensor sum_kernel(const Tensor& x, const std::vector<int64_t>& dims) {
  const Shape out_shape = keepdim_shape(x.shape(), dims);
  Tensor out = empty(out_shape, x.dtype(), x.device());
  const int64_t ndim = x.dim();
  // Reduced dims a trailing block or a leading block of a contiguous tensor: no copy needed.
  bool suffix = true, prefix = true;
  for (size_t i = 0; i < dims.size(); ++i) {
    suffix &= dims[i] == ndim - static_cast<int64_t>(dims.size()) + static_cast<int64_t>(i);
    prefix &= dims[i] == static_cast<int64_t>(i);
  }
  const int64_t reduced = x.numel() / std::max<int64_t>(out.numel(), 1);
  if (x.numel() == 0) return out.zero_();
  if (x.device().is_cpu() && x.is_contiguous() && suffix) {
    cpu::sum_rows(out, x, out.numel(), reduced);
  } else if (x.device().is_cpu() && x.is_contiguous() && prefix) {
    cpu::sum_columns(out, x, reduced, out.numel());
  } else {
    // Move the reduced dims last, copy to that layout, reduce rows.
    std::vector<int64_t> order;
    for (int64_t d = 0; d < ndim; ++d)
      if (!std::binary_search(dims.begin(), dims.end(), d)) order.push_back(d);
    order.insert(order.end(), dims.begin(), dims.end());
    NoGradGuard no_grad;
    const Tensor rows = x.detach().permute(order).contiguous();
    if (x.device().is_cpu())
      cpu::sum_rows(out, rows, out.numel(), reduced);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(cuda::sum_rows(out, rows, out.numel(), reduced), "sum", x.device());
  }
  return out;
}

class SumBackward final : public Node {
 public:
  SumBackward(Shape input_shape, Shape keepdim_shape)
      : input_shape_(std::move(input_shape)), keepdim_shape_(std::move(keepdim_shape)) {}
  std::string name() const override { return "SumBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    return {grads[0].reshape(keepdim_shape_).expand(input_shape_)};
  }

 private:
  Shape input_shape_, keepdim_shape_;
};

}  // namespace

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims_in, bool keepdim) {
  check_defined("sum", x, "x");
  const std::vector<int64_t> dims = normalize_dims(dims_in, x.dim(), "sum");
  Tensor y = sum_kernel(x, dims);
  if (!keepdim) {
    NoGradGuard no_grad;  // a reshape of the fresh result: no node of its own
    y = y.view(squeezed_shape(x.shape(), dims));
  }
  if (auto node = make_node<SumBackward>({x}, x.shape(), keepdim_shape(x.shape(), dims)))
    attach(node, {y});
  return y;
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims_in, bool keepdim) {
  check_defined("mean", x, "x");
  FFTUNE_CHECK(x.dtype() != DType::i64, "mean: expected a floating tensor, got i64");
  const std::vector<int64_t> dims = normalize_dims(dims_in, x.dim(), "mean");
  int64_t count = 1;
  for (int64_t d : dims) count *= x.size(d);
  return div(sum(x, dims, keepdim), static_cast<double>(count));
}

Tensor var(const Tensor& x, const std::vector<int64_t>& dims_in, int64_t correction, bool keepdim) {
  check_defined("var", x, "x");
  FFTUNE_CHECK(is_floating(x.dtype()), "var: expected a floating tensor, got ", x.dtype());
  const std::vector<int64_t> dims = normalize_dims(dims_in, x.dim(), "var");
  int64_t count = 1;
  for (int64_t d : dims) count *= x.size(d);
  FFTUNE_CHECK(count - correction > 0, "var: ", count, " elements with correction ", correction,
               " leave no degrees of freedom");
  const Tensor centered = sub(x, mean(x, dims, /*keepdim=*/true));
  return div(sum(mul(centered, centered), dims, keepdim), static_cast<double>(count - correction));
}

}  // namespace fftune
