// How fftune's calls map onto cuBLAS, cuFFT and cuDNN arguments. Plain host code with no CUDA
// header: the wrappers (cublas_gemm.cu, cufft_plans.cu, cudnn_conv.cu) use it on the GPU, and
// the emulated build tests it on the CPU (tests/emu/test_library_mapping.cpp) by computing
// through CPU references, so a wrong transpose or leading dimension fails without a GPU.
#pragma once

#include <cstdint>
#include <vector>

namespace fftune::cuda {

// Note [row-major GEMM on cuBLAS]
// cuBLAS is column-major. A row-major matrix X (r×c, row stride ld) read as column-major is Xᵀ
// (c×r) with leading dimension ld. So the row-major C = op(A)·op(B) (m×n) is the column-major
// Cᵀ = op(B)ᵀ·op(A)ᵀ (n×m): pass B first, then A, with the same transpose flags, m and n
// swapped, and the row strides unchanged as leading dimensions. Nothing is copied.
struct ColumnMajorGemm {
  bool trans_first = false;   // op of the first column-major operand (our B)
  bool trans_second = false;  // op of the second (our A)
  int64_t m = 0, n = 0, k = 0;
  int64_t ld_first = 0, ld_second = 0, ldc = 0;
  int64_t stride_first = 0, stride_second = 0, stride_c = 0;  // batched calls
};
ColumnMajorGemm to_column_major(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                                int64_t lda, int64_t ldb, int64_t ldc, int64_t stride_a = 0,
                                int64_t stride_b = 0, int64_t stride_c = 0);

// A cuFFT plan, identified by what it transforms: the kind, the logical sizes of the last 1 or
// 2 dims (for R2C/C2R the real signal's sizes; the complex side has n_last/2+1 bins), the batch
// (the product of the leading dims) and the precision. Plans are cached under this key.
enum class FftKind : uint8_t { kR2C, kC2R, kC2C };
struct FftPlanKey {
  FftKind kind = FftKind::kC2C;
  bool double_precision = false;
  int rank = 1;
  int64_t n[2] = {0, 0};
  int64_t batch = 1;
  bool operator==(const FftPlanKey&) const = default;
};
// `real_shape` is the shape of the real side for R2C/C2R, the complex tensor's for C2C.
FftPlanKey fft_plan_key(FftKind kind, bool double_precision, const std::vector<int64_t>& real_shape,
                        int ndim);
// Elements of one transform's input and output (cuFFT's idist/odist for contiguous batches).
int64_t fft_input_distance(const FftPlanKey& key);
int64_t fft_output_distance(const FftPlanKey& key);

// cuDNN descriptors of a conv2d (NCHW, no groups, no dilation): the 4-D dims of x, w, y and the
// convolution's padding and stride, as cuDNN takes them (int).
struct ConvDescriptorDims {
  int x[4], w[4], y[4];
  int pad[2], stride[2], dilation[2];
};
ConvDescriptorDims conv2d_descriptor_dims(int64_t batch, int64_t in_channels, int64_t in_h,
                                          int64_t in_w, int64_t out_channels, int64_t kernel_h,
                                          int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                                          int64_t pad_h, int64_t pad_w);

}  // namespace fftune::cuda
