// See library_ops.h.
#include "ops/cuda/library_ops.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "core/tensor/factory.h"
#include "ops/cuda/complex_kernels.h"
#include "ops/cuda/cublas_gemm.h"
#include "ops/cuda/cudnn_conv.h"
#include "ops/cuda/cufft_plans.h"
#include "ops/cuda/device.h"
#include "ops/cuda/fft_kernels.h"
#include "ops/cuda/strided_layout.h"

namespace fftune::cuda {
namespace {

// The real scalar type of a floating or complex dtype: f32 and c64 -> float, f64 and c128 ->
// double; anything else is a clear error naming the op.
template <typename F>
void dispatch_scalar(const char* op, DType dtype, F&& f) {
  const DType real = real_dtype(dtype);
  if (real == DType::f32)
    f.template operator()<float>();
  else if (real == DType::f64)
    f.template operator()<double>();
  else
    FFTUNE_FAIL(op, ": the CUDA kernel supports f32, f64, c64 and c128, got ", dtype);
}

// A tensor's data as T (its real scalar type for complex tensors: (re, im) pairs).
template <typename T>
const T* reals(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}
template <typename T>
T* mutable_reals(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
}

// At least n ones of type T on the device, made once and grown as needed. Old buffers are kept
// (never freed), so a pointer handed out stays valid whatever another thread asks for later.
template <typename T>
const T* device_ones(int64_t n) {
  static std::mutex mutex;
  static auto* buffers = new std::vector<Tensor>;  // never destroyed: see device.cpp's runtime()
  std::lock_guard<std::mutex> lock(mutex);
  if (buffers->empty() || buffers->back().numel() < n)
    buffers->push_back(
        full({std::max<int64_t>(2 * n, 4096)}, 1.0, dtype_of<T>::value, Device::cuda()));
  return buffers->back().template data<T>();
}

ConvDescriptorDims descriptor_dims(const cpu::Conv2dShape& s) {
  return conv2d_descriptor_dims(s.batch, s.in_channels, s.height, s.width, s.out_channels,
                                s.kernel_h, s.kernel_w, s.stride_h, s.stride_w, s.pad_h, s.pad_w);
}

void check_conv_dtype(const Tensor& t) {
  FFTUNE_CHECK(t.dtype() == DType::f32, "conv2d: the CUDA kernel (cuDNN) supports f32, got ",
               t.dtype());
}

}  // namespace

// ---- column sums
// ---------------------------------------------------------------------------------

void sum_columns(const Tensor& out, const Tensor& x, int64_t m, int64_t n) {
  dispatch_scalar("sum_columns", x.dtype(), [&]<typename T>() {
    // out (1, n) = ones (1, m) · x (m, n)
    const int64_t ld = std::max<int64_t>(n, 1);
    gemm(false, false, 1, n, m, T(1), device_ones<T>(m), std::max<int64_t>(m, 1), reals<T>(x), ld,
         T(0), mutable_reals<T>(out), ld);
  });
}

// ---- conv2d
// ----------------------------------------------------------------------------------------

void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    const cpu::Conv2dShape& s) {
  check_conv_dtype(x);
  if (y.numel() == 0) return;
  conv2d_forward(mutable_reals<float>(y), reals<float>(x), reals<float>(weight), reals<float>(bias),
                 descriptor_dims(s));
}

void conv2d_backward_input(const Tensor& dx, const Tensor& dy, const Tensor& weight,
                           const cpu::Conv2dShape& s) {
  check_conv_dtype(dy);
  if (dx.numel() == 0) return;
  conv2d_backward_data(mutable_reals<float>(dx), reals<float>(dy), reals<float>(weight),
                       descriptor_dims(s));
}

void conv2d_backward_weight(const Tensor& dweight, const Tensor& dbias, const Tensor& dy,
                            const Tensor& x, const cpu::Conv2dShape& s) {
  check_conv_dtype(dy);
  conv2d_backward_filter(mutable_reals<float>(dweight), mutable_reals<float>(dbias),
                         reals<float>(dy), reals<float>(x), descriptor_dims(s));
}

