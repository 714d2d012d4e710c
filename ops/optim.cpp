// Fused optimizer updates: argument checks and device dispatch (kernels in ops/cpu/optim_kernels).
#include "ops/cpu/optim_kernels.h"
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

}  // namespace

void adamw_step_(Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                 const AdamWStepScalars& s) {
  check_param("adamw_step_", param, grad);
  check_state("adamw_step_", param, exp_avg, "exp_avg");
  check_state("adamw_step_", param, exp_avg_sq, "exp_avg_sq");
  FFTUNE_CHECK(exp_avg.is_contiguous() && exp_avg_sq.is_contiguous(),
               "adamw_step_: exp_avg and exp_avg_sq must be contiguous");
  check_same_device("adamw_step_", {param, grad, exp_avg, exp_avg_sq});
  const Tensor g = grad.contiguous();
  if (param.device().is_cpu())
    cpu::adamw_step(param, g, exp_avg, exp_avg_sq, s);
  else
    no_kernel("adamw_step_", param.device());
  param.bump_version();
  exp_avg.bump_version();
  exp_avg_sq.bump_version();
}

void sgd_step_(Tensor& param, const Tensor& grad, Tensor& momentum_buffer,
               const SgdStepScalars& s) {
  check_param("sgd_step_", param, grad);
  if (s.momentum != 0.0) {
    check_state("sgd_step_", param, momentum_buffer, "momentum_buffer");
    FFTUNE_CHECK(momentum_buffer.is_contiguous(), "sgd_step_: momentum_buffer must be contiguous");
    check_same_device("sgd_step_", {param, grad, momentum_buffer});
  } else {
    check_same_device("sgd_step_", {param, grad});
  }
  const Tensor g = grad.contiguous();
  if (param.device().is_cpu())
    cpu::sgd_step(param, g, momentum_buffer, s);
  else
    no_kernel("sgd_step_", param.device());
  param.bump_version();
  if (s.momentum != 0.0) momentum_buffer.bump_version();
}

}  // namespace fftune
