// Global-norm gradient clipping and gradient accumulation.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune::nn {

// torch.nn.utils.clip_grad_norm_(params, max_norm) with the 2-norm: the total norm
// ‖g‖ = √(Σ over every parameter's gradient of Σ g²) is computed over the parameters that have a
// gradient (others are skipped); if max_norm / (‖g‖ + 1e-6) < 1 every gradient is scaled in
// place by that factor. Returns ‖g‖ before clipping (0 when no parameter has a gradient).
// Non-finite norms are returned as they are (torch's error_if_nonfinite=False): the step that
// follows will then produce NaNs, which the caller can check for with the returned value.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm);

// Gradient accumulation: an effective batch of k micro-batches. backward() adds into .grad, so
// scaling each micro-batch's mean loss by 1/k and stepping every k-th micro-batch gives the
// gradient of the mean loss over all k (for equal micro-batch sizes):
//
//   GradientAccumulation accumulation(k);
//   for (auto& batch : loader) {
//     mul(loss_of(batch), accumulation.loss_scale()).backward();
//     if (!accumulation.micro_step()) continue;     // true on every k-th micro-batch
//     clip_grad_norm_(params, 1.0);
//     optimizer.step();
//     scheduler.step();
//     optimizer.zero_grad();
//   }
class GradientAccumulation {
 public:
  explicit GradientAccumulation(int64_t steps);

  double loss_scale() const { return 1.0 / static_cast<double>(steps_); }
  // Counts one micro-batch; true when it completes a group of `steps` (time to step).
  bool micro_step() { return ++count_ % steps_ == 0; }

  // Within an epoch of `count` micro-batches, whose last group may hold fewer than `steps`:
  // the scale of micro-batch `index` (0-based), 1 / the size of its group, and whether it ends
  // its group. Stateless, so a run resumed mid-epoch scales exactly as an uninterrupted one.
  double loss_scale(int64_t index, int64_t count) const;
  bool ends_group(int64_t index, int64_t count) const;

  int64_t steps() const { return steps_; }
  int64_t micro_steps_done() const { return count_; }

 private:
  int64_t steps_;
  int64_t count_ = 0;
};

}  // namespace fftune::nn
