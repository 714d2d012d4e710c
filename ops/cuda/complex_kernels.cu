// Complex elementwise CUDA kernels (add, sub, mul, div with broadcasting; conj; abs and its
// backward) and the dtype conversion kernel.
//
// Each thread owns one output element per grid-stride step and turns its linear index into
// per-operand offsets through the layout (ops/cuda/strided.cuh); a complex element at offset o
// is the pair (x[2o], x[2o + 1]). Blocks are 256 threads; blocks share nothing. The complex math
// is written out on (re, im) pairs, so the same source runs on the device and under emulation.
#include <type_traits>

#include "core/tensor/factory.h"
#include "ops/cuda/complex_kernels.h"
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/strided.cuh"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

// (re, im) = a ∘ b. Division is Smith's algorithm: it scales by the larger part of b, so that
// |b|² is never formed (no overflow or underflow for b far from 1), as C's complex division does.
template <BinaryOp op, typename T>
__device__ __forceinline__ void complex_apply(T ar, T ai, T br, T bi, T& re, T& im) {
  using std::abs;
  if constexpr (op == BinaryOp::kAdd) {
    re = ar + br;
    im = ai + bi;
  } else if constexpr (op == BinaryOp::kSub) {
    re = ar - br;
    im = ai - bi;
  } else if constexpr (op == BinaryOp::kMul) {
    re = ar * br - ai * bi;
    im = ar * bi + ai * br;
  } else {  // kDiv
    if (abs(br) >= abs(bi)) {
      const T r = bi / br, d = br + bi * r;
      re = (ar + ai * r) / d;
      im = (ai - ar * r) / d;
    } else {
      const T r = br / bi, d = bi + br * r;
      re = (ar * r + ai) / d;
      im = (ai * r - ar) / d;
    }
  }
}

template <BinaryOp op, typename T>
__global__ void complex_binary_kernel(T* __restrict__ out, const T* __restrict__ a,
                                      const T* __restrict__ b, StridedLayout layout, int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[3];
    strided_offsets<3>(layout, i, offset);
    T re, im;
    complex_apply<op>(a[2 * offset[1]], a[2 * offset[1] + 1], b[2 * offset[2]],
                      b[2 * offset[2] + 1], re, im);
    out[2 * offset[0]] = re;
    out[2 * offset[0] + 1] = im;
  }
}

template <typename T>
__global__ void complex_conj_kernel(T* __restrict__ y, const T* __restrict__ x,
                                    StridedLayout layout, int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[2];
    strided_offsets<2>(layout, i, offset);
    y[2 * offset[0]] = x[2 * offset[1]];
    y[2 * offset[0] + 1] = -x[2 * offset[1] + 1];
  }
}

template <typename T>
__global__ void complex_abs_kernel(T* __restrict__ y, const T* __restrict__ x, StridedLayout layout,
                                   int64_t n) {
  using std::hypot;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[2];
    strided_offsets<2>(layout, i, offset);
    y[offset[0]] = hypot(x[2 * offset[1]], x[2 * offset[1] + 1]);  // no overflow in re² + im²
  }
}

template <typename T>
__global__ void complex_abs_backward_kernel(T* __restrict__ dz, const T* __restrict__ g,
                                            const T* __restrict__ z, int64_t n) {
  using std::hypot;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    const T re = z[2 * i], im = z[2 * i + 1];
    const T r = hypot(re, im);
    const T s = r == T(0) ? T(0) : g[i] / r;  // PyTorch's subgradient 0 at z = 0
    dz[2 * i] = re * s;
    dz[2 * i + 1] = im * s;
  }
}

