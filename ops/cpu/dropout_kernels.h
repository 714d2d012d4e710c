// CPU kernel of dropout (the mask is defined in ops/dropout_math.h, Note [dropout mask]).
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// out[i] = in[i] · scale where element i is kept, else 0; out and in contiguous, one shape.
// The forward passes x, the backward passes the output gradient: both regenerate one mask.
void dropout_apply(const Tensor& out, const Tensor& in, float p, double scale, uint64_t seed,
                   uint64_t stream);

}  // namespace fftune::cpu
