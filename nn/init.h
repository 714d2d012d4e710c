// Parameter initialisers, as torch.nn.init: each fills a tensor in place (under NoGradGuard, so
// it works on parameters that require grad) with draws from a Generator (the default one when
// null). The same seed gives the same values, on CPU and CUDA (DESIGN.md §2).
#pragma once

#include "core/tensor/factory.h"
#include "core/tensor/tensor.h"

namespace fftune::nn::init {

// U[a, b).
void uniform_(Tensor& t, double a = 0.0, double b = 1.0, Generator* gen = nullptr);
// N(mean, std²).
void normal_(Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
void zeros_(Tensor& t);
void ones_(Tensor& t);

// fan_in = size(1)·receptive field, fan_out = size(0)·receptive field, where the receptive
// field is the product of the sizes after the first two (1 for a matrix). Needs dim ≥ 2.
struct Fans {
  int64_t fan_in, fan_out;
};
Fans fans(const Tensor& t);

enum class FanMode { kFanIn, kFanOut };
// He init for a leaky ReLU of negative slope `a`: U(−bound, bound) with
// bound = gain·√(3 / fan), gain = √(2 / (1 + a²)). torch's Linear uses a = √5, which gives
// bound = 1/√fan_in.
void kaiming_uniform_(Tensor& t, double a = 0.0, FanMode mode = FanMode::kFanIn,
                      Generator* gen = nullptr);
// Glorot init: U(−bound, bound) with bound = gain·√(6 / (fan_in + fan_out)).
void xavier_uniform_(Tensor& t, double gain = 1.0, Generator* gen = nullptr);

}  // namespace fftune::nn::init
