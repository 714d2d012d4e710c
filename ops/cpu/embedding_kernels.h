// CPU kernels of embedding: a row gather forward, a row scatter-add backward.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// out[m, :] = weight[indices[m], :]; out (M, C), weight (V, C), indices (M) i64, all contiguous
// and every index already checked to lie in [0, V).
void embedding_forward(const Tensor& out, const Tensor& weight, const Tensor& indices);
// dweight[indices[m], :] += g[m, :] for every m; dweight (V, C) must hold zeros on entry.
void embedding_backward(const Tensor& dweight, const Tensor& g, const Tensor& indices);

}  // namespace fftune::cpu
