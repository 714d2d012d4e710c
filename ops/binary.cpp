// Elementwise binary ops with NumPy broadcasting: add, sub, mul, div, maximum, comparisons.
//
// Note [broadcasting reduction]
// When an input was broadcast (a size-1 or missing dim repeated to the output's size), each of
// its elements fed many outputs, so its gradient is the sum of theirs: backward reduces the
// output gradient back to the input's shape with sum_to(). Complex inputs follow PyTorch's
// convention (the conjugate Wirtinger derivative): d(a·b)/da contributes g·conj(b).
#include "core/autograd/engine.h"
#include "core/autograd/node.h"
#include "ops/cpu/binary_kernels.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/optim_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

const char* binary_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "add";
    case BinaryOp::kSub:
      return "sub";
    case BinaryOp::kMul:
      return "mul";
    case BinaryOp::kDiv:
      return "div";
    case BinaryOp::kMaximum:
      return "maximum";
    case BinaryOp::kEq:
      return "eq";
    case BinaryOp::kGt:
      return "gt";
    case BinaryOp::kLt:
      return "lt";
    case BinaryOp::kGe:
      return "ge";
  }
  return "binary";
}

// The elementwise result with no autograd bookkeeping.
Tensor binary_kernel(const Tensor& a, const Tensor& b, BinaryOp op) {
  const char* name = binary_name(op);
  check_same_device(name, {a, b});
  check_same_dtype(name, a, b);
  if (op == BinaryOp::kDiv)
    FFTUNE_CHECK(a.dtype() != DType::i64, "div: integer division is not supported; convert to ",
                 "a floating dtype first");
  Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype(), a.device());
  if (out.device().is_cpu())
    cpu::binary_forward(out, a, b, op);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::binary_forward(out, a, b, op), name, out.device());
  return out;
}

Tensor conj_if_complex(const Tensor& t) {
  return is_complex(t.dtype()) ? conj(t) : t;
}

Tensor scalar_like(double v, const Tensor& t) {
  return scalar_tensor(v, t.dtype(), t.device());
}

// -t for any dtype (neg() is for real floating tensors only).
Tensor negate(const Tensor& t) {
  return binary_kernel(t, scalar_like(-1.0, t), BinaryOp::kMul);
}

class AddSubBackward final : public Node {
 public:
  AddSubBackward(bool subtract, Shape a_shape, Shape b_shape)
      : subtract_(subtract), a_shape_(std::move(a_shape)), b_shape_(std::move(b_shape)) {}
  std::string name() const override { return subtract_ ? "SubBackward" : "AddBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];
    Tensor da, db;
    if (needs_input_grad(0)) da = sum_to(g, a_shape_);
    if (needs_input_grad(1)) db = subtract_ ? negate(sum_to(g, b_shape_)) : sum_to(g, b_shape_);
    return {da, db};
  }

 private:
  bool subtract_;
  Shape a_shape_, b_shape_;
};

class MulBackward final : public Node {
 public:
  std::string name() const override { return "MulBackward"; }
  SavedTensor a, b;  // the inputs as given (any broadcastable shapes)
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];
    const Tensor av = a.unpack(*this), bv = b.unpack(*this);
    Tensor da, db;
    if (needs_input_grad(0))
      da = sum_to(binary_kernel(g, conj_if_complex(bv), BinaryOp::kMul), av.shape());
    if (needs_input_grad(1))
      db = sum_to(binary_kernel(g, conj_if_complex(av), BinaryOp::kMul), bv.shape());
    return {da, db};
  }
};

class DivBackward final : public Node {
 public:
  std::string name() const override { return "DivBackward"; }
  SavedTensor b, y;  // the divisor and the quotient y = a / b
  Shape a_shape;
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];
    const Tensor bv = conj_if_complex(b.unpack(*this));
    Tensor da, db;
    // y = a/b: dy/da = 1/b, dy/db = -a/b² = -y/b.
    const Tensor g_over_b = binary_kernel(g, bv, BinaryOp::kDiv);
    if (needs_input_grad(0)) da = sum_to(g_over_b, a_shape);
    if (needs_input_grad(1)) {
      const Tensor yv = conj_if_complex(y.unpack(*this));
      const Tensor prod = binary_kernel(g_over_b, yv, BinaryOp::kMul);
      db = sum_to(negate(prod), bv.shape());
    }
    return {da, db};
  }
};

