#include "nn/adamw.h"

#include <cmath>

#include "ops/ops.h"

namespace fftune::nn {
namespace {

std::vector<ParamGroup> base_groups(const std::vector<AdamWGroup>& groups) {
  std::vector<ParamGroup> out;
  for (const AdamWGroup& g : groups)
    out.push_back({g.params, g.options.lr, g.options.weight_decay});
  return out;
}

void check_options(const AdamWOptions& o, size_t group) {
  FFTUNE_CHECK(o.beta1 >= 0 && o.beta1 < 1, "AdamW: invalid beta1 ", o.beta1, " in group ", group,
               " (must be in [0, 1))");
  FFTUNE_CHECK(o.beta2 >= 0 && o.beta2 < 1, "AdamW: invalid beta2 ", o.beta2, " in group ", group,
               " (must be in [0, 1))");
  FFTUNE_CHECK(o.eps >= 0, "AdamW: invalid eps ", o.eps, " in group ", group, " (must be >= 0)");
}

}  // namespace

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : AdamW(std::vector<AdamWGroup>{{std::move(params), options}}) {}

AdamW::AdamW(std::vector<AdamWGroup> groups) : Optimizer(base_groups(groups), "AdamW") {
  for (size_t g = 0; g < groups.size(); ++g) {
    check_options(groups[g].options, g);
    hyper_.push_back({groups[g].options.beta1, groups[g].options.beta2, groups[g].options.eps});
  }
}

AdamW::AdamW(const std::vector<ParamGroup>& groups, const AdamWOptions& options)
    : AdamW([&] {
        std::vector<AdamWGroup> out;
        for (const ParamGroup& g : groups) {
          AdamWOptions o = options;
          o.lr = g.lr;
          o.weight_decay = g.weight_decay;
          out.push_back({g.params, o});
        }
        return out;
      }()) {}

void AdamW::step() {
  NoGradGuard no_grad;
  // Every update of the step at once: one fused launch on CUDA (ops/ops.h), on the CPU the
  // same per-parameter pass as adamw_step_.
  std::vector<AdamWParamUpdate> updates;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const ParamGroup& group = groups_[g];
    const Betas& h = hyper_[g];
    for (size_t i = 0; i < group.params.size(); ++i) {
      Tensor p = group.params[i];
      if (!p.grad().defined()) continue;
      ParamState& s = state(g, i);
      if (s.buffers.empty()) {
        s.buffers["exp_avg"] = zeros_like(p);
        s.buffers["exp_avg_sq"] = zeros_like(p);
      }
      s.step += 1;
      const double t = static_cast<double>(s.step);
      AdamWStepScalars scalars;
      scalars.decay = 1.0 - group.lr * group.weight_decay;
      scalars.beta1 = h.beta1;
      scalars.beta2 = h.beta2;
      scalars.step_size = group.lr / (1.0 - std::pow(h.beta1, t));
      scalars.bias_correction2_sqrt = std::sqrt(1.0 - std::pow(h.beta2, t));
      scalars.eps = h.eps;
      updates.push_back(
          {p, p.grad(), s.buffers.at("exp_avg"), s.buffers.at("exp_avg_sq"), scalars});
    }
  }
  adamw_multi_tensor_step_(updates);
}

std::vector<std::pair<std::string, double>> AdamW::hyper_parameters(size_t group) const {
  const Betas& h = hyper_[group];
  return {{"beta1", h.beta1}, {"beta2", h.beta2}, {"eps", h.eps}};
}

void AdamW::set_hyper_parameter(size_t group, const std::string& name, double value) {
  Betas& h = hyper_[group];
  if (name == "beta1")
    h.beta1 = value;
  else if (name == "beta2")
    h.beta2 = value;
  else if (name == "eps")
    h.eps = value;
  else
    FFTUNE_FAIL("AdamW: unknown hyper-parameter '", name, "'");
}

std::vector<std::string> AdamW::buffer_names(size_t) const {
  return {"exp_avg", "exp_avg_sq"};
}

}  // namespace fftune::nn
