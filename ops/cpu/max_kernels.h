// CPU kernel of max over one dim (values and first-maximum indices), behind max and argmax.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// values[o, i] = max_j x[o, j, i], indices[o, i] = the first j that attains it.
// x (outer, size, inner) contiguous, size ≥ 1; values (outer, inner) of x's dtype and
// indices (outer, inner) i64, both contiguous. A NaN counts as larger than every number, so
// the first NaN of a slice is its maximum (PyTorch propagates NaN the same way).
void max_forward(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
                 int64_t size, int64_t inner);

}  // namespace fftune::cpu
