// ops/loss.cpp: cross_entropy against hand-computed values and a reference composed from
// log_softmax (reductions none/mean/sum, ignore_index, label smoothing, (B, C, d1, ...) and (C)
// layouts), stability, f32 against f64, gradcheck, errors; mse_loss values, gradcheck, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

// torch's definition, composed: per row −(1−ε)·log p_t − ε/C·Σ_c log p_c, 0 where ignored;
// mean divides by the non-ignored count. logits (M, C), targets as a host vector.
Tensor reference_ce(const Tensor& logits, const std::vector<int64_t>& target, int64_t ignore,
                    double eps, Reduction reduction) {
  const int64_t M = logits.size(0), C = logits.size(1);
  std::vector<double> onehot(M * C, 0.0), keep(M, 0.0);
  int64_t count = 0;
  for (int64_t r = 0; r < M; ++r) {
    if (target[r] == ignore) continue;
    keep[r] = 1;
    ++count;
    for (int64_t c = 0; c < C; ++c) onehot[r * C + c] = eps / C + (c == target[r] ? 1 - eps : 0);
  }
  const Tensor w = from_vector<double>(onehot, {M, C}).to(logits.dtype());
  const Tensor rows = neg(sum(mul(log_softmax(logits, 1), w), {1}));  // (M), 0 where ignored
  if (reduction == Reduction::kNone) return rows;
  if (reduction == Reduction::kSum) return sum(rows);
  return div(sum(rows), static_cast<double>(count));
}

TEST(CrossEntropy, HandComputedValues) {
  const Tensor logits = from_vector<double>({1, 2, 3, 1, 1, 1}, {2, 3});
  const Tensor target = from_vector<int64_t>({2, 0}, {2});
  const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3;
  const double l1 = std::log(3.0);
  EXPECT_NEAR(cross_entropy(logits, target).item(), (l0 + l1) / 2, 1e-14);
  EXPECT_NEAR(cross_entropy(logits, target, -100, 0, Reduction::kSum).item(), l0 + l1, 1e-14);
  EXPECT_EQ(to_vector<double>(cross_entropy(logits, target, -100, 0, Reduction::kNone)).size(), 2u);
  // Ignoring row 1 leaves the mean over row 0 alone.
  const Tensor t_ign = from_vector<int64_t>({2, -100}, {2});
  EXPECT_NEAR(cross_entropy(logits, t_ign).item(), l0, 1e-14);
  // Smoothing ε = 0.3 on row 1 (uniform logits): every −log p_c is log 3.
  EXPECT_NEAR(to_vector<double>(cross_entropy(logits, target, -100, 0.3, Reduction::kNone))[1], l1,
              1e-14);
}

TEST(CrossEntropy, MatchesReferenceForEveryReduction) {
  const Tensor logits = random_tensor({6, 5}, DType::f64, 1, false);
  const std::vector<int64_t> t = {4, -1, 0, 2, -1, 3};
  const Tensor target = from_vector<int64_t>(t, {6});
  for (Reduction red : {Reduction::kNone, Reduction::kMean, Reduction::kSum}) {
    for (double eps : {0.0, 0.1, 1.0}) {
      SCOPED_TRACE(detail::str_cat("reduction ", static_cast<int>(red), " eps ", eps));
      EXPECT_ALL_CLOSE(cross_entropy(logits, target, -1, eps, red),
                       reference_ce(logits, t, -1, eps, red), 1e-12, 1e-14);
    }
  }
}

TEST(CrossEntropy, SpatialAndUnbatchedLayouts) {
  // (B, C, d1, d2) = (2, 4, 3, 2): classes in dim 1, as torch.
  const Tensor logits = random_tensor({2, 4, 3, 2}, DType::f64, 2, false);
  Generator gen(3);
  const Tensor target = randint(0, 4, {2, 3, 2}, Device::cpu(), &gen);
  const Tensor rows = logits.permute({0, 2, 3, 1}).reshape({-1, 4});
  const auto t = to_vector<int64_t>(target);
  const Tensor none = cross_entropy(logits, target, -100, 0.2, Reduction::kNone);
  EXPECT_EQ(none.shape(), (Shape{2, 3, 2}));
  EXPECT_ALL_CLOSE(none.reshape({-1}), reference_ce(rows, t, -100, 0.2, Reduction::kNone), 1e-12);
  EXPECT_ALL_CLOSE(cross_entropy(logits, target, -100, 0.2),
                   reference_ce(rows, t, -100, 0.2, Reduction::kMean), 1e-12);
  // (C) with a 0-dim target: one sample.
  const Tensor one = from_vector<double>({1, 2, 3}, {3});
  const Tensor none1 = cross_entropy(one, scalar_tensor(2, DType::i64), -100, 0, Reduction::kNone);
  EXPECT_EQ(none1.dim(), 0);
  EXPECT_NEAR(none1.item(), std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3, 1e-14);
}

TEST(CrossEntropy, AllIgnored) {
  const Tensor logits = random_tensor({2, 3}, DType::f64, 4, false);
  const Tensor target = from_vector<int64_t>({-100, -100}, {2});
  EXPECT_TRUE(std::isnan(cross_entropy(logits, target).item()));  // 0/0, as torch
  EXPECT_EQ(cross_entropy(logits, target, -100, 0, Reduction::kSum).item(), 0.0);
  const Tensor x = logits.detach().set_requires_grad(true);
  cross_entropy(x, target, -100, 0.1, Reduction::kSum).backward();
  EXPECT_EQ(to_vector<double>(x.grad()), std::vector<double>(6, 0.0));
}

