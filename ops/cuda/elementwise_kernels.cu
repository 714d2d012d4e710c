// Elementwise CUDA kernels: unary forward / backward and binary ops with broadcasting.
//
// Contiguous path: each thread owns Vec<T, 16/sizeof(T)> consecutive elements per grid-stride
// step, loaded and stored as one 16-byte access (float4-wide); the last partial vector is done
// element by element. Used when every operand is contiguous with the same shape and 16-byte
// aligned. Strided path: each thread owns one output element per grid-stride step and turns its
// linear index into per-operand offsets through the shape and the strides (0 on broadcast dims).
// Blocks are 256 threads; blocks share nothing.
#include "ops/cuda/complex_kernels.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/strided.cuh"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

template <UnaryOp op, typename T, int N>
__global__ void unary_forward_contiguous_kernel(T* __restrict__ y, const T* __restrict__ x,
                                                int64_t n, T p) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x * N;
  for (int64_t i = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * N; i < n; i += step) {
    if (i + N <= n) {
      const Vec<T, N> in = *reinterpret_cast<const Vec<T, N>*>(x + i);
      Vec<T, N> out;
      for (int k = 0; k < N; ++k) out.v[k] = apply_unary<op>(in.v[k], p);
      *reinterpret_cast<Vec<T, N>*>(y + i) = out;
    } else {
      for (int64_t j = i; j < n; ++j) y[j] = apply_unary<op>(x[j], p);
    }
  }
}

template <UnaryOp op, typename T>
__global__ void unary_forward_strided_kernel(T* __restrict__ y, const T* __restrict__ x,
                                             StridedLayout layout, int64_t n, T p) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[2];
    strided_offsets<2>(layout, i, offset);
    y[offset[0]] = apply_unary<op>(x[offset[1]], p);
  }
}

template <UnaryOp op, typename T, int N>
__global__ void unary_backward_kernel(T* __restrict__ dx, const T* __restrict__ g,
                                      const T* __restrict__ s, int64_t n, T p) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x * N;
  for (int64_t i = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * N; i < n; i += step) {
    if (i + N <= n) {
      const Vec<T, N> gv = *reinterpret_cast<const Vec<T, N>*>(g + i);
      const Vec<T, N> sv = *reinterpret_cast<const Vec<T, N>*>(s + i);
      Vec<T, N> out;
      for (int k = 0; k < N; ++k) out.v[k] = apply_unary_grad<op>(gv.v[k], sv.v[k], p);
      *reinterpret_cast<Vec<T, N>*>(dx + i) = out;
    } else {
      for (int64_t j = i; j < n; ++j) dx[j] = apply_unary_grad<op>(g[j], s[j], p);
    }
  }
}

template <BinaryOp op, typename T, int N>
__global__ void binary_forward_contiguous_kernel(T* __restrict__ out, const T* __restrict__ a,
                                                 const T* __restrict__ b, int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x * N;
  for (int64_t i = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * N; i < n; i += step) {
    if (i + N <= n) {
      const Vec<T, N> av = *reinterpret_cast<const Vec<T, N>*>(a + i);
      const Vec<T, N> bv = *reinterpret_cast<const Vec<T, N>*>(b + i);
      Vec<T, N> ov;
      for (int k = 0; k < N; ++k) ov.v[k] = apply_binary<op>(av.v[k], bv.v[k]);
      *reinterpret_cast<Vec<T, N>*>(out + i) = ov;
    } else {
      for (int64_t j = i; j < n; ++j) out[j] = apply_binary<op>(a[j], b[j]);
    }
  }
}

template <BinaryOp op, typename T>
__global__ void binary_forward_strided_kernel(T* __restrict__ out, const T* __restrict__ a,
                                              const T* __restrict__ b, StridedLayout layout,
                                              int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t offset[3];
    strided_offsets<3>(layout, i, offset);
    out[offset[0]] = apply_binary<op>(a[offset[1]], b[offset[2]]);
  }
}

// Calls f.template operator()<op>() with the runtime op as a compile-time constant.
template <typename F>
void with_unary_op(UnaryOp op, F&& f) {
  switch (op) {
    case UnaryOp::kNeg:
      return f.template operator()<UnaryOp::kNeg>();
    case UnaryOp::kExp:
      return f.template operator()<UnaryOp::kExp>();
    case UnaryOp::kLog:
      return f.template operator()<UnaryOp::kLog>();
    case UnaryOp::kSqrt:
      return f.template operator()<UnaryOp::kSqrt>();
    case UnaryOp::kRsqrt:
      return f.template operator()<UnaryOp::kRsqrt>();
    case UnaryOp::kAbs:
      return f.template operator()<UnaryOp::kAbs>();
    case UnaryOp::kTanh:
      return f.template operator()<UnaryOp::kTanh>();
    case UnaryOp::kSigmoid:
      return f.template operator()<UnaryOp::kSigmoid>();
    case UnaryOp::kRelu:
      return f.template operator()<UnaryOp::kRelu>();
    case UnaryOp::kGelu:
      return f.template operator()<UnaryOp::kGelu>();
    case UnaryOp::kGeluTanh:
      return f.template operator()<UnaryOp::kGeluTanh>();
    case UnaryOp::kPow:
      return f.template operator()<UnaryOp::kPow>();
  }
}

