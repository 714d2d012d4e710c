#include "nn/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/tensor/factory.h"

namespace fftune::nn {

double lr_multiplier(const ScheduleConfig& c, int64_t step) {
  const double s = static_cast<double>(step);
  const double W = static_cast<double>(c.warmup_steps), N = static_cast<double>(c.total_steps);
  if (step < c.warmup_steps) return s / std::max(1.0, W);
  switch (c.kind) {
    case ScheduleKind::kConstantWithWarmup:
      return 1.0;
    case ScheduleKind::kLinearWithWarmup:
      return std::max(0.0, (N - s) / std::max(1.0, N - W));
    case ScheduleKind::kCosineWithWarmup: {
      const double progress = (s - W) / std::max(1.0, N - W);
      return std::max(0.0,
                      0.5 * (1.0 + std::cos(std::numbers::pi * c.num_cycles * 2.0 * progress)));
    }
  }
  return 1.0;
}

LRScheduler::LRScheduler(Optimizer& optimizer, const ScheduleConfig& config)
    : optimizer_(optimizer), config_(config) {
  FFTUNE_CHECK(config.warmup_steps >= 0, "LRScheduler: warmup_steps must be >= 0, got ",
               config.warmup_steps);
  FFTUNE_CHECK(config.kind == ScheduleKind::kConstantWithWarmup || config.total_steps >= 0,
               "LRScheduler: total_steps must be >= 0, got ", config.total_steps);
  for (size_t g = 0; g < optimizer.num_groups(); ++g) base_lrs_.push_back(optimizer.lr(g));
  apply();
}

void LRScheduler::step() {
  ++last_step_;
  apply();
}

void LRScheduler::apply() {
  const double m = lr_multiplier(config_, last_step_);
  for (size_t g = 0; g < base_lrs_.size(); ++g) optimizer_.set_lr(g, base_lrs_[g] * m);
}

std::vector<double> LRScheduler::last_lrs() const {
  std::vector<double> out;
  const double m = lr_multiplier(config_, last_step_);
  for (double base : base_lrs_) out.push_back(base * m);
  return out;
}

std::map<std::string, Tensor> LRScheduler::state_dict() const {
  std::map<std::string, Tensor> out;
  out["last_step"] = scalar_tensor(static_cast<double>(last_step_), DType::i64);
  for (size_t g = 0; g < base_lrs_.size(); ++g)
    out["base_lrs." + std::to_string(g)] = scalar_tensor(base_lrs_[g], DType::f64);
  out["kind"] = scalar_tensor(static_cast<double>(config_.kind), DType::i64);
  out["warmup_steps"] = scalar_tensor(static_cast<double>(config_.warmup_steps), DType::i64);
  out["total_steps"] = scalar_tensor(static_cast<double>(config_.total_steps), DType::i64);
  out["num_cycles"] = scalar_tensor(config_.num_cycles, DType::f64);
  return out;
}

void LRScheduler::load_state_dict(const std::map<std::string, Tensor>& state) {
  const char* op = "LRScheduler::load_state_dict";
  auto get = [&](const std::string& key, DType dtype) {
    auto it = state.find(key);
    FFTUNE_CHECK(it != state.end(), op, ": missing '", key, "'");
    FFTUNE_CHECK(it->second.defined() && it->second.numel() == 1 && it->second.dtype() == dtype, op,
                 ": '", key, "' must be a one-element ", dtype, " tensor");
    return it->second.item();
  };
  auto check_same = [&](const std::string& key, double saved, double ours) {
    FFTUNE_CHECK(saved == ours, op, ": '", key, "' is ", saved, " in the state but ", ours,
                 " in this scheduler (a state of another schedule?)");
  };
  check_same("kind", get("kind", DType::i64), static_cast<double>(config_.kind));
  check_same("warmup_steps", get("warmup_steps", DType::i64),
             static_cast<double>(config_.warmup_steps));
  check_same("total_steps", get("total_steps", DType::i64),
             static_cast<double>(config_.total_steps));
  check_same("num_cycles", get("num_cycles", DType::f64), config_.num_cycles);
  const int64_t last_step = static_cast<int64_t>(get("last_step", DType::i64));
  FFTUNE_CHECK(last_step >= 0, op, ": 'last_step' is negative");
  std::vector<double> base_lrs;
  for (size_t g = 0; g < base_lrs_.size(); ++g)
    base_lrs.push_back(get("base_lrs." + std::to_string(g), DType::f64));
  const size_t expected = 5 + base_lrs_.size();  // last_step, the config (4), base_lrs
  FFTUNE_CHECK(state.size() == expected, op, ": the state has ", state.size(),
               " entries, expected ", expected, " (a scheduler over ", base_lrs_.size(),
               " parameter groups)");
  last_step_ = last_step;
  base_lrs_ = std::move(base_lrs);
  apply();
}

}  // namespace fftune::nn
