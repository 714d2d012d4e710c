// Copies and conversions: contiguous, clone, to(dtype), to(device), and the in-place writes
// copy_, fill_, zero_. The gradient of a copy is the incoming gradient, converted back.
#include "core/autograd/node.h"
#include "ops/cpu/copy_kernels.h"
#include "ops/cuda/complex_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

// Backward of clone/contiguous/to: the gradient, returned in the input's dtype and device.
class CopyBackward final : public Node {
 public:
  CopyBackward(DType dtype, Device device) : dtype_(dtype), device_(device) {}
  std::string name() const override { return "CopyBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    Tensor g = grads[0];
    if (g.device() != device_) g = g.to(device_);
    if (g.dtype() != dtype_) g = g.to(dtype_);
    return {g};
  }

 private:
  DType dtype_;
  Device device_;
};

void copy_kernel(const Tensor& dst, const Tensor& src) {
  if (dst.device().is_cpu() && src.device().is_cpu()) {
    cpu::copy(dst, src);
    return;
  }
#if FFTUNE_WITH_CUDA
  if (dst.device() == src.device())  // on the device: a copy, or a dtype conversion
    return dst.dtype() == src.dtype() ? cuda::copy(dst, src) : cuda::convert(dst, src);
#endif
  // Between devices: make both sides contiguous and of one dtype, then copy bytes.
  FFTUNE_CHECK(dst.is_contiguous() && src.shape() == dst.shape(),
               "copy: a cross-device copy needs a contiguous destination of the same shape");
  Tensor s = src.device().is_cpu() ? src.to(dst.dtype()).contiguous() : src;
  FFTUNE_CHECK(s.dtype() == dst.dtype() && s.is_contiguous(),
               "copy: convert on the source device before copying across devices");
  Allocator* a = allocator_for(dst.device().is_cpu() ? src.device() : dst.device());
  a->copy(dst.raw_data(), dst.device(), s.raw_data(), s.device(),
          dst.numel() * dtype_size(dst.dtype()));
}

Tensor copy_to_new(const Tensor& x, DType dtype, Device device) {
  Tensor y = empty(x.shape(), dtype, device);
  copy_kernel(y, x);
  if (auto node = make_node<CopyBackward>({x}, x.dtype(), x.device())) attach(node, {y});
  return y;
}

void check_writable(const Tensor& t, const char* op) {
  check_defined(op, t, "self");
  FFTUNE_CHECK(!(GradMode::enabled() && t.requires_grad()), op,
               ": in-place write to a tensor that requires grad; do it under NoGradGuard or on ",
               "a detach()ed tensor");
}

}  // namespace

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return copy_to_new(*this, dtype(), device());
}

Tensor Tensor::clone() const {
  return copy_to_new(*this, dtype(), device());
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == this->dtype()) return *this;
  return copy_to_new(*this, dtype, device());
}

Tensor Tensor::to(Device device) const {
  if (device == this->device()) return *this;
  return copy_to_new(contiguous(), dtype(), device);
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_writable(*this, "copy_");
  check_defined("copy_", src, "src");
  FFTUNE_CHECK(broadcast_shapes(shape(), src.shape(), "copy_") == shape(),
               "copy_: source of shape ", src.shape(), " does not broadcast to ", shape());
  copy_kernel(*this, src);
  bump_version();
  return *this;
}

Tensor& Tensor::fill_(double value) {
  check_writable(*this, "fill_");
  if (device().is_cpu())
    cpu::fill(*this, value);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::fill(*this, value), "fill_", device());
  bump_version();
  return *this;
}

Tensor& Tensor::zero_() {
  return fill_(0.0);
}

}  // namespace fftune
