// Linear: y = x·Wᵀ + b, the PyTorch layout — weight (out, in), bias (out).
#pragma once

#include <cstdint>

#include "core/tensor/factory.h"
#include "nn/linear_adapter.h"
#include "nn/module.h"

namespace fftune::nn {

class Linear : public Module {
 public:
  // Initialised as torch.nn.Linear: weight by kaiming_uniform_(a = √5), i.e.
  // U(−1/√in, 1/√in), and bias by U(−1/√in, 1/√in), drawn from `gen` (the default generator
  // when null): one seed gives one set of weights.
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator* gen = nullptr,
         DType dtype = DType::f32, Device device = Device::cpu());

  // x (…, in) -> (…, out): x·Wᵀ + b, or the attached adapter's forward (unless merged).
  Tensor forward(const Tensor& x) const;

  // ---- adapters (nn/linear_adapter.h) ----
  // Attaches `adapter` (registered as the child "adapter", so its parameters are named
  // "<this layer>.adapter.<name>"). One adapter per layer; W0 and the bias are left as they are
  // (the injector freezes them).
  void attach_adapter(std::shared_ptr<LinearAdapter> adapter);
  const std::shared_ptr<LinearAdapter>& adapter() const { return adapter_; }
  // W0 += ΔW, after which forward is one plain GEMM. With safe, ΔW is checked for NaN/inf first
  // and nothing changes if it has any. W0 changes only here and in unmerge_adapter.
  void merge_adapter(bool safe = true);
  void unmerge_adapter();  // W0 -= ΔW
  bool merged() const { return merged_; }

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  const Tensor& weight() const { return weight_; }  // (out, in)
  const Tensor& bias() const { return bias_; }      // (out), undefined without bias

 private:
  int64_t in_features_, out_features_;
  Tensor weight_;
  Tensor bias_;
  std::shared_ptr<LinearAdapter> adapter_;
  bool merged_ = false;
};

}  // namespace fftune::nn
