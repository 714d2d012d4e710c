// ops/layer_norm.cpp: values against the formula composed from mean/var, optional weight and
// bias, multi-dim normalized_shape, f32 against f64 on parallel shapes, gradcheck for x, weight
// and bias, a frozen weight (no gradient computed), and argument errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

// (x − mean) / √(var + eps) · w + b over the trailing `k` dims, from existing ops.
Tensor naive_layer_norm(const Tensor& x, int64_t k, const Tensor& w, const Tensor& b, double eps) {
  std::vector<int64_t> dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  const Tensor centered = sub(x, mean(x, dims, true));
  Tensor y = div(centered, sqrt(add(var(x, dims, /*correction=*/0, true), eps)));
  if (w.defined()) y = mul(y, w);
  if (b.defined()) y = add(y, b);
  return y;
}

TEST(LayerNorm, HandComputedRow) {
  // Row (1, 2, 3, 4): mean 2.5, biased var 1.25.
  const Tensor x = from_vector<double>({1, 2, 3, 4}, {1, 4});
  const auto y = to_vector<double>(layer_norm(x, {4}, Tensor(), Tensor(), 0.0));
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(y[i], (i + 1 - 2.5) / std::sqrt(1.25), 1e-14);
  // A constant row normalises to 0 (then gets the bias), not NaN.
  const Tensor c = full({2, 3}, 7.0, DType::f64);
  const Tensor b = from_vector<double>({1, 2, 3}, {3});
  EXPECT_EQ(to_vector<double>(layer_norm(c, {3}, Tensor(), b)),
            (std::vector<double>{1, 2, 3, 1, 2, 3}));
}

TEST(LayerNorm, MatchesTheFormula) {
  const Tensor x = random_tensor({2, 3, 4, 5}, DType::f64, 1, false);
  const Tensor w1 = random_tensor({5}, DType::f64, 2, false);
  const Tensor b1 = random_tensor({5}, DType::f64, 3, false);
  EXPECT_ALL_CLOSE(layer_norm(x, {5}, w1, b1, 1e-5), naive_layer_norm(x, 1, w1, b1, 1e-5), 1e-12,
                   1e-12);
  EXPECT_ALL_CLOSE(layer_norm(x, {5}, w1, Tensor(), 1e-3),
                   naive_layer_norm(x, 1, w1, Tensor(), 1e-3), 1e-12, 1e-12);
  EXPECT_ALL_CLOSE(layer_norm(x, {5}, Tensor(), b1), naive_layer_norm(x, 1, Tensor(), b1, 1e-5),
                   1e-12, 1e-12);
  const Tensor w2 = random_tensor({4, 5}, DType::f64, 4, false);
  const Tensor b2 = random_tensor({4, 5}, DType::f64, 5, false);
  EXPECT_ALL_CLOSE(layer_norm(x, {4, 5}, w2, b2), naive_layer_norm(x, 2, w2, b2, 1e-5), 1e-12,
                   1e-12);
  EXPECT_ALL_CLOSE(layer_norm(x, {2, 3, 4, 5}, Tensor(), Tensor()),
                   naive_layer_norm(x, 4, Tensor(), Tensor(), 1e-5), 1e-12, 1e-12);
}

TEST(LayerNorm, F32MatchesF64OnParallelShapes) {
  // (B·T, C) = (96, 768): rows in parallel, column reductions for dweight/dbias per thread.
  // An offset of 100 checks that the variance does not cancel.
  const Tensor x64 = add(random_tensor({96, 768}, DType::f64, 6, false), 100.0);
  const Tensor w64 = random_tensor({768}, DType::f64, 7, false);
  const Tensor b64 = random_tensor({768}, DType::f64, 8, false);
  const Tensor g64 = random_tensor({96, 768}, DType::f64, 9, false);
  auto run = [&](DType dt) {
    const Tensor x = x64.to(dt).detach().set_requires_grad(true);
    const Tensor w = w64.to(dt).detach().set_requires_grad(true);
    const Tensor b = b64.to(dt).detach().set_requires_grad(true);
    Tensor y = layer_norm(x, {768}, w, b);
    y.backward(g64.to(dt));
    return std::vector<Tensor>{y, x.grad(), w.grad(), b.grad()};
  };
  const auto r64 = run(DType::f64), r32 = run(DType::f32);
  EXPECT_ALL_CLOSE(r64[0], naive_layer_norm(x64, 1, w64, b64, 1e-5), 1e-10, 1e-10);
  const char* names[] = {"y", "dx", "dweight", "dbias"};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(names[i]);
    EXPECT_ALL_CLOSE(r32[i], r64[i], 1e-4, 1e-4);
  }
}