// ---- FFT
// -----------------------------------------------------------------------------------------

void fft_c2c_forward(const Tensor& out, const Tensor& x, int ndim, bool inverse, double scale) {
  if (x.numel() == 0) return;
  const FftPlanKey key = fft_plan_key(FftKind::kC2C, x.dtype() == DType::c128, x.shape(), ndim);
  fft_execute(key, x.raw_data(), out.raw_data(), inverse, scale);
}

void fft_r2c_forward(const Tensor& out, const Tensor& x, int ndim, double scale) {
  if (x.numel() == 0) return;
  const FftPlanKey key = fft_plan_key(FftKind::kR2C, x.dtype() == DType::f64, x.shape(), ndim);
  fft_execute(key, x.raw_data(), out.raw_data(), /*inverse=*/false, scale);
}

void fft_c2r_forward(const Tensor& out, const Tensor& x, int ndim, double scale) {
  if (out.numel() == 0) return;
  const FftPlanKey key = fft_plan_key(FftKind::kC2R, out.dtype() == DType::f64, out.shape(), ndim);
  // The copy cuFFT may overwrite, made Hermitian where cuFFT needs it (fft_kernels.h).
  const Tensor half = x.detach().clone();
  dispatch_scalar("irfft", x.dtype(), [&]<typename T>() {
    hermitian_project<T>(mutable_reals<T>(half), key.batch, ndim == 2 ? key.n[0] : 1,
                         key.n[ndim - 1], stream());
  });
  fft_execute(key, half.raw_data(), out.raw_data(), /*inverse=*/true, scale,
              /*input_is_scratch=*/true);
}

// ---- complex elementwise and conversion
// -------------------------------------------------------------

void complex_binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op) {
  FFTUNE_CHECK(
      op == BinaryOp::kAdd || op == BinaryOp::kSub || op == BinaryOp::kMul || op == BinaryOp::kDiv,
      "binary_forward: comparisons and maximum are not defined for complex tensors");
  dispatch_scalar("binary", a.dtype(), [&]<typename T>() {
    complex_binary_forward<T>(mutable_reals<T>(out), reals<T>(a), reals<T>(b),
                              strided_layout(out, {a, b}), op, stream());
  });
}

void conj(const Tensor& y, const Tensor& x) {
  dispatch_scalar("conj", x.dtype(), [&]<typename T>() {
    complex_conj<T>(mutable_reals<T>(y), reals<T>(x), strided_layout(y, {x}), stream());
  });
}

void complex_abs(const Tensor& y, const Tensor& z) {
  dispatch_scalar("abs", z.dtype(), [&]<typename T>() {
    complex_abs<T>(mutable_reals<T>(y), reals<T>(z), strided_layout(y, {z}), stream());
  });
}

void complex_abs_backward(const Tensor& dz, const Tensor& g, const Tensor& z) {
  dispatch_scalar("abs backward", z.dtype(), [&]<typename T>() {
    complex_abs_backward<T>(mutable_reals<T>(dz), reals<T>(g), reals<T>(z), z.numel(), stream());
  });
}

void convert(const Tensor& dst, const Tensor& src) {
  // Each side as its real scalar type (float, double, int64_t) and whether it is complex.
  dispatch_real(real_dtype(dst.dtype()), "copy", [&]<typename TOut>() {
    dispatch_real(real_dtype(src.dtype()), "copy", [&]<typename TIn>() {
      convert<TOut, TIn>(static_cast<TOut*>(dst.raw_data()), is_complex(dst.dtype()),
                         static_cast<const TIn*>(src.raw_data()), is_complex(src.dtype()),
                         strided_layout(dst, {src}), stream());
    });
  });
}

}  // namespace fftune::cuda
