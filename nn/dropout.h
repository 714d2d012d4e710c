// Dropout: zeroes each element with probability p and scales the rest by 1/(1 − p) while the
// module is training (Module::train / eval), identity in evaluation. The mask comes from `gen`
// (the default generator when null): seed the generator and a run is reproducible, on CPU and
// CUDA alike (ops/dropout.cpp, Note [dropout mask]). The generator must outlive the module.
#pragma once

#include "core/tensor/factory.h"
#include "nn/module.h"

namespace fftune::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* gen = nullptr);

  Tensor forward(const Tensor& x) const;

  double p() const { return p_; }
  Generator* generator() const { return gen_; }

 private:
  double p_;
  Generator* gen_;
};

}  // namespace fftune::nn
