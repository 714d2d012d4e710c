#include "nn/optimizer.h"

#include <algorithm>
#include <set>

#include "core/autograd/grad_mode.h"
#include "core/tensor/factory.h"

namespace fftune::nn {
namespace {

Tensor f64_scalar(double v) {
  return scalar_tensor(v, DType::f64);
}

double scalar_value(const Tensor& t, const std::string& key, const std::string& name) {
  FFTUNE_CHECK(t.defined() && t.numel() == 1 && is_floating(t.dtype()), name, ".load_state_dict: '",
               key, "' must be a one-element floating tensor");
  return t.item();
}

}  // namespace

Optimizer::Optimizer(std::vector<ParamGroup> groups, std::string name)
    : groups_(std::move(groups)), name_(std::move(name)) {
  FFTUNE_CHECK(!groups_.empty(), name_, ": no parameter groups");
  std::set<const TensorImpl*> seen;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const ParamGroup& group = groups_[g];
    FFTUNE_CHECK(!group.params.empty(), name_, ": parameter group ", g, " is empty");
    FFTUNE_CHECK(group.lr >= 0, name_, ": invalid learning rate ", group.lr, " in group ", g,
                 " (must be >= 0)");
    FFTUNE_CHECK(group.weight_decay >= 0, name_, ": invalid weight_decay ", group.weight_decay,
                 " in group ", g, " (must be >= 0)");
    for (size_t i = 0; i < group.params.size(); ++i) {
      const Tensor& p = group.params[i];
      FFTUNE_CHECK(p.defined(), name_, ": parameter ", i, " of group ", g, " is undefined");
      FFTUNE_CHECK(is_floating(p.dtype()), name_, ": parameter ", i, " of group ", g,
                   " must be f32 or f64, got ", p.dtype());
      FFTUNE_CHECK(p.is_leaf(), name_, ": parameter ", i, " of group ", g,
                   " is not a leaf tensor (can't optimize the output of an op)");
      FFTUNE_CHECK(p.requires_grad(), name_, ": parameter ", i, " of group ", g,
                   " does not require grad (a frozen tensor; pass parameters(true) to ",
                   "optimize only the trainable ones)");
      FFTUNE_CHECK(p.is_contiguous(), name_, ": parameter ", i, " of group ", g,
                   " must be contiguous");
      FFTUNE_CHECK(seen.insert(p.impl()).second, name_, ": parameter ", i, " of group ", g,
                   " appears more than once");
    }
    state_.emplace_back(group.params.size());
  }
}

void Optimizer::zero_grad() {
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params) p.set_grad(Tensor());
}

double Optimizer::lr(size_t group) const {
  FFTUNE_CHECK(group < groups_.size(), name_, ": no parameter group ", group, " (there are ",
               groups_.size(), ")");
  return groups_[group].lr;
}

void Optimizer::set_lr(size_t group, double lr) {
  FFTUNE_CHECK(group < groups_.size(), name_, ": no parameter group ", group, " (there are ",
               groups_.size(), ")");
  FFTUNE_CHECK(lr >= 0, name_, ": invalid learning rate ", lr, " (must be >= 0)");
  groups_[group].lr = lr;
}

std::map<std::string, Tensor> Optimizer::state_dict() const {
  std::map<std::string, Tensor> out;
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string group_prefix = "param_groups." + std::to_string(g) + ".";
    out[group_prefix + "lr"] = f64_scalar(groups_[g].lr);
    out[group_prefix + "weight_decay"] = f64_scalar(groups_[g].weight_decay);
    for (const auto& [key, value] : hyper_parameters(g))
      out[group_prefix + key] = f64_scalar(value);
    for (size_t i = 0; i < groups_[g].params.size(); ++i, ++index) {
      const ParamState& s = state_[g][i];
      if (s.step == 0 && s.buffers.empty()) continue;
      const std::string prefix = "state." + std::to_string(index) + ".";
      out[prefix + "step"] = scalar_tensor(static_cast<double>(s.step), DType::i64);
      for (const auto& [key, buffer] : s.buffers) out[prefix + key] = buffer.clone();
    }
  }
  return out;
}

void Optimizer::load_state_dict(const std::map<std::string, Tensor>& state) {
  NoGradGuard no_grad;
  const std::string op = name_ + ".load_state_dict";
  auto find = [&](const std::string& key) -> const Tensor* {
    auto it = state.find(key);
    return it == state.end() ? nullptr : &it->second;
  };
  // Check everything before changing anything: a failed load leaves the optimizer as it was.
  std::set<std::string> used;
  std::vector<std::vector<std::pair<std::string, double>>> hypers(groups_.size());
  std::vector<std::vector<ParamState>> new_state(groups_.size());
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string group_prefix = "param_groups." + std::to_string(g) + ".";
    std::vector<std::string> names = {"lr", "weight_decay"};
    for (const auto& [key, value] : hyper_parameters(g)) names.push_back(key);
    for (const std::string& key : names) {
      const Tensor* t = find(group_prefix + key);
      FFTUNE_CHECK(t, op, ": missing '", group_prefix + key, "'");
      hypers[g].emplace_back(key, scalar_value(*t, group_prefix + key, name_));
      used.insert(group_prefix + key);
    }
    for (size_t i = 0; i < groups_[g].params.size(); ++i, ++index) {
      const Tensor& p = groups_[g].params[i];
      const std::string prefix = "state." + std::to_string(index) + ".";
      ParamState s;
      const Tensor* step = find(prefix + "step");
      if (step) {
        FFTUNE_CHECK(step->numel() == 1 && step->dtype() == DType::i64, op, ": '", prefix,
                     "step' must be a one-element i64 tensor");
        s.step = step->item<int64_t>();
        FFTUNE_CHECK(s.step >= 0, op, ": '", prefix, "step' is negative");
        used.insert(prefix + "step");
        for (const std::string& key : buffer_names(g)) {
          const Tensor* b = find(prefix + key);
          FFTUNE_CHECK(b, op, ": missing '", prefix + key, "'");
          FFTUNE_CHECK(b->shape() == p.shape() && b->dtype() == p.dtype(), op, ": '", prefix + key,
                       "' is ", b->dtype(), " ", b->shape(), " but parameter ", index, " is ",
                       p.dtype(), " ", p.shape());
          // A private contiguous copy on the parameter's device (the source may be a view of a
          // memory-mapped file).
          s.buffers[key] = b->to(p.device()).clone();
          used.insert(prefix + key);
        }
      }
      new_state[g].push_back(std::move(s));
    }
  }
  for (const auto& [key, t] : state)
    FFTUNE_CHECK(used.count(key), op, ": unexpected key '", key,
                 "' (a state_dict of another optimizer, or of other parameters?)");

  for (size_t g = 0; g < groups_.size(); ++g) {
    for (const auto& [key, value] : hypers[g]) {
      if (key == "lr") {
        FFTUNE_CHECK(value >= 0, op, ": invalid learning rate ", value);
        groups_[g].lr = value;
      } else if (key == "weight_decay") {
        FFTUNE_CHECK(value >= 0, op, ": invalid weight_decay ", value);
        groups_[g].weight_decay = value;
      } else {
        set_hyper_parameter(g, key, value);
      }
    }
  }
  state_ = std::move(new_state);
}

}  // namespace fftune::nn
