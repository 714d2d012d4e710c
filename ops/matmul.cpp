// matmul: torch.matmul semantics — 1-D·1-D (dot), 2-D·2-D, 1-D/2-D mixes, and batched
// (…, m, k)·(…, k, n) with broadcast batch dims — on top of one GEMM interface (ops/cpu/gemm.h).
//
// Note [transposes are free]
// A GEMM reads a row-major matrix either as stored or transposed, given its row stride. So a
// transposed view (strides (1, s)) is passed with trans = true and ld = s instead of being
// copied; only layouts that are neither (e.g. a slice with a step) are made contiguous.
//
// Backward of Y = A·B: dA = dY·Bᵀ and dB = Aᵀ·dY (each reduced over broadcast batch dims),
// each computed only if needed — a frozen weight never costs its gradient GEMM.
//
// Devices: the GEMMs run where the operands are (ops/device_gemm.h: the CPU GEMM library or
// cuBLAS, the same row-major contract, strided batches and transposes included).
#include <algorithm>

#include "core/autograd/node.h"
#include "ops/cpu/loops.h"
#include "ops/device_gemm.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

// C (…, m, n), contiguous = A (…, m, k) · B (…, k, n), both already expanded to the same
// batch dims. No autograd.
//
// The batch dims of A, B and C are merged where all three step through them as one (as the
// elementwise loops do, ops/cpu/loops.h); the innermost merged dim becomes one strided batched
// GEMM and any outer dims a loop around it. So a (B, H, T, D) view of a (B, T, H, D) tensor — the
// heads of an attention layer — is multiplied in place, without a copy.
Tensor batched_gemm(Tensor a, Tensor b) {
  const int64_t nb = a.dim() - 2;
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  const Shape batch(a.shape().begin(), a.shape().end() - 2);
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  Tensor c = empty(out_shape, a.dtype(), a.device());

  GemmLayout la = gemm_layout(m, k, a.stride(-2), a.stride(-1));
  GemmLayout lb = gemm_layout(k, n, b.stride(-2), b.stride(-1));
  if (!la.ok) {
    a = a.contiguous();
    la = gemm_layout(m, k, a.stride(-2), a.stride(-1));
  }
  if (!lb.ok) {
    b = b.contiguous();
    lb = gemm_layout(k, n, b.stride(-2), b.stride(-1));
  }
  const Shape sa(a.strides().begin(), a.strides().begin() + nb);
  const Shape sb(b.strides().begin(), b.strides().begin() + nb);
  const Shape sc(c.strides().begin(), c.strides().begin() + nb);
  const cpu::StridedShape<3> loop = cpu::coalesce<3>(batch, {sa, sb, sc});
  const int64_t inner = loop.shape.back(), outer = numel_of(batch) / std::max<int64_t>(inner, 1);
  const int64_t ldc = std::max<int64_t>(n, 1);
  dispatch_float(a.dtype(), "matmul", [&]<typename T>() {
    for (int64_t o = 0; o < outer; ++o) {
      // Offsets of the o-th outer batch index (all merged dims but the innermost).
      int64_t offset[3] = {0, 0, 0}, rem = o;
      for (int64_t d = static_cast<int64_t>(loop.shape.size()) - 2; d >= 0; --d) {
        const int64_t i = rem % loop.shape[d];
        rem /= loop.shape[d];
        for (int q = 0; q < 3; ++q) offset[q] += i * loop.strides[q][d];
      }
      const T* pa = a.data<T>() + offset[0];
      const T* pb = b.data<T>() + offset[1];
      T* pc = c.data<T>() + offset[2];
      if (inner == 1)
        device_gemm(a.device(), la.trans, lb.trans, m, n, k, T(1), pa, la.ld, pb, lb.ld, T(0), pc,
                    ldc);
      else
        device_gemm_batched(a.device(), la.trans, lb.trans, inner, m, n, k, T(1), pa, la.ld,
                            loop.strides[0].back(), pb, lb.ld, loop.strides[1].back(), T(0), pc,
                            ldc, loop.strides[2].back());
    }
  });
  return c;
}

// Rows of a (…, m, k) folded into one (M, k) matrix view when the layout allows, else a copy.
Tensor fold_rows(const Tensor& a) {
  NoGradGuard no_grad;
  return a.reshape({-1, a.size(-1)});
}

// A (…, m, k) · B (…, k, n) for tensors of at least 2 dims, no autograd.
Tensor matmul_kernel(const Tensor& a, const Tensor& b) {
  NoGradGuard no_grad;
  const Shape batch_a(a.shape().begin(), a.shape().end() - 2);
  const Shape batch_b(b.shape().begin(), b.shape().end() - 2);
  // (…, m, k)·(k, n): fold the batch into the rows — one large GEMM.
  if (b.dim() == 2 && a.dim() > 2) {
    Shape out_shape = a.shape();
    out_shape.back() = b.size(1);
    return batched_gemm(fold_rows(a), b).view(out_shape);
  }
  Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  Shape ea = batch, eb = batch;
  ea.insert(ea.end(), {a.size(-2), a.size(-1)});
  eb.insert(eb.end(), {b.size(-2), b.size(-1)});
  return batched_gemm(a.expand(ea), b.expand(eb));
}

class MatmulBackward final : public Node {
 public:
  std::string name() const override { return "MatmulBackward"; }
  SavedTensor a;  // (…, m, k)
  SavedTensor b;  // (…, k, n)
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];  // (…, m, n)
    Tensor da, db;
    const Tensor av = a.unpack(*this), bv = b.unpack(*this);
    if (needs_input_grad(0)) da = sum_to(matmul_kernel(g, bv.transpose(-1, -2)), av.shape());
    if (needs_input_grad(1)) {
      if (bv.dim() == 2 && av.dim() > 2)  // dB = Σ_batch Aᵢᵀ·dYᵢ as one GEMM over folded rows
        db = matmul_kernel(fold_rows(av).t(), fold_rows(g));
      else
        db = sum_to(matmul_kernel(av.transpose(-1, -2), g), bv.shape());
    }
    return {da, db};
  }
};

// matmul for operands of ≥ 2 dims, with autograd.
Tensor matmul_2d_or_more(const Tensor& a, const Tensor& b) {
  FFTUNE_CHECK(a.size(-1) == b.size(-2), "matmul: inner dimensions differ: ", a.shape(), " · ",
               b.shape(), " (", a.size(-1), " vs ", b.size(-2), ")");
  Tensor y = matmul_kernel(a, b);
  if (auto node = make_node<MatmulBackward>({a, b})) {
    node->save(node->a, a);
    node->save(node->b, b);
    attach(node, {y});
  }
  return y;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_same_device("matmul", {a, b});
  check_same_dtype("matmul", a, b);
  FFTUNE_CHECK(is_floating(a.dtype()), "matmul: expected f32 or f64 tensors, got ", a.dtype());
  FFTUNE_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got ",
               a.shape(), " and ", b.shape());
  // 1-D operands become a row (left) or a column (right), removed again from the result.
  const Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
  const Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
  Tensor y = matmul_2d_or_more(a2, b2);
  if (b.dim() == 1) y = y.squeeze(-1);
  if (a.dim() == 1) y = y.squeeze(a.dim() == 1 && b.dim() == 1 ? 0 : -2);
  return y;
}

}  // namespace fftune
