// SGD with momentum, exactly as torch.optim.SGD. For each parameter p with gradient g:
//
//   g ← g + wd·p                                      L2 weight decay, added to the gradient
//   b ← g on the first update, else μ·b + (1 − dampening)·g     (when μ ≠ 0)
//   g ← g + μ·b if nesterov, else b                   (when μ ≠ 0)
//   p ← p − lr·g
//
// One fused pass per parameter (ops/cpu/optim_kernels.cpp); on CUDA one kernel launch updates
// every parameter (Note [multi-tensor apply], ops/cuda/optim_kernels.h).
#pragma once

#include <vector>

#include "nn/optimizer.h"

namespace fftune::nn {

struct SGDOptions {  // torch's defaults
  double lr = 1e-3;
  double weight_decay = 0.0;
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;  // needs momentum > 0 and dampening 0
};

struct SGDGroup {
  std::vector<Tensor> params;
  SGDOptions options;
};

class SGD : public Optimizer {
 public:
  explicit SGD(std::vector<Tensor> params, const SGDOptions& options = {});
  explicit SGD(std::vector<SGDGroup> groups);
  // Groups with their own lr and weight decay (e.g. from param_groups_by_pattern), sharing the
  // momentum settings of `options` (whose lr and weight_decay are not used).
  SGD(const std::vector<ParamGroup>& groups, const SGDOptions& options);

  void step() override;

 protected:
  std::vector<std::pair<std::string, double>> hyper_parameters(size_t group) const override;
  void set_hyper_parameter(size_t group, const std::string& name, double value) override;
  std::vector<std::string> buffer_names(size_t group) const override;

 private:
  struct Momentum {
    double momentum, dampening;
    bool nesterov;
  };
  std::vector<Momentum> hyper_;  // per group
};

}  // namespace fftune::nn
