#include "nn/sgd.h"

#include "ops/ops.h"

namespace fftune::nn {
namespace {

std::vector<ParamGroup> base_groups(const std::vector<SGDGroup>& groups) {
  std::vector<ParamGroup> out;
  for (const SGDGroup& g : groups) out.push_back({g.params, g.options.lr, g.options.weight_decay});
  return out;
}

void check_options(const SGDOptions& o, size_t group) {
  FFTUNE_CHECK(o.momentum >= 0, "SGD: invalid momentum ", o.momentum, " in group ", group,
               " (must be >= 0)");
  FFTUNE_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0), "SGD: nesterov momentum ",
               "needs momentum > 0 and dampening 0 (group ", group, ")");
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : SGD(std::vector<SGDGroup>{{std::move(params), options}}) {}

SGD::SGD(std::vector<SGDGroup> groups) : Optimizer(base_groups(groups), "SGD") {
  for (size_t g = 0; g < groups.size(); ++g) {
    check_options(groups[g].options, g);
    const SGDOptions& o = groups[g].options;
    hyper_.push_back({o.momentum, o.dampening, o.nesterov});
  }
}

SGD::SGD(const std::vector<ParamGroup>& groups, const SGDOptions& options)
    : SGD([&] {
        std::vector<SGDGroup> out;
        for (const ParamGroup& g : groups) {
          SGDOptions o = options;
          o.lr = g.lr;
          o.weight_decay = g.weight_decay;
          out.push_back({g.params, o});
        }
        return out;
      }()) {}

void SGD::step() {
  NoGradGuard no_grad;
  // Every update of the step at once: one fused launch on CUDA (ops/ops.h).
  std::vector<SGDParamUpdate> updates;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const ParamGroup& group = groups_[g];
    const Momentum& h = hyper_[g];
    for (size_t i = 0; i < group.params.size(); ++i) {
      Tensor p = group.params[i];
      if (!p.grad().defined()) continue;
      ParamState& s = state(g, i);
      const bool first = s.step == 0;
      Tensor buffer;
      if (h.momentum != 0.0) {
        // A new buffer's contents are ignored on the first update (it starts as a copy of g).
        if (!s.buffers.count("momentum_buffer")) s.buffers["momentum_buffer"] = empty_like(p);
        buffer = s.buffers.at("momentum_buffer");
      }
      s.step += 1;
      const SGDStepScalars scalars{group.lr,    group.weight_decay, h.momentum,
                                   h.dampening, h.nesterov,         first};
      updates.push_back({p, p.grad(), buffer, scalars});
    }
  }
  sgd_multi_tensor_step_(updates);
}

std::vector<std::pair<std::string, double>> SGD::hyper_parameters(size_t group) const {
  const Momentum& h = hyper_[group];
  return {{"momentum", h.momentum}, {"dampening", h.dampening}, {"nesterov", h.nesterov ? 1 : 0}};
}

void SGD::set_hyper_parameter(size_t group, const std::string& name, double value) {
  Momentum& h = hyper_[group];
  if (name == "momentum")
    h.momentum = value;
  else if (name == "dampening")
    h.dampening = value;
  else if (name == "nesterov")
    h.nesterov = value != 0;
  else
    FFTUNE_FAIL("SGD: unknown hyper-parameter '", name, "'");
}

std::vector<std::string> SGD::buffer_names(size_t group) const {
  if (hyper_[group].momentum == 0.0) return {};
  return {"momentum_buffer"};
}

}  // namespace fftune::nn
