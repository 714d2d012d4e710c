// See library_mapping.h.
#include "ops/cuda/library_mapping.h"

#include <limits>

#include "core/error.h"

namespace fftune::cuda {
namespace {

int to_int(int64_t v, const char* what) {
  FFTUNE_CHECK(v >= 0 && v <= std::numeric_limits<int>::max(), "CUDA: ", what, " = ", v,
               " does not fit the library's int argument");
  return static_cast<int>(v);
}

}  // namespace

ColumnMajorGemm to_column_major(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                                int64_t lda, int64_t ldb, int64_t ldc, int64_t stride_a,
                                int64_t stride_b, int64_t stride_c) {
  // Note [row-major GEMM on cuBLAS]: Cᵀ (n×m) = op(B)ᵀ (n×k) · op(A)ᵀ (k×m).
  ColumnMajorGemm g;
  g.trans_first = trans_b;
  g.trans_second = trans_a;
  g.m = n;
  g.n = m;
  g.k = k;
  g.ld_first = ldb;
  g.ld_second = lda;
  g.ldc = ldc;
  g.stride_first = stride_b;
  g.stride_second = stride_a;
  g.stride_c = stride_c;
  return g;
}

FftPlanKey fft_plan_key(FftKind kind, bool double_precision, const std::vector<int64_t>& real_shape,
                        int ndim) {
  const int dims = static_cast<int>(real_shape.size());
  FFTUNE_CHECK(ndim == 1 || ndim == 2, "cuFFT: only 1-D and 2-D transforms, got ", ndim, "-D");
  FFTUNE_CHECK(dims >= ndim, "cuFFT: a ", ndim, "-D transform of a ", dims, "-D tensor");
  FftPlanKey key;
  key.kind = kind;
  key.double_precision = double_precision;
  key.rank = ndim;
  for (int d = 0; d < ndim; ++d) key.n[d] = real_shape[dims - ndim + d];
  for (int d = 0; d < dims - ndim; ++d) key.batch *= real_shape[d];
  return key;
}

namespace {
int64_t real_elements(const FftPlanKey& key) {
  return key.rank == 1 ? key.n[0] : key.n[0] * key.n[1];
}
int64_t half_spectrum_elements(const FftPlanKey& key) {
  const int64_t last = key.n[key.rank - 1] / 2 + 1;
  return key.rank == 1 ? last : key.n[0] * last;
}
}  // namespace

int64_t fft_input_distance(const FftPlanKey& key) {
  return key.kind == FftKind::kC2R ? half_spectrum_elements(key) : real_elements(key);
}

int64_t fft_output_distance(const FftPlanKey& key) {
  return key.kind == FftKind::kR2C ? half_spectrum_elements(key) : real_elements(key);
}

ConvDescriptorDims conv2d_descriptor_dims(int64_t batch, int64_t in_channels, int64_t in_h,
                                          int64_t in_w, int64_t out_channels, int64_t kernel_h,
                                          int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                                          int64_t pad_h, int64_t pad_w) {
  const int64_t out_h = (in_h + 2 * pad_h - kernel_h) / stride_h + 1;
  const int64_t out_w = (in_w + 2 * pad_w - kernel_w) / stride_w + 1;
  ConvDescriptorDims d{};
  const int64_t x[4] = {batch, in_channels, in_h, in_w};
  const int64_t w[4] = {out_channels, in_channels, kernel_h, kernel_w};
  const int64_t y[4] = {batch, out_channels, out_h, out_w};
  for (int i = 0; i < 4; ++i) {
    d.x[i] = to_int(x[i], "conv2d input dim");
    d.w[i] = to_int(w[i], "conv2d weight dim");
    d.y[i] = to_int(y[i], "conv2d output dim");
  }
  d.pad[0] = to_int(pad_h, "conv2d padding");
  d.pad[1] = to_int(pad_w, "conv2d padding");
  d.stride[0] = to_int(stride_h, "conv2d stride");
  d.stride[1] = to_int(stride_w, "conv2d stride");
  d.dilation[0] = d.dilation[1] = 1;
  return d;
}

}  // namespace fftune::cuda