template <typename TOut, typename TIn, bool kOutComplex, bool kInComplex>
__global__ void convert_kernel(TOut* __restrict__ dst, const TIn* __restrict__ src,
                               StridedLayout layout, int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[2];
    strided_offsets<2>(layout, i, offset);
    if constexpr (kOutComplex) {
      if constexpr (kInComplex) {
        dst[2 * offset[0]] = static_cast<TOut>(src[2 * offset[1]]);
        dst[2 * offset[0] + 1] = static_cast<TOut>(src[2 * offset[1] + 1]);
      } else {
        dst[2 * offset[0]] = static_cast<TOut>(src[offset[1]]);
        dst[2 * offset[0] + 1] = TOut(0);
      }
    } else {
      dst[offset[0]] = static_cast<TOut>(src[kInComplex ? 2 * offset[1] : offset[1]]);
    }
  }
}

}  // namespace

template <typename T>
void complex_binary_forward(T* out, const T* a, const T* b, const StridedLayout& layout,
                            BinaryOp op, Stream stream) {
  const int64_t n = numel(layout);
  if (n == 0) return;
  const unsigned grid = grid_for(n, kThreads);
  switch (op) {
    case BinaryOp::kAdd:
      return FFTUNE_LAUNCH((complex_binary_kernel<BinaryOp::kAdd, T>), grid, kThreads, 0, stream,
                           out, a, b, layout, n);
    case BinaryOp::kSub:
      return FFTUNE_LAUNCH((complex_binary_kernel<BinaryOp::kSub, T>), grid, kThreads, 0, stream,
                           out, a, b, layout, n);
    case BinaryOp::kMul:
      return FFTUNE_LAUNCH((complex_binary_kernel<BinaryOp::kMul, T>), grid, kThreads, 0, stream,
                           out, a, b, layout, n);
    case BinaryOp::kDiv:
      return FFTUNE_LAUNCH((complex_binary_kernel<BinaryOp::kDiv, T>), grid, kThreads, 0, stream,
                           out, a, b, layout, n);
    default:
      break;  // the Tensor-level entry point rejects the other ops with a message
  }
}

template <typename T>
void complex_conj(T* y, const T* x, const StridedLayout& layout, Stream stream) {
  const int64_t n = numel(layout);
  if (n == 0) return;
  FFTUNE_LAUNCH(complex_conj_kernel<T>, grid_for(n, kThreads), kThreads, 0, stream, y, x, layout,
                n);
}

template <typename T>
void complex_abs(T* y, const T* x, const StridedLayout& layout, Stream stream) {
  const int64_t n = numel(layout);
  if (n == 0) return;
  FFTUNE_LAUNCH(complex_abs_kernel<T>, grid_for(n, kThreads), kThreads, 0, stream, y, x, layout, n);
}

template <typename T>
void complex_abs_backward(T* dz, const T* g, const T* z, int64_t n, Stream stream) {
  if (n == 0) return;
  FFTUNE_LAUNCH(complex_abs_backward_kernel<T>, grid_for(n, kThreads), kThreads, 0, stream, dz, g,
                z, n);
}

template <typename TOut, typename TIn>
void convert(TOut* dst, bool out_complex, const TIn* src, bool in_complex,
             const StridedLayout& layout, Stream stream) {
  const int64_t n = numel(layout);
  if (n == 0) return;
  const unsigned grid = grid_for(n, kThreads);
  // Only float and double have complex counterparts; integer sides are always real.
  constexpr bool kOutMayBeComplex = std::is_floating_point_v<TOut>;
  constexpr bool kInMayBeComplex = std::is_floating_point_v<TIn>;
  if constexpr (kOutMayBeComplex && kInMayBeComplex) {
    if (out_complex && in_complex)
      return FFTUNE_LAUNCH((convert_kernel<TOut, TIn, true, true>), grid, kThreads, 0, stream, dst,
                           src, layout, n);
  }
  if constexpr (kOutMayBeComplex) {
    if (out_complex && !in_complex)
      return FFTUNE_LAUNCH((convert_kernel<TOut, TIn, true, false>), grid, kThreads, 0, stream, dst,
                           src, layout, n);
  }
  if constexpr (kInMayBeComplex) {
    if (!out_complex && in_complex)
      return FFTUNE_LAUNCH((convert_kernel<TOut, TIn, false, true>), grid, kThreads, 0, stream, dst,
                           src, layout, n);
  }
  FFTUNE_LAUNCH((convert_kernel<TOut, TIn, false, false>), grid, kThreads, 0, stream, dst, src,
                layout, n);
}

