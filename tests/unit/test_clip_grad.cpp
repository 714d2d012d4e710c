// nn/clip_grad.h: clip_grad_norm_ against the norm computed by hand (clipping and not,
// parameters without gradients, f64), and gradient accumulation: k micro-batches scaled by 1/k
// give the full batch's mean-loss gradient.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/clip_grad.h"
#include "nn/linear.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

Tensor with_grad(const std::vector<double>& g, DType dtype = DType::f32) {
  Tensor p = zeros({static_cast<int64_t>(g.size())}, dtype).set_requires_grad(true);
  p.set_grad(from_vector<double>(g, {static_cast<int64_t>(g.size())}).to(dtype));
  return p;
}

TEST(ClipGrad, ClipsToMaxNorm) {
  // ‖(3, 4, 0, 12)‖ = 13.
  std::vector<Tensor> params = {with_grad({3, 4}), with_grad({0, 12}),
                                zeros({3}).set_requires_grad(true)};
  EXPECT_DOUBLE_EQ(clip_grad_norm_(params, 6.5), 13.0);
  const float coef = static_cast<float>(6.5 / (13.0 + 1e-6));
  EXPECT_ALL_CLOSE(params[0].grad(), from_vector<float>({3 * coef, 4 * coef}, {2}), 1e-7, 0.0);
  EXPECT_ALL_CLOSE(params[1].grad(), from_vector<float>({0, 12 * coef}, {2}), 1e-7, 0.0);
  EXPECT_FALSE(params[2].grad().defined());
}

TEST(ClipGrad, LeavesSmallGradientsAlone) {
  std::vector<Tensor> params = {with_grad({0.3, -0.4}, DType::f64)};
  EXPECT_DOUBLE_EQ(clip_grad_norm_(params, 1.0), 0.5);
  EXPECT_EQ(to_vector<double>(params[0].grad()), (std::vector<double>{0.3, -0.4}));
  EXPECT_EQ(clip_grad_norm_({zeros({2}).set_requires_grad(true)}, 1.0), 0.0);
  EXPECT_FFTUNE_ERROR(clip_grad_norm_(params, -1.0), "max_norm must be >= 0");
}

TEST(GradAccumulation, ScaledMicroBatchesGiveTheFullBatchGradient) {
  Generator gen(1);
  Linear layer(5, 3, true, &gen, DType::f64);
  const Tensor x = testing::random_tensor({8, 5}, DType::f64, 2, false);
  const Tensor target = testing::random_tensor({8, 3}, DType::f64, 3, false);
  mse_loss(layer.forward(x), target).backward();
  const Tensor full_w = layer.weight().grad().clone(), full_b = layer.bias().grad().clone();
  layer.zero_grad();

  GradientAccumulation accumulation(4);
  EXPECT_DOUBLE_EQ(accumulation.loss_scale(), 0.25);
  int steps = 0;
  for (int64_t i = 0; i < 8; i += 2) {
    const Tensor loss = mse_loss(layer.forward(x.narrow(0, i, 2)), target.narrow(0, i, 2));
    mul(loss, accumulation.loss_scale()).backward();
    if (accumulation.micro_step()) ++steps;
  }
  EXPECT_EQ(steps, 1);
  EXPECT_EQ(accumulation.micro_steps_done(), 4);
  EXPECT_ALL_CLOSE(layer.weight().grad(), full_w, 1e-12, 1e-14);
  EXPECT_ALL_CLOSE(layer.bias().grad(), full_b, 1e-12, 1e-14);
  EXPECT_FFTUNE_ERROR(GradientAccumulation(0), "steps must be >= 1");
}

TEST(GradientAccumulation, TheLastGroupOfAnEpochIsScaledByItsOwnSize) {
  // 7 micro-batches in groups of 3: {0,1,2} {3,4,5} {6}.
  GradientAccumulation accumulation(3);
  for (int64_t i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(accumulation.loss_scale(i, 7), 1.0 / 3);
  EXPECT_DOUBLE_EQ(accumulation.loss_scale(6, 7), 1.0);
  std::vector<int64_t> ends;
  for (int64_t i = 0; i < 7; ++i)
    if (accumulation.ends_group(i, 7)) ends.push_back(i);
  EXPECT_EQ(ends, (std::vector<int64_t>{2, 5, 6}));
  EXPECT_FFTUNE_ERROR(accumulation.loss_scale(7, 7), "outside an epoch of 7");
}

}  // namespace
}  // namespace fftune::nn
