// Losses: cross_entropy (fused kernels, ops/cpu/loss_kernels.h) and mse_loss (composed from
// sub, mul and a reduction, whose gradients it inherits).
//
// cross_entropy follows torch.nn.functional.cross_entropy with class-index targets:
//   logits (B, C) or (B, C, d1, ...) with the classes in dim 1 (or (C) with a 0-dim target),
//   target i64 of shape (B) or (B, d1, ...); a target equal to ignore_index adds nothing;
//   loss = (1 − ε)·nll + ε·mean_c(−log p_c) per sample (label smoothing ε);
//   kMean divides the sum by the number of non-ignored targets (NaN when there are none, as in
//   torch), kSum sums, kNone returns the per-sample losses (0 for ignored ones).
#include "core/autograd/node.h"
#include "ops/cpu/loss_kernels.h"
#include "ops/cuda/loss_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

class CrossEntropyBackward final : public Node {
 public:
  CrossEntropyBackward(int64_t ignore_index, double smoothing, Reduction reduction, int64_t count)
      : ignore_index_(ignore_index), smoothing_(smoothing), reduction_(reduction), count_(count) {}
  std::string name() const override { return "CrossEntropyBackward"; }

  SavedTensor logits;   // (M, C) contiguous
  SavedTensor target;   // (M) i64
  SavedTensor row_max;  // (M): max_c of each row
  SavedTensor log_sum;  // (M): log Σ_c exp(x − max) of each row

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor x = logits.unpack(*this);
    const Tensor g = grads[0].contiguous();  // () for kMean/kSum, (M) for kNone
    const int64_t grad_stride = reduction_ == Reduction::kNone ? 1 : 0;
    const double scale =
        reduction_ == Reduction::kMean && count_ > 0 ? 1.0 / static_cast<double>(count_) : 1.0;
    Tensor dx = empty(x.shape(), x.dtype(), x.device());
    if (x.device().is_cpu())
      cpu::cross_entropy_backward(dx, g, grad_stride, scale, x, row_max.unpack(*this),
                                  log_sum.unpack(*this), target.unpack(*this), ignore_index_,
                                  smoothing_);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(
          cuda::cross_entropy_backward(dx, g, grad_stride, scale, x, row_max.unpack(*this),
                                       log_sum.unpack(*this), target.unpack(*this), ignore_index_,
                                       smoothing_),
          "cross_entropy", x.device());
    return {dx, Tensor()};
  }

 private:
  int64_t ignore_index_;
  double smoothing_;
  Reduction reduction_;
  int64_t count_;  // non-ignored targets
};

// The core: logits (M, C), target (M).
Tensor cross_entropy_rows(const Tensor& logits, const Tensor& target, int64_t ignore_index,
                          double smoothing, Reduction reduction) {
  const int64_t M = logits.size(0), C = logits.size(1);
  const Tensor x = logits.detach().contiguous();
  const Tensor t = target.detach().contiguous();
  const Tensor t_host = t.to(Device::cpu());  // the range check reads the targets here
  const int64_t* pt = t_host.data<int64_t>();
  int64_t count = 0;
  for (int64_t r = 0; r < M; ++r) {
    if (pt[r] == ignore_index) continue;
    FFTUNE_CHECK(pt[r] >= 0 && pt[r] < C, "cross_entropy: target ", pt[r], " (at position ", r,
                 " of the flattened targets) is out of range for ", C,
                 " classes (and is not ignore_index ", ignore_index, ")");
    ++count;
  }

  Tensor losses = empty({M}, x.dtype(), x.device());
  Tensor row_max = empty({M}, x.dtype(), x.device());
  Tensor log_sum = empty({M}, x.dtype(), x.device());
  if (x.device().is_cpu())
    cpu::cross_entropy_forward(losses, row_max, log_sum, x, t, ignore_index, smoothing);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::cross_entropy_forward(losses, row_max, log_sum, x, t, ignore_index, smoothing),
        "cross_entropy", x.device());

  Tensor out = losses;
  if (reduction != Reduction::kNone) {
    NoGradGuard no_grad;  // the node below differentiates the whole reduction
    out = sum(losses);
    if (reduction == Reduction::kMean) out = div(out, static_cast<double>(count));
  }
  if (auto node = make_node<CrossEntropyBackward>({logits, target}, ignore_index, smoothing,
                                                  reduction, count)) {
    node->save(node->logits, x);
    node->save(node->target, t);
    node->save(node->row_max, row_max);
    node->save(node->log_sum, log_sum);
    attach(node, {out});
  }
  return out;
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target, int64_t ignore_index,
                     double label_smoothing, Reduction reduction) {
  check_defined("cross_entropy", logits, "logits");
  check_defined("cross_entropy", target, "target");
  check_same_device("cross_entropy", {logits, target});
  FFTUNE_CHECK(is_floating(logits.dtype()),
               "cross_entropy: logits must be a floating tensor (f32, f64), got ", logits.dtype());
  check_dtype("cross_entropy", target, "target (class indices)", DType::i64);
  FFTUNE_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0,
               "cross_entropy: label_smoothing must be in [0, 1], got ", label_smoothing);
  FFTUNE_CHECK(logits.dim() >= 1, "cross_entropy: logits must be (B, C), (B, C, d1, ...) or (C)");

  // The expected target shape: logits' shape without the class dim.
  Shape expected = logits.shape();
  expected.erase(expected.begin() + (logits.dim() == 1 ? 0 : 1));
  FFTUNE_CHECK(target.shape() == expected, "cross_entropy: target must be ", expected,
               " for logits ", logits.shape(), " (classes in dim ", logits.dim() == 1 ? 0 : 1,
               "), got ", target.shape());

  if (logits.dim() == 2)
    return cross_entropy_rows(logits, target, ignore_index, label_smoothing, reduction);
  // (C) is one sample; (B, C, d1, ...) moves the classes last and flattens to (M, C). These are
  // differentiable views and copies, so the gradient comes back in the caller's layout.
  const int64_t C = logits.dim() == 1 ? logits.size(0) : logits.size(1);
  Tensor rows;
  if (logits.dim() == 1) {
    rows = logits.reshape({1, C});
  } else {
    std::vector<int64_t> order = {0};
    for (int64_t d = 2; d < logits.dim(); ++d) order.push_back(d);
    order.push_back(1);
    rows = logits.permute(order).reshape({-1, C});
  }
  Tensor out =
      cross_entropy_rows(rows, target.reshape({-1}), ignore_index, label_smoothing, reduction);
  return reduction == Reduction::kNone ? out.reshape(target.shape()) : out;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_defined("mse_loss", input, "input");
  check_defined("mse_loss", target, "target");
  check_same_device("mse_loss", {input, target});
  FFTUNE_CHECK(is_floating(input.dtype()),
               "mse_loss: input must be a floating tensor (f32, f64), got ", input.dtype());
  check_same_dtype("mse_loss", input, target);
  FFTUNE_CHECK(input.shape() == target.shape(), "mse_loss: input ", input.shape(), " and target ",
               target.shape(), " must have the same shape");
  const Tensor d = sub(input, target);
  const Tensor sq = mul(d, d);
  switch (reduction) {
    case Reduction::kNone:
      return sq;
    case Reduction::kSum:
      return sum(sq);
    case Reduction::kMean:
      return mean(sq);
  }
  return sq;
}

}  // namespace fftune
