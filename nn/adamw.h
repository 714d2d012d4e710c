// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"), exactly as
// torch.optim.AdamW (amsgrad off). For each parameter p with gradient g, at its step t = 1, 2, …:
//
//   p ← p · (1 − lr·wd)                      decoupled weight decay, before the Adam update
//   m ← β1·m + (1 − β1)·g                    first moment
//   v ← β2·v + (1 − β2)·g²                   second moment
//   p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
//
// ε is added after the square root of the bias-corrected v (torch's placement). t counts the
// updates of that parameter: a parameter skipped for lack of a gradient does not advance it.
// One fused pass per parameter (ops/cpu/optim_kernels.cpp); on CUDA one kernel launch updates
// every parameter (Note [multi-tensor apply], ops/cuda/optim_kernels.h).
#pragma once

#include <vector>

#include "nn/optimizer.h"

namespace fftune::nn {

struct AdamWOptions {  // torch's defaults
  double lr = 1e-3;
  double weight_decay = 1e-2;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

struct AdamWGroup {
  std::vector<Tensor> params;
  AdamWOptions options;
};

class AdamW : public Optimizer {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& options = {});
  // Several groups, each with its own options (e.g. no weight decay on biases).
  explicit AdamW(std::vector<AdamWGroup> groups);
  // Groups with their own lr and weight decay (e.g. from param_groups_by_pattern), sharing the
  // betas and eps of `options` (whose lr and weight_decay are not used).
  AdamW(const std::vector<ParamGroup>& groups, const AdamWOptions& options);

  void step() override;

 protected:
  std::vector<std::pair<std::string, double>> hyper_parameters(size_t group) const override;
  void set_hyper_parameter(size_t group, const std::string& name, double value) override;
  std::vector<std::string> buffer_names(size_t group) const override;

 private:
  struct Betas {
    double beta1, beta2, eps;
  };
  std::vector<Betas> hyper_;  // per group
};

}  // namespace fftune::nn
