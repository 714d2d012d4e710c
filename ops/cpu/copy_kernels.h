// CPU copy with dtype conversion and broadcasting: the kernel behind contiguous(), clone(),
// to(dtype) and copy_().
#pragma once

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// dst[i] = convert(src[i]); src broadcasts to dst's shape; any strides on both sides.
void copy(const Tensor& dst, const Tensor& src);
// Every element of dst = value.
void fill(const Tensor& dst, double value);

}  // namespace fftune::cpu
