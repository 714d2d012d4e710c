// Optimizer: the base of AdamW and SGD. It holds parameter groups — each a list of tensors with
// its own learning rate and weight decay (and the optimizer's own hyper-parameters, kept by the
// subclass) — and per-parameter state (a step count and named buffers such as exp_avg), created
// lazily on a parameter's first update, as torch.optim does.
//
// A parameter whose grad is undefined at step() is skipped: no update, no state change.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune::nn {

struct ParamGroup {
  std::vector<Tensor> params;
  double lr = 1e-3;
  double weight_decay = 0.0;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient.
  virtual void step() = 0;
  // Drops every parameter's gradient (torch's zero_grad(set_to_none=True)).
  void zero_grad();

  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  size_t num_groups() const { return groups_.size(); }
  double lr(size_t group) const;
  void set_lr(size_t group, double lr);  // what a learning-rate schedule calls each step

  // Everything needed to resume bit for bit, as tensors (ready for io::save_safetensors):
  //   "param_groups.<g>.<name>"  f64 0-dim: lr, weight_decay and the subclass's hyper-parameters
  //   "state.<i>.step"           i64 0-dim: updates applied to parameter i so far
  //   "state.<i>.<buffer>"       the parameter's shape and dtype, e.g. state.3.exp_avg
  // i numbers the parameters across groups in order (as torch's optimizer state_dict). A
  // parameter never updated yet has no "state.<i>" entries. The tensors are copies.
  std::map<std::string, Tensor> state_dict() const;
  // Restores a state_dict() of an optimizer of the same kind over parameters of the same shapes
  // (the values of the parameters themselves are restored separately). Every key is checked.
  void load_state_dict(const std::map<std::string, Tensor>& state);

 protected:
  // Checks the groups: at least one, none empty, lr ≥ 0, weight_decay ≥ 0, every parameter a
  // contiguous floating leaf that requires grad, no parameter twice. `name` prefixes messages.
  Optimizer(std::vector<ParamGroup> groups, std::string name);

  struct ParamState {
    int64_t step = 0;                       // updates applied so far
    std::map<std::string, Tensor> buffers;  // e.g. exp_avg, exp_avg_sq; empty before the first
  };
  ParamState& state(size_t group, size_t index) { return state_[group][index]; }

  // The subclass's per-group hyper-parameters by name (betas, eps, momentum, ...), for
  // state_dict, and how to set one back.
  virtual std::vector<std::pair<std::string, double>> hyper_parameters(size_t group) const = 0;
  virtual void set_hyper_parameter(size_t group, const std::string& name, double value) = 0;
  // The buffers a parameter's state holds once it has been updated.
  virtual std::vector<std::string> buffer_names(size_t group) const = 0;

  std::vector<ParamGroup> groups_;
  std::string name_;

 private:
  std::vector<std::vector<ParamState>> state_;  // [group][index in group]
};

}  // namespace fftune::nn
