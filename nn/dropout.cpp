#include "nn/dropout.h"

#include "ops/ops.h"

namespace fftune::nn {

Dropout::Dropout(double p, Generator* gen) : p_(p), gen_(gen) {
  FFTUNE_CHECK(p >= 0.0 && p <= 1.0, "Dropout: p must be in [0, 1], got ", p);
}

Tensor Dropout::forward(const Tensor& x) const {
  return dropout(x, p_, is_training(), gen_);
}

}  // namespace fftune::nn