TEST(LayerNorm, Gradcheck) {
  struct Case {
    Shape x, normalized;
  };
  for (const Case& c : {Case{{3, 5}, {5}}, Case{{2, 3, 4}, {3, 4}}, Case{{7}, {7}}}) {
    SCOPED_TRACE(detail::str_cat(c.x, " over ", c.normalized));
    const Tensor x = random_tensor(c.x, DType::f64, 10);
    const Tensor w = random_tensor(c.normalized, DType::f64, 11);
    const Tensor b = random_tensor(c.normalized, DType::f64, 12);
    const Shape n = c.normalized;
    EXPECT_GRADCHECK(
        [n](const std::vector<Tensor>& in) { return layer_norm(in[0], n, in[1], in[2]); },
        {x, w, b});
    EXPECT_GRADCHECK(
        [n](const std::vector<Tensor>& in) { return layer_norm(in[0], n, Tensor(), Tensor()); },
        {x});
    EXPECT_GRADCHECK(
        [n](const std::vector<Tensor>& in) { return layer_norm(in[0], n, in[1], Tensor()); },
        {x, w});
  }
  // A non-contiguous input: (5, 3) read through its transpose as (3, 5).
  const Tensor x = random_tensor({5, 3}, DType::f64, 13);
  const Tensor w = random_tensor({5}, DType::f64, 14);
  EXPECT_GRADCHECK(
      [](const std::vector<Tensor>& in) { return layer_norm(in[0].t(), {5}, in[1], Tensor()); },
      {x, w});
}

TEST(LayerNorm, FrozenWeightGetsNoGradient) {
  const Tensor x = random_tensor({4, 6}, DType::f64, 15);
  const Tensor w = random_tensor({6}, DType::f64, 16, /*requires_grad=*/false);
  const Tensor b = random_tensor({6}, DType::f64, 17, /*requires_grad=*/false);
  sum(layer_norm(x, {6}, w, b)).backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  // x's gradient is unchanged by the frozen affine parameters.
  const Tensor x2 = x.detach().clone().set_requires_grad(true);
  sum(naive_layer_norm(x2, 1, w, b, 1e-5)).backward();
  EXPECT_ALL_CLOSE(x.grad(), x2.grad(), 1e-10, 1e-12);
}

TEST(LayerNorm, Errors) {
  const Tensor x = zeros({2, 3, 4});
  EXPECT_FFTUNE_ERROR(layer_norm(x, {3}, Tensor(), Tensor()),
                      "layer_norm: normalized_shape (3,) does not match the trailing dims of x");
  EXPECT_FFTUNE_ERROR(layer_norm(x, {1, 2, 3, 4}, Tensor(), Tensor()), "does not match");
  EXPECT_FFTUNE_ERROR(layer_norm(x, {}, Tensor(), Tensor()), "at least one dim");
  EXPECT_FFTUNE_ERROR(layer_norm(x, {4}, zeros({3}), Tensor()),
                      "layer_norm: weight must have the normalized shape (4,), got (3,)");
  EXPECT_FFTUNE_ERROR(layer_norm(x, {4}, Tensor(), zeros({4}, DType::f64)),
                      "layer_norm: bias has dtype f64 but x has f32");
  EXPECT_FFTUNE_ERROR(layer_norm(zeros({2, 4}, DType::i64), {4}, Tensor(), Tensor()),
                      "layer_norm: expected a floating tensor");
  EXPECT_FFTUNE_ERROR(layer_norm(x, {4}, Tensor(), Tensor(), -1.0), "eps must be non-negative");
}

}  // namespace
}  // namespace fftune
