// ops/matmul.cpp, ops/linear.cpp, ops/conv2d.cpp: values against naive loops, every matmul
// shape case, transposed views passed without copies, gradcheck, and argument errors.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

// Naive (…, m, k)·(…, k, n) for same-batch 3-D inputs, in double.
Tensor naive_bmm(const Tensor& a, const Tensor& b) {
  const auto av = to_vector<double>(a.to(DType::f64)), bv = to_vector<double>(b.to(DType::f64));
  const int64_t B = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
  std::vector<double> c(B * m * n, 0.0);
  for (int64_t p = 0; p < B; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t l = 0; l < k; ++l)
          c[(p * m + i) * n + j] += av[(p * m + i) * k + l] * bv[(p * k + l) * n + j];
  return from_vector<double>(c, {B, m, n});
}

TEST(Matmul, ShapesFollowTorch) {
  EXPECT_EQ(matmul(ones({3}), ones({3})).shape(), (Shape{}));
  EXPECT_EQ(matmul(ones({3}), ones({3, 4})).shape(), (Shape{4}));
  EXPECT_EQ(matmul(ones({2, 3}), ones({3})).shape(), (Shape{2}));
  EXPECT_EQ(matmul(ones({5, 2, 3}), ones({3, 4})).shape(), (Shape{5, 2, 4}));
  EXPECT_EQ(matmul(ones({2, 3}), ones({5, 3, 4})).shape(), (Shape{5, 2, 4}));
  EXPECT_EQ(matmul(ones({7, 1, 2, 3}), ones({5, 3, 4})).shape(), (Shape{7, 5, 2, 4}));
  EXPECT_EQ(matmul(ones({3}), ones({5, 3, 4})).shape(), (Shape{5, 4}));
  EXPECT_EQ(matmul(ones({3}), ones({3})).item<float>(), 3.f);
  EXPECT_FFTUNE_ERROR(matmul(ones({2, 3}), ones({4, 2})), "inner dimensions differ");
  EXPECT_FFTUNE_ERROR(matmul(ones({2, 2, 3}), ones({3, 3, 2})), "cannot be broadcast");
  EXPECT_FFTUNE_ERROR(matmul(ones({2, 3}), ones({3, 2}, DType::f64)), "one dtype");
  EXPECT_FFTUNE_ERROR(matmul(ones({2, 3}, DType::i64), ones({3, 2}, DType::i64)), "f32 or f64");
}

TEST(Matmul, ValuesIncludingTransposedAndStridedViews) {
  Tensor a = random_tensor({4, 5, 6}, DType::f32, 1, false);
  Tensor b = random_tensor({4, 6, 3}, DType::f32, 2, false);
  EXPECT_ALL_CLOSE(matmul(a, b), naive_bmm(a, b), 1e-5, 1e-5);
  // Transposed operands (strides (…, 1, s)) go to the GEMM as transposes.
  Tensor at = random_tensor({4, 6, 5}, DType::f32, 3, false).transpose(1, 2);
  Tensor bt = random_tensor({4, 3, 6}, DType::f32, 4, false).transpose(1, 2);
  EXPECT_ALL_CLOSE(matmul(at, bt), naive_bmm(at.contiguous(), bt.contiguous()), 1e-5, 1e-5);
  // A stepped slice must be copied first.
  Tensor big = random_tensor({4, 5, 12}, DType::f32, 5, false);
  Tensor stepped = big.slice(2, 0, 12, 2);
  EXPECT_ALL_CLOSE(matmul(stepped, b), naive_bmm(stepped.contiguous(), b), 1e-5, 1e-5);
  // A broadcast batch (stride 0).
  Tensor b2 = random_tensor({6, 3}, DType::f32, 6, false);
  EXPECT_ALL_CLOSE(matmul(a, b2), naive_bmm(a, b2.unsqueeze(0).expand({4, 6, 3}).contiguous()),
                   1e-5, 1e-5);
  Tensor a2 = random_tensor({5, 6}, DType::f32, 7, false);
  EXPECT_ALL_CLOSE(matmul(a2, b), naive_bmm(a2.unsqueeze(0).expand({4, 5, 6}).contiguous(), b),
                   1e-5, 1e-5);
  // Degenerate sizes.
  EXPECT_ALL_CLOSE(matmul(ones({1, 1}), ones({1, 1})), ones({1, 1}));
  EXPECT_EQ(matmul(ones({0, 3}), ones({3, 2})).shape(), (Shape{0, 2}));
  EXPECT_ALL_CLOSE(matmul(ones({2, 0}), ones({0, 2})), zeros({2, 2}));
}