template <typename F>
void with_binary_op(BinaryOp op, F&& f) {
  switch (op) {
    case BinaryOp::kAdd:
      return f.template operator()<BinaryOp::kAdd>();
    case BinaryOp::kSub:
      return f.template operator()<BinaryOp::kSub>();
    case BinaryOp::kMul:
      return f.template operator()<BinaryOp::kMul>();
    case BinaryOp::kDiv:
      return f.template operator()<BinaryOp::kDiv>();
    case BinaryOp::kMaximum:
      return f.template operator()<BinaryOp::kMaximum>();
    case BinaryOp::kEq:
      return f.template operator()<BinaryOp::kEq>();
    case BinaryOp::kGt:
      return f.template operator()<BinaryOp::kGt>();
    case BinaryOp::kLt:
      return f.template operator()<BinaryOp::kLt>();
    case BinaryOp::kGe:
      return f.template operator()<BinaryOp::kGe>();
  }
}

}  // namespace

template <typename T>
void unary_forward(T* y, const T* x, const StridedLayout& layout, UnaryOp op, T p, Stream stream) {
  const int64_t n = numel(layout);
  if (n == 0) return;
  constexpr int N = kVecWidth<T>;
  const bool vectorised = all_contiguous(layout, 2) && aligned16(y) && aligned16(x);
  with_unary_op(op, [&]<UnaryOp kOp>() {
    if (vectorised)
      FFTUNE_LAUNCH((unary_forward_contiguous_kernel<kOp, T, N>),
                    grid_for((n + N - 1) / N, kThreads), kThreads, 0, stream, y, x, n, p);
    else
      FFTUNE_LAUNCH((unary_forward_strided_kernel<kOp, T>), grid_for(n, kThreads), kThreads, 0,
                    stream, y, x, layout, n, p);
  });
}

template <typename T>
void unary_backward(T* dx, const T* g, const T* s, int64_t n, UnaryOp op, T p, Stream stream) {
  if (n == 0) return;
  constexpr int kVec = kVecWidth<T>;
  const bool vectorised = aligned16(dx) && aligned16(g) && aligned16(s);
  with_unary_op(op, [&]<UnaryOp kOp>() {
    if (vectorised)
      FFTUNE_LAUNCH((unary_backward_kernel<kOp, T, kVec>),
                    grid_for((n + kVec - 1) / kVec, kThreads), kThreads, 0, stream, dx, g, s, n, p);
    else
      FFTUNE_LAUNCH((unary_backward_kernel<kOp, T, 1>), grid_for(n, kThreads), kThreads, 0, stream,
                    dx, g, s, n, p);
  });
}

template <typename T>
void binary_forward(T* out, const T* a, const T* b, const StridedLayout& layout, BinaryOp op,
                    Stream stream) {
  const int64_t n = numel(layout);
  if (n == 0) return;
  constexpr int N = kVecWidth<T>;
  const bool vectorised =
      all_contiguous(layout, 3) && aligned16(out) && aligned16(a) && aligned16(b);
  with_binary_op(op, [&]<BinaryOp kOp>() {
    if (vectorised)
      FFTUNE_LAUNCH((binary_forward_contiguous_kernel<kOp, T, N>),
                    grid_for((n + N - 1) / N, kThreads), kThreads, 0, stream, out, a, b, n);
    else
      FFTUNE_LAUNCH((binary_forward_strided_kernel<kOp, T>), grid_for(n, kThreads), kThreads, 0,
                    stream, out, a, b, layout, n);
  });
}

template void unary_forward<float>(float*, const float*, const StridedLayout&, UnaryOp, float,
                                   Stream);
template void unary_forward<double>(double*, const double*, const StridedLayout&, UnaryOp, double,
                                    Stream);
template void unary_backward<float>(float*, const float*, const float*, int64_t, UnaryOp, float,
                                    Stream);
template void unary_backward<double>(double*, const double*, const double*, int64_t, UnaryOp,
                                     double, Stream);
template void binary_forward<float>(float*, const float*, const float*, const StridedLayout&,
                                    BinaryOp, Stream);
template void binary_forward<double>(double*, const double*, const double*, const StridedLayout&,
                                     BinaryOp, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void unary_forward(const Tensor& y, const Tensor& x, UnaryOp op, double p) {
  dispatch_float(x.dtype(), "unary", [&]<typename T>() {
    unary_forward<T>(mut<T>(y), ptr<T>(x), strided_layout(y, {x}), op, static_cast<T>(p), stream());
  });
}

void unary_backward(const Tensor& dx, const Tensor& g, const Tensor& s, UnaryOp op, double p) {
  const Tensor gc = g.contiguous();
  const Tensor sc = s.defined() ? s.contiguous() : s;
  dispatch_float(g.dtype(), "unary backward", [&]<typename T>() {
    unary_backward<T>(mut<T>(dx), ptr<T>(gc), ptr<T>(sc), dx.numel(), op, static_cast<T>(p),
                      stream());
  });
}

void binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op) {
  if (is_complex(a.dtype())) return complex_binary_forward(out, a, b, op);
  dispatch_float(a.dtype(), "binary", [&]<typename T>() {
    binary_forward<T>(mut<T>(out), ptr<T>(a), ptr<T>(b), strided_layout(out, {a, b}), op, stream());
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
