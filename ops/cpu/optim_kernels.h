// CPU kernels of the fused optimizer updates: one pass over each parameter, parallel over
// elements. The formulas repeat torch's single-tensor updates operation by operation, in the
// parameter's precision, so that results match torch.optim to rounding.
#pragma once

#include "core/tensor/tensor.h"
#include "ops/ops.h"

namespace fftune::cpu {

// All tensors contiguous, one shape and dtype (f32 or f64).
void adamw_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                const Tensor& exp_avg_sq, const AdamWStepScalars& s);
// momentum_buffer undefined when s.momentum == 0.
void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
              const SGDStepScalars& s);

}  // namespace fftune::cpu
