// See tensor_ops.h.
#include "ops/cuda/tensor_ops.h"

#include <cuda_runtime.h>

#include "core/tensor/factory.h"
#include "ops/cuda/check.h"
#include "ops/cuda/device.h"
#include "ops/cuda/dropout_kernels.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/layer_norm_kernels.h"
#include "ops/cuda/library_ops.h"
#include "ops/cuda/reduce_kernels.h"
#include "ops/cuda/softmax_kernels.h"
#include "ops/ops.h"

namespace fftune::cuda {
namespace {

// f32 and f64 (the kernels are instantiated for both); anything else is a clear error.
template <typename F>
void dispatch(const char* op, DType dtype, F&& f) {
  if (dtype == DType::f32)
    f.template operator()<float>();
  else if (dtype == DType::f64)
    f.template operator()<double>();
  else
    FFTUNE_FAIL(op, ": the CUDA kernel supports f32 and f64, got ", dtype);
}

// out (operand 0) and the inputs read broadcast to out's shape (operands 1, 2).
StridedLayout layout_of(const Tensor& out, std::initializer_list<Tensor> inputs) {
  FFTUNE_CHECK(out.dim() <= kMaxDims, "CUDA elementwise: at most ", kMaxDims, " dims, got ",
               out.dim());
  StridedLayout layout;
  layout.ndim = static_cast<int>(out.dim());
  for (int d = 0; d < layout.ndim; ++d) {
    layout.shape[d] = out.shape()[d];
    layout.strides[0][d] = out.strides()[d];
  }
  const Tensor* operand = inputs.begin();
  for (int k = 1; k < 3 && operand != inputs.end(); ++k, ++operand) {
    const Shape strides = broadcast_strides(*operand, out.shape());
    for (int d = 0; d < layout.ndim; ++d) layout.strides[k][d] = strides[d];
  }
  return layout;
}

template <typename T>
const T* ptr(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}
template <typename T>
T* mut(const Tensor& t) {
  return t.defined() ? const_cast<T*>(t.data<T>()) : nullptr;
}

// (outer, n, inner) contiguous -> (outer, inner, n), so that the reduced dim is last.
Tensor move_middle_last(const Tensor& x, int64_t outer, int64_t n, int64_t inner) {
  return x.reshape({outer, n, inner}).transpose(1, 2).contiguous();
}

}  // namespace

void unary_forward(const Tensor& y, const Tensor& x, UnaryOp op, double p) {
  dispatch("unary", x.dtype(), [&]<typename T>() {
    cuda::unary_forward<T>(mut<T>(y), ptr<T>(x), layout_of(y, {x}), op, static_cast<T>(p),
                           stream());
  });
}

void unary_backward(const Tensor& dx, const Tensor& g, const Tensor& s, UnaryOp op, double p) {
  const Tensor gc = g.contiguous();
  const Tensor sc = s.defined() ? s.contiguous() : s;
  dispatch("unary backward", g.dtype(), [&]<typename T>() {
    cuda::unary_backward<T>(mut<T>(dx), ptr<T>(gc), ptr<T>(sc), dx.numel(), op, static_cast<T>(p),
                            stream());
  });
}

void binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op) {
  if (is_complex(a.dtype())) return complex_binary_forward(out, a, b, op);  // library_ops.h
  dispatch("binary", a.dtype(), [&]<typename T>() {
    cuda::binary_forward<T>(mut<T>(out), ptr<T>(a), ptr<T>(b), layout_of(out, {a, b}), op,
                            stream());
  });
}

void sum_rows(const Tensor& out, const Tensor& x, int64_t outer, int64_t inner) {
  if (is_complex(x.dtype())) {  // the real and the imaginary parts, summed as 2·outer real rows
    NoGradGuard no_grad;
    const Tensor parts = view_as_real(x).reshape({outer, inner, 2}).transpose(1, 2).contiguous();
    return sum_rows(view_as_real(out).reshape({2 * outer}), parts, 2 * outer, inner);
  }
  dispatch("sum", x.dtype(), [&]<typename T>() {
    cuda::sum_rows<T>(mut<T>(out), ptr<T>(x), outer, inner, stream());
  });
}

void softmax_forward(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  if (inner == 1) {
    dispatch(op, x.dtype(), [&]<typename T>() {
      cuda::softmax_forward<T>(mut<T>(y), ptr<T>(x), outer, n, log, stream());
    });
    return;
  }
  const Tensor xt = move_middle_last(x, outer, n, inner);
  const Tensor yt = empty(xt.shape(), xt.dtype(), xt.device());
  softmax_forward(yt, xt, outer * inner, n, 1, log);
  copy(y.reshape({outer, n, inner}), yt.transpose(1, 2));
}

void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t outer, int64_t n,
                      int64_t inner, bool log) {
  const char* op = log ? "log_softmax backward" : "softmax backward";
  if (inner == 1) {
    const Tensor gc = g.contiguous(), yc = y.contiguous();
    dispatch(op, g.dtype(), [&]<typename T>() {
      cuda::softmax_backward<T>(mut<T>(dx), ptr<T>(gc), ptr<T>(yc), outer, n, log, stream());
    });
    return;
  }
  const Tensor gt = move_middle_last(g.contiguous(), outer, n, inner);
  const Tensor yt = move_middle_last(y.contiguous(), outer, n, inner);
  const Tensor dt = empty(gt.shape(), gt.dtype(), gt.device());
  softmax_backward(dt, gt, yt, outer * inner, n, 1, log);
  copy(dx.reshape({outer, n, inner}), dt.transpose(1, 2));
}

void layer_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t M, int64_t N,
                        double eps) {
  dispatch("layer_norm", x.dtype(), [&]<typename T>() {
    cuda::layer_norm_forward<T>(mut<T>(y), mut<T>(mean), mut<T>(rstd), ptr<T>(x), ptr<T>(weight),
                                ptr<T>(bias), M, N, eps, stream());
  });
}

void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias,
                         const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t M, int64_t N) {
  dispatch("layer_norm backward", x.dtype(), [&]<typename T>() {
    cuda::layer_norm_backward<T>(mut<T>(dx), mut<T>(dweight), mut<T>(dbias), ptr<T>(g), ptr<T>(x),
                                 ptr<T>(mean), ptr<T>(rstd), ptr<T>(weight), M, N, stream());
  });
}

void dropout_apply(const Tensor& out, const Tensor& in, float p, double scale, uint64_t seed,
                   uint64_t stream_id) {
  dispatch("dropout", in.dtype(), [&]<typename T>() {
    cuda::dropout_apply<T>(mut<T>(out), ptr<T>(in), in.numel(), p, static_cast<T>(scale), seed,
                           stream_id, stream());
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
  // copy (library_ops.h), exact for every value, and needs no constant from the host.
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
