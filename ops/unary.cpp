// Elementwise unary ops: neg, exp, log, sqrt, rsqrt, abs, tanh, sigmoid, relu, gelu, pow.
// Forward y = f(x); backward dx = g · f'(x), both one fused pass over memory
// (formulas in ops/elementwise_math.h).
#include "core/autograd/node.h"
#include "ops/cpu/unary_kernels.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

const char* unary_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::kNeg:
      return "neg";
    case UnaryOp::kExp:
      return "exp";
    case UnaryOp::kLog:
      return "log";
    case UnaryOp::kSqrt:
      return "sqrt";
    case UnaryOp::kRsqrt:
      return "rsqrt";
    case UnaryOp::kAbs:
      return "abs";
    case UnaryOp::kTanh:
      return "tanh";
    case UnaryOp::kSigmoid:
      return "sigmoid";
    case UnaryOp::kRelu:
      return "relu";
    case UnaryOp::kGelu:
      return "gelu";
    case UnaryOp::kGeluTanh:
      return "gelu(tanh)";
    case UnaryOp::kPow:
      return "pow";
  }
  return "unary";
}

bool saves_output(UnaryOp op) {
  switch (op) {
    case UnaryOp::kExp:
      return backward_uses_output<UnaryOp::kExp>();
    case UnaryOp::kSqrt:
      return backward_uses_output<UnaryOp::kSqrt>();
    case UnaryOp::kRsqrt:
      return backward_uses_output<UnaryOp::kRsqrt>();
    case UnaryOp::kTanh:
      return backward_uses_output<UnaryOp::kTanh>();
    case UnaryOp::kSigmoid:
      return backward_uses_output<UnaryOp::kSigmoid>();
    default:
      return false;
  }
}

class UnaryBackward final : public Node {
 public:
  UnaryBackward(UnaryOp op, double p) : op_(op), p_(p) {}
  std::string name() const override { return std::string(unary_name(op_)) + "Backward"; }

  SavedTensor saved;  // x or y (same shape), whichever the derivative is written in

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];
    const Tensor s = saved.unpack(*this);
    Tensor dx = empty(g.shape(), g.dtype(), g.device());
    if (g.device().is_cpu())
      cpu::unary_backward(dx, g, s, op_, p_);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(cuda::unary_backward(dx, g, s, op_, p_), unary_name(op_),
                               g.device());
    return {dx};
  }

 private:
  UnaryOp op_;
  double p_;
};

Tensor unary(const Tensor& x, UnaryOp op, double p = 0.0) {
  const char* name = unary_name(op);
  check_defined(name, x, "x");
  FFTUNE_CHECK(is_floating(x.dtype()), name, ": expected a floating tensor (f32, f64), got ",
               x.dtype());
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  if (x.device().is_cpu())
    cpu::unary_forward(y, x, op, p);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::unary_forward(y, x, op, p), name, x.device());
  if (auto node = make_node<UnaryBackward>({x}, op, p)) {
    if (op != UnaryOp::kNeg) node->save(node->saved, saves_output(op) ? y : x);
    attach(node, {y});
  }
  return y;
}

}  // namespace

Tensor neg(const Tensor& x) {
  return unary(x, UnaryOp::kNeg);
}
Tensor exp(const Tensor& x) {
  return unary(x, UnaryOp::kExp);
}
Tensor log(const Tensor& x) {
  return unary(x, UnaryOp::kLog);
}
Tensor sqrt(const Tensor& x) {
  return unary(x, UnaryOp::kSqrt);
}
Tensor rsqrt(const Tensor& x) {
  return unary(x, UnaryOp::kRsqrt);
}
Tensor abs(const Tensor& x) {
  if (x.defined() && is_complex(x.dtype())) return complex_abs(x);  // |z|, ops/complex.cpp
  return unary(x, UnaryOp::kAbs);
}
Tensor tanh(const Tensor& x) {
  return unary(x, UnaryOp::kTanh);
}
Tensor sigmoid(const Tensor& x) {
  return unary(x, UnaryOp::kSigmoid);
}
Tensor relu(const Tensor& x) {
  return unary(x, UnaryOp::kRelu);
}
Tensor gelu(const Tensor& x, GeluApproximation approximate) {
  return unary(x, approximate == GeluApproximation::kTanh ? UnaryOp::kGeluTanh : UnaryOp::kGelu);
}
Tensor pow(const Tensor& x, double exponent) {
  return unary(x, UnaryOp::kPow, exponent);
}

}  // namespace fftune
