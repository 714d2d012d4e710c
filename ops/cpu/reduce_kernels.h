// CPU sum kernels over a contiguous buffer viewed as (outer, inner).
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// out[o] = Σ_i x[o·inner + i]   (reduce the trailing block; out has `outer` elements)
void sum_rows(const Tensor& out, const Tensor& x, int64_t outer, int64_t inner);
// out[j] = Σ_o x[o·inner + j]   (reduce the leading block; out has `inner` elements)
void sum_columns(const Tensor& out, const Tensor& x, int64_t outer, int64_t inner);

}  // namespace fftune::cpu
