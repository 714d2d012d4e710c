// Learning-rate schedules, exactly as Hugging Face transformers' get_*_schedule_with_warmup
// (torch LambdaLR semantics): each group's lr is base_lr · multiplier(step), where base_lr is
// the group's lr when the scheduler was made and step counts scheduler.step() calls.
//
//   multiplier(step), W = warmup_steps, N = total_steps:
//   warmup (every kind), step < W:  step / max(1, W)
//   constant:  1
//   linear:    max(0, (N − step) / max(1, N − W))
//   cosine:    max(0, ½·(1 + cos(π · 2·num_cycles · progress))),  progress = (step − W) / max(1, N
//   − W)
//
// As LambdaLR, the constructor applies step 0 at once (lr = base_lr · multiplier(0): 0 with a
// warmup). The loop is then, per optimizer step:
//   loss.backward(); optimizer.step(); scheduler.step(); optimizer.zero_grad();
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nn/optimizer.h"

namespace fftune::nn {

enum class ScheduleKind { kConstantWithWarmup, kLinearWithWarmup, kCosineWithWarmup };

struct ScheduleConfig {
  ScheduleKind kind = ScheduleKind::kLinearWithWarmup;
  int64_t warmup_steps = 0;
  int64_t total_steps = 0;  // unused by constant
  double num_cycles = 0.5;  // cosine only: 0.5 decays from 1 to 0 once
};

// The multiplier of the base lr after `step` scheduler steps (the formulas above).
double lr_multiplier(const ScheduleConfig& config, int64_t step);

class LRScheduler {
 public:
  // Takes each group's current lr as its base lr and sets the lr for step 0. The optimizer must
  // outlive the scheduler.
  LRScheduler(Optimizer& optimizer, const ScheduleConfig& config);

  // Advances one step and sets every group's lr.
  void step();

  int64_t last_step() const { return last_step_; }  // torch's last_epoch
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  std::vector<double> last_lrs() const;  // the lrs set by the last step (get_last_lr)
  const ScheduleConfig& config() const { return config_; }

  // For exact resume, next to the optimizer's state_dict:
  //   "last_step" i64 0-dim, "base_lrs.<g>" f64 0-dim, and the config ("kind" i64,
  //   "warmup_steps" i64, "total_steps" i64, "num_cycles" f64).
  std::map<std::string, Tensor> state_dict() const;
  // Restores a state_dict() of a scheduler with the same config over the same number of groups
  // (anything else is an error naming the key), and sets the optimizer's lrs to match.
  void load_state_dict(const std::map<std::string, Tensor>& state);

 private:
  void apply();

  Optimizer& optimizer_;
  ScheduleConfig config_;
  std::vector<double> base_lrs_;
  int64_t last_step_ = 0;
};

// HF-named shorthands.
inline ScheduleConfig linear_schedule_with_warmup(int64_t warmup_steps, int64_t total_steps) {
  return {ScheduleKind::kLinearWithWarmup, warmup_steps, total_steps, 0.5};
}
inline ScheduleConfig cosine_schedule_with_warmup(int64_t warmup_steps, int64_t total_steps,
                                                  double num_cycles = 0.5) {
  return {ScheduleKind::kCosineWithWarmup, warmup_steps, total_steps, num_cycles};
}
inline ScheduleConfig constant_schedule_with_warmup(int64_t warmup_steps) {
  return {ScheduleKind::kConstantWithWarmup, warmup_steps, 0, 0.5};
}

}  // namespace fftune::nn