TEST(Matmul, Gradcheck) {
  const std::vector<std::pair<Shape, Shape>> cases = {{{3}, {3}},
                                                      {{3}, {3, 4}},
                                                      {{2, 3}, {3}},
                                                      {{2, 3}, {3, 4}},
                                                      {{5, 2, 3}, {3, 4}},
                                                      {{2, 3}, {5, 3, 4}},
                                                      {{2, 1, 2, 3}, {5, 3, 4}},
                                                      {{3}, {2, 3, 4}}};
  for (auto [sa, sb] : cases) {
    SCOPED_TRACE(detail::str_cat(sa, " · ", sb));
    EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); },
                     {random_tensor(sa, DType::f64, 1), random_tensor(sb, DType::f64, 2)});
  }
  // Transposed views, one operand frozen.
  Tensor w = random_tensor({4, 3}, DType::f64, 3, false);
  EXPECT_GRADCHECK(
      [w](const std::vector<Tensor>& in) { return matmul(in[0].transpose(1, 2), w.t()); },
      {random_tensor({2, 3, 5}, DType::f64, 4)});
}

TEST(Linear, ValuesAndGradcheck) {
  Tensor x = random_tensor({2, 3, 5}, DType::f64, 1);
  Tensor w = random_tensor({4, 5}, DType::f64, 2);
  Tensor b = random_tensor({4}, DType::f64, 3);
  EXPECT_ALL_CLOSE(linear(x, w, b), add(matmul(x, w.t()), b), 1e-12, 1e-12);
  EXPECT_ALL_CLOSE(linear(x, w), matmul(x, w.t()), 1e-12, 1e-12);
  auto f = [](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); };
  EXPECT_GRADCHECK(f, {x, w, b});
  EXPECT_GRADCHECK(f, {random_tensor({7, 5}, DType::f64, 4), w, b});
  EXPECT_GRADCHECK([w](const std::vector<Tensor>& in) { return linear(in[0].t(), w); },
                   {random_tensor({5, 6}, DType::f64, 5)});
  EXPECT_FFTUNE_ERROR(linear(ones({2, 3}), ones({4, 5})), "linear: x must be");
  EXPECT_FFTUNE_ERROR(linear(ones({2, 5}), ones({4, 5}), ones({3})), "bias must be (4)");
}

TEST(Linear, FrozenWeightGetsNoGradient) {
  Tensor x = random_tensor({3, 5}, DType::f64, 1);
  Tensor w = random_tensor({4, 5}, DType::f64, 2, /*requires_grad=*/false);
  Tensor b = random_tensor({4}, DType::f64, 3);
  sum(linear(x, w, b)).backward();
  EXPECT_FALSE(w.grad().defined());
  EXPECT_TRUE(x.grad().defined());
  EXPECT_ALL_CLOSE(b.grad(), full({4}, 3.0, DType::f64));
}

// Naive direct convolution in double.
Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t stride,
                    int64_t pad) {
  const auto xv = to_vector<double>(x), wv = to_vector<double>(w), bv = to_vector<double>(b);
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), KH = w.size(2), KW = w.size(3);
  const int64_t OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  std::vector<double> y(B * O * OH * OW);
  for (int64_t n = 0; n < B; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          double acc = bv[o];
          for (int64_t c = 0; c < C; ++c)
            for (int64_t p = 0; p < KH; ++p)
              for (int64_t q = 0; q < KW; ++q) {
                const int64_t h = i * stride - pad + p, v = j * stride - pad + q;
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                acc += xv[((n * C + c) * H + h) * W + v] * wv[((o * C + c) * KH + p) * KW + q];
              }
          y[((n * O + o) * OH + i) * OW + j] = acc;
        }
  return from_vector<double>(y, {B, O, OH, OW});
}

TEST(Conv2d, ValuesAndGradcheck) {
  for (auto [stride, pad] : {std::pair<int64_t, int64_t>{1, 0}, {2, 1}, {3, 2}}) {
    Tensor x = random_tensor({2, 3, 7, 6}, DType::f64, 1);
    Tensor w = random_tensor({4, 3, 3, 2}, DType::f64, 2);
    Tensor b = random_tensor({4}, DType::f64, 3);
    EXPECT_ALL_CLOSE(conv2d(x, w, b, {stride, stride}, {pad, pad}),
                     naive_conv2d(x, w, b, stride, pad), 1e-12, 1e-12);
    EXPECT_GRADCHECK(
        [stride = stride, pad = pad](const std::vector<Tensor>& in) {
          return conv2d(in[0], in[1], in[2], {stride, stride}, {pad, pad});
        },
        {x, w, b});
  }
  // The ViT patch embedding form: kernel = stride, no padding.
  Tensor img = random_tensor({1, 3, 32, 32}, DType::f64, 4, false);
  Tensor pw = random_tensor({8, 3, 16, 16}, DType::f64, 5, false);
  Tensor pb = random_tensor({8}, DType::f64, 6, false);
  EXPECT_ALL_CLOSE(conv2d(img, pw, pb, {16, 16}), naive_conv2d(img, pw, pb, 16, 0), 1e-12, 1e-12);
  EXPECT_FFTUNE_ERROR(conv2d(ones({1, 3, 4, 4}), ones({2, 2, 3, 3}), Tensor()), "weight must be");
  EXPECT_FFTUNE_ERROR(conv2d(ones({1, 3, 2, 2}), ones({2, 3, 3, 3}), Tensor()), "does not fit");
}

}  // namespace
}  // namespace fftune
