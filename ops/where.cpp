// Selection: where(cond, a, b) and masked_fill(x, mask, value).
//
// where picks a[i] where cond[i] != 0 and b[i] elsewhere, after broadcasting all three to one
// shape. Its gradient routes g the same way: a gets g where cond holds (0 elsewhere), b the rest;
// each is then summed back to its input's shape (Note [broadcasting reduction], ops/binary.cpp).
// cond itself gets no gradient (it only chooses).
#include "core/autograd/node.h"
#include "ops/cpu/where_kernels.h"
#include "ops/cuda/where_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

// The selection with no autograd bookkeeping; `op` names the caller in errors.
Tensor where_kernel(const Tensor& cond, const Tensor& a, const Tensor& b, const char* op) {
  check_same_device(op, {cond, a, b});
  FFTUNE_CHECK(!is_complex(cond.dtype()), op, ": the condition must be a real tensor (f32, f64, ",
               "i64), got ", cond.dtype());
  check_same_dtype(op, a, b);
  const Shape shape =
      broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), op), b.shape(), op);
  Tensor out = empty(shape, a.dtype(), a.device());
  if (out.device().is_cpu())
    cpu::where_forward(out, cond, a, b);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::where_forward(out, cond, a, b), op, out.device());
  return out;
}

class WhereBackward final : public Node {
 public:
  WhereBackward(Shape a_shape, Shape b_shape)
      : a_shape_(std::move(a_shape)), b_shape_(std::move(b_shape)) {}
  std::string name() const override { return "WhereBackward"; }
  SavedTensor cond;  // any shape broadcastable with a and b
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];  // the broadcast shape
    const Tensor c = cond.unpack(*this);
    const Tensor zero = zeros({}, g.dtype(), g.device());
    Tensor da, db;
    if (needs_input_grad(0)) da = sum_to(where_kernel(c, g, zero, "where"), a_shape_);
    if (needs_input_grad(1)) db = sum_to(where_kernel(c, zero, g, "where"), b_shape_);
    return {da, db};
  }

 private:
  Shape a_shape_, b_shape_;
};

}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_defined("where", cond, "cond");
  check_defined("where", a, "a");
  check_defined("where", b, "b");
  Tensor y = where_kernel(cond, a, b, "where");
  // cond only chooses: it is not an input of the node and never receives a gradient.
  if (auto node = make_node<WhereBackward>({a, b}, a.shape(), b.shape())) {
    node->save(node->cond, cond);
    attach(node, {y});
  }
  return y;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  check_defined("masked_fill", x, "x");
  check_defined("masked_fill", mask, "mask");
  FFTUNE_CHECK(broadcast_shapes(x.shape(), mask.shape(), "masked_fill") == x.shape(),
               "masked_fill: mask of shape ", mask.shape(), " does not broadcast to x's shape ",
               x.shape());
  check_same_device("masked_fill", {x, mask});
  FFTUNE_CHECK(!is_complex(mask.dtype()), "masked_fill: the mask must be a real tensor (f32, f64, ",
               "i64), got ", mask.dtype());
  // The fill value is a constant: only x receives a gradient (where mask is zero).
  return where(mask, scalar_tensor(value, x.dtype(), x.device()), x);
}

}  // namespace fftune
