// Fused optimizer updates: argument checks and device dispatch (kernels in ops/cpu/optim_kernels
// and ops/cuda/optim_kernels).
#include "ops/cpu/optim_kernels.h"
#include "ops/cuda/optim_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

void check_state(const char* op, const Tensor& param, const Tensor& t, const char* arg) {
  check_defined(op, t, arg);
  FFTUNE_CHECK(t.shape() == param.shape(), op, ": ", arg, " has shape ", t.shape(),
               " but the parameter has shape ", param.shape());
  FFTUNE_CHECK(t.dtype() == param.dtype(), op, ": ", arg, " is ", t.dtype(),
               " but the parameter is ", param.dtype());
}

void check_param(const char* op, const Tensor& param, const Tensor& grad) {
  check_defined(op, param, "param");
  FFTUNE_CHECK(is_floating(param.dtype()), op, ": expected a floating parameter (f32, f64), got ",
               param.dtype());
  FFTUNE_CHECK(param.is_contiguous(), op, ": the parameter must be contiguous, got strides ",
               param.strides(), " for shape ", param.shape());
  FFTUNE_CHECK(!(GradMode::enabled() && param.requires_grad()), op,
               ": in-place update of a tensor that requires grad; do it under NoGradGuard");
  check_state(op, param, grad, "grad");
}

void check_adamw(const AdamWParamUpdate& u) {
  check_param("adamw_step_", u.param, u.grad);
  check_state("adamw_step_", u.param, u.exp_avg, "exp_avg");
  check_state("adamw_step_", u.param, u.exp_avg_sq, "exp_avg_sq");
  FFTUNE_CHECK(u.exp_avg.is_contiguous() && u.exp_avg_sq.is_contiguous(),
               "adamw_step_: exp_avg and exp_avg_sq must be contiguous");
  check_same_device("adamw_step_", {u.param, u.grad, u.exp_avg, u.exp_avg_sq});
}

void check_sgd(const SGDParamUpdate& u) {
  check_param("sgd_step_", u.param, u.grad);
  if (u.scalars.momentum != 0.0) {
    check_state("sgd_step_", u.param, u.momentum_buffer, "momentum_buffer");
    FFTUNE_CHECK(u.momentum_buffer.is_contiguous(),
                 "sgd_step_: momentum_buffer must be contiguous");
    check_same_device("sgd_step_", {u.param, u.grad, u.momentum_buffer});
  } else {
    check_same_device("sgd_step_", {u.param, u.grad});
  }
}

}  // namespace

void adamw_step_(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 const AdamWStepScalars& s) {
  adamw_multi_tensor_step_({{param, grad, exp_avg, exp_avg_sq, s}});
}

void adamw_multi_tensor_step_(const std::vector<AdamWParamUpdate>& updates) {
  for (const AdamWParamUpdate& u : updates) check_adamw(u);
  std::vector<AdamWParamUpdate> device_updates;  // updated together, by one launch
  for (const AdamWParamUpdate& u : updates) {
    if (u.param.device().is_cpu())
      cpu::adamw_step(u.param, u.grad.contiguous(), u.exp_avg, u.exp_avg_sq, u.scalars);
    else
      device_updates.push_back(u);
  }
  if (!device_updates.empty())
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::adamw_multi_tensor_step(device_updates), "adamw_step_",
                             device_updates.front().param.device());
  for (const AdamWParamUpdate& u : updates) {
    u.param.bump_version();
    u.exp_avg.bump_version();
    u.exp_avg_sq.bump_version();
  }
}

void sgd_step_(Tensor& param, const Tensor& grad, Tensor& momentum_buffer,
               const SGDStepScalars& s) {
  sgd_multi_tensor_step_({{param, grad, momentum_buffer, s}});
}

void sgd_multi_tensor_step_(const std::vector<SGDParamUpdate>& updates) {
  for (const SGDParamUpdate& u : updates) check_sgd(u);
  std::vector<SGDParamUpdate> device_updates;  // updated together, by one launch
  for (const SGDParamUpdate& u : updates) {
    if (u.param.device().is_cpu())
      cpu::sgd_step(u.param, u.grad.contiguous(), u.momentum_buffer, u.scalars);
    else
      device_updates.push_back(u);
  }
  if (!device_updates.empty())
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::sgd_multi_tensor_step(device_updates), "sgd_step_",
                             device_updates.front().param.device());
  for (const SGDParamUpdate& u : updates) {
    u.param.bump_version();
    if (u.scalars.momentum != 0.0) u.momentum_buffer.bump_version();
  }
}

}  // namespace fftune
