// Conv2d: a 2-D convolution layer (NCHW) as torch.nn.Conv2d without dilation or groups —
// parameters "weight" (out, in, kh, kw) and "bias" (out). ViT's patch embedding is one with
// stride = kernel = patch size. The math is ops/conv2d.cpp.
#pragma once

#include <utility>

#include "core/tensor/factory.h"
#include "nn/conv2d_adapter.h"
#include "nn/module.h"

namespace fftune::nn {

class Conv2d : public Module {
 public:
  // Initialised as torch.nn.Conv2d: weight by kaiming_uniform_(a = √5) and bias by
  // U(−1/√fan_in, 1/√fan_in), fan_in = in_channels·kh·kw, drawn from `gen`.
  Conv2d(int64_t in_channels, int64_t out_channels, std::pair<int64_t, int64_t> kernel_size,
         std::pair<int64_t, int64_t> stride = {1, 1}, std::pair<int64_t, int64_t> padding = {0, 0},
         bool bias = true, Generator* gen = nullptr, DType dtype = DType::f32,
         Device device = Device::cpu());

  // x (B, in, H, W) -> (B, out, OH, OW).
  Tensor forward(const Tensor& x) const;

  const Tensor& weight() const { return weight_; }  // (out, in, kh, kw)
  const Tensor& bias() const { return bias_; }      // (out), undefined without bias
  std::pair<int64_t, int64_t> stride() const { return stride_; }
  std::pair<int64_t, int64_t> padding() const { return padding_; }

  // ---- adapters (nn/conv2d_adapter.h) ----
  // Attaches `adapter` as the child "adapter" (its parameters are "<this layer>.adapter.<name>");
  // forward then calls the adapter's forward with W0 and the bias. One adapter per layer.
  void attach_adapter(std::shared_ptr<Conv2dAdapter> adapter);
  const std::shared_ptr<Conv2dAdapter>& adapter() const { return adapter_; }

 private:
  std::pair<int64_t, int64_t> stride_, padding_;
  Tensor weight_, bias_;
  std::shared_ptr<Conv2dAdapter> adapter_;
};

}  // namespace fftune::nn
