// CPU kernels of layer_norm: x viewed as (BT, C) rows (BT = B·T tokens, C = the normalised size),
// all tensors contiguous. Statistics accumulate in double, one row per task, rows in parallel.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// y = (x − mean) · rstd · weight + bias per row; weight and bias (C) may be undefined (1 and 0).
// Writes mean (BT) and rstd = 1/√(var + eps) (BT) for the backward (var is the biased variance).
void layer_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t BT, int64_t C,
                        double eps);

// From g = ∂L/∂y (BT, C), with x̂ = (x − mean)·rstd and ĝ = g·weight:
//   dx      = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂))   per row
//   dweight = Σ_rows g · x̂,   dbias = Σ_rows g
// Each output is written only when defined (dweight, dbias (C); dx (BT, C)).
void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias,
                         const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t BT, int64_t C);

}  // namespace fftune::cpu
