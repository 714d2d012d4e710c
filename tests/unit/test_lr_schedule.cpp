// nn/lr_schedule.h: multipliers against the HF formulas evaluated by hand at several steps,
// LambdaLR's step-0-at-construction behaviour, per-group base lrs, and exact resume through
// state_dict (with errors for a state of another schedule).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "nn/lr_schedule.h"
#include "nn/sgd.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

TEST(LrSchedule, LinearWithWarmupByHand) {
  const ScheduleConfig c = linear_schedule_with_warmup(4, 12);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 0), 0.0);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 1), 0.25);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 3), 0.75);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 4), 1.0);   // (12 − 4) / 8
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 6), 0.75);  // (12 − 6) / 8
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 12), 0.0);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 20), 0.0);  // clamped at 0 past the end
  EXPECT_DOUBLE_EQ(lr_multiplier(linear_schedule_with_warmup(0, 5), 0), 1.0);
  EXPECT_DOUBLE_EQ(lr_multiplier(linear_schedule_with_warmup(0, 5), 2), 0.6);
}

TEST(LrSchedule, CosineWithWarmupByHand) {
  const ScheduleConfig c = cosine_schedule_with_warmup(2, 10);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 1), 0.5);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 2), 1.0);
  EXPECT_NEAR(lr_multiplier(c, 6), 0.5, 1e-15);  // progress ½: ½(1 + cos(π/2))
  EXPECT_NEAR(lr_multiplier(c, 4), 0.5 * (1 + std::cos(std::numbers::pi * 0.25)), 1e-15);
  EXPECT_NEAR(lr_multiplier(c, 10), 0.0, 1e-15);
  const ScheduleConfig cycles = cosine_schedule_with_warmup(0, 8, 1.0);  // a full cosine period
  EXPECT_NEAR(lr_multiplier(cycles, 4), 0.0, 1e-15);
  EXPECT_NEAR(lr_multiplier(cycles, 8), 1.0, 1e-15);
}

TEST(LrSchedule, ConstantWithWarmupByHand) {
  const ScheduleConfig c = constant_schedule_with_warmup(3);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 0), 0.0);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 2), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 3), 1.0);
  EXPECT_DOUBLE_EQ(lr_multiplier(c, 1000), 1.0);
}

struct TwoGroups {
  Tensor a = zeros({2}).set_requires_grad(true), b = zeros({2}).set_requires_grad(true);
  SGD optimizer{std::vector<SGDGroup>{{{a}, {.lr = 0.5}}, {{b}, {.lr = 0.02}}}};
};

TEST(LrSchedule, SetsEveryGroupFromItsBaseLr) {
  TwoGroups s;
  LRScheduler scheduler(s.optimizer, linear_schedule_with_warmup(2, 6));
  EXPECT_EQ(scheduler.base_lrs(), (std::vector<double>{0.5, 0.02}));
  EXPECT_DOUBLE_EQ(s.optimizer.lr(0), 0.0);  // step 0 applied at construction
  scheduler.step();
  EXPECT_DOUBLE_EQ(s.optimizer.lr(0), 0.25);
  EXPECT_DOUBLE_EQ(s.optimizer.lr(1), 0.01);
  scheduler.step();
  EXPECT_EQ(scheduler.last_step(), 2);
  EXPECT_EQ(scheduler.last_lrs(), (std::vector<double>{0.5, 0.02}));
}

TEST(LrSchedule, ExactResume) {
  TwoGroups s1;
  LRScheduler first(s1.optimizer, cosine_schedule_with_warmup(3, 20));
  for (int i = 0; i < 7; ++i) first.step();
  const auto state = first.state_dict();

  TwoGroups s2;  // a fresh run, resumed
  LRScheduler resumed(s2.optimizer, cosine_schedule_with_warmup(3, 20));
  resumed.load_state_dict(state);
  EXPECT_EQ(resumed.last_step(), 7);
  EXPECT_EQ(s2.optimizer.lr(0), s1.optimizer.lr(0));
  for (int i = 0; i < 5; ++i) {
    first.step();
    resumed.step();
    EXPECT_EQ(s2.optimizer.lr(0), s1.optimizer.lr(0));
    EXPECT_EQ(s2.optimizer.lr(1), s1.optimizer.lr(1));
  }

  TwoGroups s3;
  LRScheduler other(s3.optimizer, cosine_schedule_with_warmup(3, 30));
  EXPECT_FFTUNE_ERROR(other.load_state_dict(state), "'total_steps' is 20 in the state but 30");
  LRScheduler linear(s3.optimizer, linear_schedule_with_warmup(3, 20));
  EXPECT_FFTUNE_ERROR(linear.load_state_dict(state), "'kind'");
  auto broken = state;
  broken.erase("base_lrs.1");
  EXPECT_FFTUNE_ERROR(resumed.load_state_dict(broken), "missing 'base_lrs.1'");
}

TEST(LrSchedule, RejectsBadConfigs) {
  TwoGroups s;
  EXPECT_FFTUNE_ERROR(LRScheduler(s.optimizer, linear_schedule_with_warmup(-1, 5)),
                      "warmup_steps must be >= 0");
}

}  // namespace
}  // namespace fftune::nn
