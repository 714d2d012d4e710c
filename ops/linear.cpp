// linear: y = x·Wᵀ + b, the PyTorch Linear convention (W is (out, in)).
//
// Forward is one GEMM over all rows of x (its leading dims folded into M), with Wᵀ read as a
// transpose (Note [transposes are free] in ops/matmul.cpp) and the bias written into y first so
// the GEMM adds onto it (beta = 1). Backward, each part only if needed:
//   dx = dy·W        (M × out)·(out × in)
//   dW = dyᵀ·x       (out × M)·(M × in)   — skipped for a frozen weight: PEFT's saving
//   db = Σ_rows dy
#include "core/autograd/node.h"
#include "ops/cpu/gemm.h"
#include "ops/cpu/reduce_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

// (M, N) = op(A)·op(B) (+ C when accumulate) on contiguous/transposed 2-D views.
void gemm_2d(const Tensor& c, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b,
             bool accumulate) {
  const int64_t m = c.size(0), n = c.size(1);
  const int64_t k = trans_a ? a.size(0) : a.size(1);
  dispatch_float(c.dtype(), "linear", [&]<typename T>() {
    cpu::gemm(trans_a, trans_b, m, n, k, T(1), a.data<T>(), std::max<int64_t>(a.stride(0), 1),
              b.data<T>(), std::max<int64_t>(b.stride(0), 1), accumulate ? T(1) : T(0), c.data<T>(),
              std::max<int64_t>(n, 1));
  });
}

class LinearBackward final : public Node {
 public:
  std::string name() const override { return "LinearBackward"; }
  SavedTensor x2;      // (M, in) — the input with leading dims folded, contiguous
  SavedTensor weight;  // (out, in), contiguous
  Shape x_shape;
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor g = grads[0].contiguous().view({-1, grads[0].size(-1)});  // (M, out)
    Tensor dx, dw, db;
    if (needs_input_grad(0)) {
      const Tensor w = weight.unpack(*this);
      dx = empty({g.size(0), w.size(1)}, g.dtype(), g.device());
      gemm_2d(dx, g, false, w, false, false);
      dx = dx.view(x_shape);
    }
    if (needs_input_grad(1)) {
      const Tensor x = x2.unpack(*this);
      dw = empty({g.size(1), x.size(1)}, g.dtype(), g.device());
      gemm_2d(dw, g, true, x, false, false);
    }
    if (needs_input_grad(2)) {
      db = empty({g.size(1)}, g.dtype(), g.device());
      cpu::sum_columns(db, g, g.size(0), g.size(1));
    }
    return {dx, dw, db};
  }
};

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_defined("linear", x, "x");
  check_defined("linear", weight, "weight");
  check_same_device("linear", {x, weight});
  check_same_dtype("linear", x, weight);
  FFTUNE_CHECK(is_floating(x.dtype()), "linear: expected f32 or f64, got ", x.dtype());
  FFTUNE_CHECK(weight.dim() == 2, "linear: weight must be (out, in), got ", weight.shape());
  FFTUNE_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: x must be (…, ",
               weight.size(1), ") to match weight ", weight.shape(), ", got ", x.shape());
  const int64_t out = weight.size(0);
  if (bias.defined()) {
    check_same_device("linear", {x, bias});
    check_same_dtype("linear", x, bias);
    FFTUNE_CHECK(bias.dim() == 1 && bias.size(0) == out, "linear: bias must be (", out, "), got ",
                 bias.shape());
  }
  if (!x.device().is_cpu()) no_kernel("linear", x.device());

  Tensor x2, w;
  {
    NoGradGuard no_grad;
    x2 = x.contiguous().view({-1, x.size(-1)});  // (M, in)
    w = weight.contiguous();                     // (out, in)
  }
  Tensor y = empty({x2.size(0), out}, x.dtype(), x.device());  // (M, out)
  if (bias.defined()) {
    NoGradGuard no_grad;
    y.copy_(bias);  // broadcast over the rows; the GEMM accumulates onto it
  }
  gemm_2d(y, x2, false, w, true, bias.defined());
  Shape y_shape = x.shape();
  y_shape.back() = out;
  y = y.view(y_shape);

  if (auto node = make_node<LinearBackward>({x, weight, bias})) {
    if (node->needs_input_grad(1)) node->save(node->x2, x2);
    if (node->needs_input_grad(0)) node->save(node->weight, w);
    node->x_shape = x.shape();
    attach(node, {y});
  }
  return y;
}

}  // namespace fftune