TEST(CrossEntropy, LargeLogitsAndF32) {
  const Tensor big = from_vector<float>({1000, 1001, 1003, -1000}, {1, 4});
  const Tensor small = from_vector<float>({0, 1, 3, -2000}, {1, 4});
  const Tensor t = from_vector<int64_t>({1}, {1});
  EXPECT_NEAR(cross_entropy(big, t).item(), cross_entropy(small, t).item(), 1e-5);
  const Tensor xb = big.detach().set_requires_grad(true),
               xs = small.detach().set_requires_grad(true);
  cross_entropy(xb, t, -100, 0.1).backward();
  cross_entropy(xs, t, -100, 0.1).backward();
  EXPECT_ALL_CLOSE(xb.grad(), xs.grad(), 1e-5, 1e-7);

  // (M, V) = (256, 1000): rows in parallel; f32 forward and backward against f64.
  const Tensor x64 = mul(random_tensor({256, 1000}, DType::f64, 5, false), 3.0);
  Generator gen(6);
  const Tensor target = randint(0, 1000, {256}, Device::cpu(), &gen);
  const Tensor a = x64.detach().set_requires_grad(true);
  const Tensor b = x64.to(DType::f32).set_requires_grad(true);
  const Tensor la = cross_entropy(a, target, -100, 0.1);
  const Tensor lb = cross_entropy(b, target, -100, 0.1);
  EXPECT_NEAR(lb.item(), la.item(), 1e-5 * std::abs(la.item()));
  la.backward();
  lb.backward();
  EXPECT_ALL_CLOSE(b.grad(), a.grad(), 1e-4, 1e-9);
}

TEST(CrossEntropy, Gradcheck) {
  const Tensor target = from_vector<int64_t>({2, 0, -100, 3}, {4});
  for (Reduction red : {Reduction::kNone, Reduction::kMean, Reduction::kSum}) {
    for (double eps : {0.0, 0.25}) {
      SCOPED_TRACE(detail::str_cat("reduction ", static_cast<int>(red), " eps ", eps));
      EXPECT_GRADCHECK(
          [&](const std::vector<Tensor>& in) {
            return cross_entropy(in[0], target, -100, eps, red);
          },
          {random_tensor({4, 5}, DType::f64, 7)});
    }
  }
  // (B, C, d1) layout and a non-contiguous (transposed) logits tensor.
  const Tensor t3 = from_vector<int64_t>({0, 2, 1, 1, -100, 0}, {2, 3});
  EXPECT_GRADCHECK(
      [&](const std::vector<Tensor>& in) {
        return cross_entropy(in[0], t3, -100, 0.1, Reduction::kMean);
      },
      {random_tensor({2, 3, 3}, DType::f64, 8)});
  EXPECT_GRADCHECK(
      [&](const std::vector<Tensor>& in) {
        return cross_entropy(in[0].t(), target, -100, 0.1, Reduction::kNone);
      },
      {random_tensor({5, 4}, DType::f64, 9)});
}

TEST(CrossEntropy, Errors) {
  const Tensor logits = zeros({3, 4});
  EXPECT_FFTUNE_ERROR(cross_entropy(logits, from_vector<int64_t>({0, 4, 1}, {3})),
                      "cross_entropy: target 4 (at position 1 of the flattened targets) is out "
                      "of range for 4 classes");
  EXPECT_FFTUNE_ERROR(cross_entropy(logits, from_vector<int64_t>({0, -1, 1}, {3})), "target -1");
  EXPECT_FFTUNE_ERROR(cross_entropy(logits, zeros({3})), "'target (class indices)' must be i64");
  EXPECT_FFTUNE_ERROR(cross_entropy(logits, zeros({4}, DType::i64)),
                      "cross_entropy: target must be (3,) for logits (3, 4)");
  EXPECT_FFTUNE_ERROR(cross_entropy(logits, zeros({3}, DType::i64), -100, 1.5),
                      "label_smoothing must be in [0, 1]");
  EXPECT_FFTUNE_ERROR(cross_entropy(zeros({3, 4}, DType::i64), zeros({3}, DType::i64)),
                      "logits must be a floating tensor");
}

TEST(MseLoss, ValuesGradcheckErrors) {
  const Tensor a = from_vector<double>({1, 2, 3, 4}, {2, 2});
  const Tensor b = from_vector<double>({0, 2, 5, 1}, {2, 2});
  EXPECT_EQ(mse_loss(a, b).item(), (1.0 + 0 + 4 + 9) / 4);
  EXPECT_EQ(mse_loss(a, b, Reduction::kSum).item(), 14.0);
  EXPECT_EQ(to_vector<double>(mse_loss(a, b, Reduction::kNone)), (std::vector<double>{1, 0, 4, 9}));
  for (Reduction red : {Reduction::kNone, Reduction::kMean, Reduction::kSum}) {
    EXPECT_GRADCHECK(
        [red](const std::vector<Tensor>& in) { return mse_loss(in[0], in[1].t(), red); },
        {random_tensor({3, 4}, DType::f64, 10), random_tensor({4, 3}, DType::f64, 11)});
  }
  EXPECT_FFTUNE_ERROR(mse_loss(zeros({2, 3}), zeros({3})),
                      "mse_loss: input (2, 3) and target (3,) must have the same shape");
  EXPECT_FFTUNE_ERROR(mse_loss(zeros({3}), zeros({3}, DType::f64)), "one dtype");
  EXPECT_FFTUNE_ERROR(mse_loss(zeros({3}, DType::i64), zeros({3}, DType::i64)),
                      "mse_loss: input must be a floating tensor");
}

}  // namespace
}  // namespace fftune