class MaximumBackward final : public Node {
 public:
  std::string name() const override { return "MaximumBackward"; }
  SavedTensor a, b;
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];
    const Tensor av = a.unpack(*this), bv = b.unpack(*this);
    const Tensor a_wins = binary_kernel(av, bv, BinaryOp::kGe);  // 1 where the output came from a
    Tensor da, db;
    if (needs_input_grad(0)) da = sum_to(binary_kernel(g, a_wins, BinaryOp::kMul), av.shape());
    if (needs_input_grad(1)) {
      const Tensor b_wins =
          binary_kernel(ones({}, a_wins.dtype(), a_wins.device()), a_wins, BinaryOp::kSub);
      db = sum_to(binary_kernel(g, b_wins, BinaryOp::kMul), bv.shape());
    }
    return {da, db};
  }
};

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor y = binary_kernel(a, b, BinaryOp::kAdd);
  if (auto node = make_node<AddSubBackward>({a, b}, false, a.shape(), b.shape())) attach(node, {y});
  return y;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor y = binary_kernel(a, b, BinaryOp::kSub);
  if (auto node = make_node<AddSubBackward>({a, b}, true, a.shape(), b.shape())) attach(node, {y});
  return y;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor y = binary_kernel(a, b, BinaryOp::kMul);
  if (auto node = make_node<MulBackward>({a, b})) {
    node->save(node->a, a);  // both: each gradient needs the other input and its own shape
    node->save(node->b, b);
    attach(node, {y});
  }
  return y;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor y = binary_kernel(a, b, BinaryOp::kDiv);
  if (auto node = make_node<DivBackward>({a, b})) {
    node->save(node->b, b);
    if (node->needs_input_grad(1)) node->save(node->y, y);
    node->a_shape = a.shape();
    attach(node, {y});
  }
  return y;
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor y = binary_kernel(a, b, BinaryOp::kMaximum);
  if (auto node = make_node<MaximumBackward>({a, b})) {
    node->save(node->a, a);
    node->save(node->b, b);
    attach(node, {y});
  }
  return y;
}

Tensor add(const Tensor& a, double b) {
  return add(a, scalar_like(b, a));
}
Tensor sub(const Tensor& a, double b) {
  return sub(a, scalar_like(b, a));
}
Tensor mul(const Tensor& a, double b) {
  return mul(a, scalar_like(b, a));
}
Tensor div(const Tensor& a, double b) {
  return div(a, scalar_like(b, a));
}

Tensor eq(const Tensor& a, const Tensor& b) {
  return binary_kernel(a, b, BinaryOp::kEq);
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return binary_kernel(a, b, BinaryOp::kGt);
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return binary_kernel(a, b, BinaryOp::kLt);
}

void add_(Tensor& x, const Tensor& y, double alpha) {
  check_same_device("add_", {x, y});
  check_same_dtype("add_", x, y);
  FFTUNE_CHECK(!(GradMode::enabled() && x.requires_grad()),
               "add_: in-place update of a tensor that requires grad; do it under NoGradGuard");
  broadcast_shapes(x.shape(), y.shape(), "add_");
  FFTUNE_CHECK(broadcast_shapes(x.shape(), y.shape(), "add_") == x.shape(), "add_: ", y.shape(),
               " does not broadcast to the destination's shape ", x.shape());
  if (x.device().is_cpu())
    cpu::add_scaled_inplace(x, y, alpha);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::add_scaled_inplace(x, y, alpha), "add_", x.device());
  x.bump_version();
}

void mul_(Tensor& x, double value) {
  FFTUNE_CHECK(!(GradMode::enabled() && x.requires_grad()),
               "mul_: in-place update of a tensor that requires grad; do it under NoGradGuard");
  Tensor s = scalar_like(value, x);
  if (x.device().is_cpu())
    cpu::binary_forward(x, x, s, BinaryOp::kMul);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::binary_forward(x, x, s, BinaryOp::kMul), "mul_", x.device());
  x.bump_version();
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const int64_t lead = grad.dim() - static_cast<int64_t>(shape.size());
  FFTUNE_CHECK(lead >= 0, "sum_to: cannot reduce ", grad.shape(), " to ", shape);
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && grad.size(d) != 1)) dims.push_back(d);
  Tensor s = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return s.reshape(shape);
}

namespace autograd {
Tensor sum_gradients(const Tensor& a, const Tensor& b) {
  return binary_kernel(a, b, BinaryOp::kAdd);
}
}  // namespace autograd

}  // namespace fftune
