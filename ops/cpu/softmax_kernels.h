// CPU kernels of softmax and log_softmax.
//
// Every tensor is contiguous and viewed as (outer, n, inner): the op normalises over the middle
// dim. inner == 1 (the last dim, the common case) runs row by row; otherwise a block of inner
// columns is processed together so that the innermost loop stays contiguous.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// y = softmax(x) or log_softmax(x) over the middle dim.
void softmax_forward(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log);
// From the saved output y and the output gradient g:
//   softmax:      dx = y · (g − Σ g·y)
//   log_softmax:  dx = g − exp(y) · Σ g
void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t outer, int64_t n,
                      int64_t inner, bool log);

}  // namespace fftune::cpu