#define FFTUNE_COMPLEX_KERNELS(T)                                                                 \
  template void complex_binary_forward<T>(T*, const T*, const T*, const StridedLayout&, BinaryOp, \
                                          Stream);                                                \
  template void complex_conj<T>(T*, const T*, const StridedLayout&, Stream);                      \
  template void complex_abs<T>(T*, const T*, const StridedLayout&, Stream);                       \
  template void complex_abs_backward<T>(T*, const T*, const T*, int64_t, Stream);
FFTUNE_COMPLEX_KERNELS(float)
FFTUNE_COMPLEX_KERNELS(double)
#undef FFTUNE_COMPLEX_KERNELS

#define FFTUNE_CONVERT(TOut, TIn) \
  template void convert<TOut, TIn>(TOut*, bool, const TIn*, bool, const StridedLayout&, Stream);
#define FFTUNE_CONVERT_FROM(TIn) \
  FFTUNE_CONVERT(float, TIn) FFTUNE_CONVERT(double, TIn) FFTUNE_CONVERT(int64_t, TIn)
FFTUNE_CONVERT_FROM(float)
FFTUNE_CONVERT_FROM(double)
FFTUNE_CONVERT_FROM(int64_t)
#undef FFTUNE_CONVERT_FROM
#undef FFTUNE_CONVERT

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void complex_binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op) {
  FFTUNE_CHECK(
      op == BinaryOp::kAdd || op == BinaryOp::kSub || op == BinaryOp::kMul || op == BinaryOp::kDiv,
      "binary_forward: comparisons and maximum are not defined for complex tensors");
  dispatch_float(real_dtype(a.dtype()), "binary", [&]<typename T>() {
    complex_binary_forward<T>(mutable_reals<T>(out), reals<T>(a), reals<T>(b),
                              strided_layout(out, {a, b}), op, stream());
  });
}

void conj(const Tensor& y, const Tensor& x) {
  dispatch_float(real_dtype(x.dtype()), "conj", [&]<typename T>() {
    complex_conj<T>(mutable_reals<T>(y), reals<T>(x), strided_layout(y, {x}), stream());
  });
}

void complex_abs(const Tensor& y, const Tensor& z) {
  dispatch_float(real_dtype(z.dtype()), "abs", [&]<typename T>() {
    complex_abs<T>(mutable_reals<T>(y), reals<T>(z), strided_layout(y, {z}), stream());
  });
}

void complex_abs_backward(const Tensor& dz, const Tensor& g, const Tensor& z) {
  dispatch_float(real_dtype(z.dtype()), "abs backward", [&]<typename T>() {
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

void copy(const Tensor& dst, const Tensor& src) {
  FFTUNE_CHECK(dst.dtype() == src.dtype(), "copy: a CUDA copy converts no dtype (", src.dtype(),
               " to ", dst.dtype(), "): convert on the CPU");
  if (dst.is_contiguous() && src.is_contiguous() && dst.shape() == src.shape()) {
    FFTUNE_CUDA_CHECK(cudaMemcpyAsync(dst.raw_data(), src.raw_data(),
                                      dst.numel() * dtype_size(dst.dtype()),
                                      cudaMemcpyDeviceToDevice, stream()));
    return;
  }
  // Strided or broadcast, any dtype: the conversion kernel from a dtype to itself is a strided
  // copy, exact for every value, and needs no constant from the host.
  convert(dst, src);
}

void fill(const Tensor& dst, double value) {
  if (value == 0.0 && dst.is_contiguous()) {  // all-zero bytes are 0 in every dtype
    FFTUNE_CUDA_CHECK(
        cudaMemsetAsync(dst.raw_data(), 0, dst.numel() * dtype_size(dst.dtype()), stream()));
    return;
  }
  copy(dst, full({}, value, dst.dtype()).to(dst.device()));
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
