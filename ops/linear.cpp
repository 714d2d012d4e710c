// linear: y = x·Wᵀ + b, the PyTorch Linear convention (W is (out, in)).
//
// Forward is one GEMM over all rows of x (its leading dims folded into M), with Wᵀ read as a
// transpose (Note [transposes are free] in ops/matmul.cpp) and the bias written into y first so
// the GEMM adds onto it (beta = 1). Backward, each part only if needed:
//   dx = dy·W        (M × out)·(out × in)
//   dW = dyᵀ·x       (out × M)·(M × in)   — skipped for a frozen weight: PEFT's saving
//   db = Σ_rows dy
// On either device (ops/device_gemm.h): the CPU GEMM library or cuBLAS.
#include "core/autograd/node.h"
#include "ops/device_gemm.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

// Whether the GEMM can read a 2-D tensor in place: contiguous, or a transposed view.
bool gemm_readable(const Tensor& t) {
  return gemm_layout(t.size(0), t.size(1), t.stride(0), t.stride(1)).ok;
}

// C (M, N), contiguous = op(A)·op(B) (+ C when accumulate). A and B are gemm_readable: a
// transposed view is read as the transpose of what is stored, with the flag flipped.
void gemm_2d(const Tensor& c, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b,
             bool accumulate) {
  const int64_t m = c.size(0), n = c.size(1);
  const int64_t k = trans_a ? a.size(0) : a.size(1);
  const GemmLayout la = gemm_layout(a.size(0), a.size(1), a.stride(0), a.stride(1));
  const GemmLayout lb = gemm_layout(b.size(0), b.size(1), b.stride(0), b.stride(1));
  FFTUNE_CHECK(la.ok && lb.ok, "linear: internal error, an operand the GEMM cannot read");
  dispatch_float(c.dtype(), "linear", [&]<typename T>() {
    device_gemm(c.device(), trans_a != la.trans, trans_b != lb.trans, m, n, k, T(1), a.data<T>(),
                la.ld, b.data<T>(), lb.ld, accumulate ? T(1) : T(0), c.data<T>(),
                std::max<int64_t>(n, 1));
  });
}

class LinearBackward final : public Node {
 public:
  std::string name() const override { return "LinearBackward"; }
  SavedTensor x2;      // (M, in) — the input with leading dims folded, contiguous
  SavedTensor weight;  // (out, in), contiguous or a transposed view (gemm_readable)
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
      device_sum_columns(db, g, g.size(0), g.size(1));
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

  Tensor x2, w;
  {
    NoGradGuard no_grad;
    x2 = x.contiguous().view({-1, x.size(-1)});                // (M, in)
    w = gemm_readable(weight) ? weight : weight.contiguous();  // (out, in)
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
