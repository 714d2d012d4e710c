// Linear: y = x·Wᵀ + b, the PyTorch layout — weight (out, in), bias (out).
#pragma once

#include <cstdint>

#include "core/tensor/factory.h"
#include "nn/module.h"

namespace fftune::nn {

class Linear : public Module {
 public:
  // Initialised as torch.nn.Linear: weight by kaiming_uniform_(a = √5), i.e.
  // U(−1/√in, 1/√in), and bias by U(−1/√in, 1/√in), drawn from `gen` (the default generator
  // when null): one seed gives one set of weights.
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator* gen = nullptr,
         DType dtype = DType::f32, Device device = Device::cpu());

  // x (…, in) -> (…, out).
  Tensor forward(const Tensor& x) const;

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  const Tensor& weight() const { return weight_; }  // (out, in)
  const Tensor& bias() const { return bias_; }      // (out), undefined without bias

 private:
  int64_t in_features_, out_features_;
  Tensor weight_;
  Tensor bias_;
};

}  // namespace fftune::nn
