// CPU kernels of cross_entropy: a fused log-softmax + NLL forward and a fused backward, one row
// (one sample's C logits) per task. logits (M, C) and target (M) are contiguous; every target
// is either ignore_index or in [0, C) (checked by the op).
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// Per row r with target t and smoothing ε, the log-sum-exp is lse = max + log_sum with
//   row_max[r] = max_c x[r, c],  log_sum[r] = log Σ_c exp(x[r, c] − max)
// (kept apart so that x − lse = (x − max) − log_sum never rounds lse to the max's ulp), and
//   loss[r] = (1 − ε)·(lse − x[r, t]) + ε·(lse − mean_c x[r, c])
// (the smoothed term is mean_c −log p_c). All three are 0 where t == ignore_index.
void cross_entropy_forward(const Tensor& loss, const Tensor& row_max, const Tensor& log_sum,
                           const Tensor& logits, const Tensor& target, int64_t ignore_index,
                           double smoothing);

// dlogits[r, c] = g_r · (exp(x[r, c] − lse[r]) − (1 − ε)·[c == t] − ε/C), 0 on ignored rows,
// with g_r = grad[r · grad_stride] · scale (grad_stride 0: one scalar gradient for every row).
void cross_entropy_backward(const Tensor& dlogits, const Tensor& grad, int64_t grad_stride,
                            double scale, const Tensor& logits, const Tensor& row_max,
                            const Tensor& log_sum, const Tensor& target, int64_t ignore_index,
                            double smoothing);

}  // namespace fftune::cpu
