// 2-D convolution kernels on the CPU, NCHW, built on im2col + cpu::gemm. They exist for the ViT
// patch embedding (3 → 768 channels, 16×16 kernel, stride 16) but handle any stride and padding.
//
// Note [conv2d as GEMM]: for one image, im2col unrolls the input into a matrix cols of shape
// (C·KH·KW, OH·OW) whose column p holds the input patch that output pixel p sees (zeros where the
// patch hangs over the padding). Then
//   out_n  (O, OH·OW)      = weight (O, C·KH·KW) · cols_n
//   dcols  (C·KH·KW, OH·OW) = weightᵀ · dout_n,   din_n = col2im(dcols) (overlapping patches add)
//   dweight (O, C·KH·KW)  = Σ_n dout_n · cols_nᵀ,  dbias = Σ_{n,p} dout_n[:, p]
#pragma once

#include <cstdint>

namespace fftune::cpu {

struct Conv2dShape {
  int64_t batch, in_channels, height, width, out_channels, kernel_h, kernel_w, stride_h, stride_w,
      pad_h, pad_w;
  int64_t out_h() const;
  int64_t out_w() const;
};

// out (N, O, OH, OW) = conv(in (N, C, H, W), weight (O, C, KH, KW)) + bias (O) (bias nullable).
template <typename T>
void conv2d_forward(T* out, const T* in, const T* weight, const T* bias, const Conv2dShape& s);

// din (N, C, H, W) from dout (N, O, OH, OW); din is overwritten.
template <typename T>
void conv2d_backward_input(T* din, const T* dout, const T* weight, const Conv2dShape& s);

// dweight (O, C, KH, KW) and dbias (O) (nullable) from dout and in; both are overwritten.
template <typename T>
void conv2d_backward_weight(T* dweight, T* dbias, const T* dout, const T* in, const Conv2dShape& s);

}  // namespace fftune::cpu
