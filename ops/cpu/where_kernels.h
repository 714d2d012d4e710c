// CPU kernel of where(): an elementwise select with NumPy broadcasting through strides.
#pragma once

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// out[i] = cond[i] != 0 ? a[i] : b[i]; cond, a, b broadcast to out's shape. cond may have any
// real dtype; a, b and out share one dtype.
void where_forward(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);

}  // namespace fftune::cpu
