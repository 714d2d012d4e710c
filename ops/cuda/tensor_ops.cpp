// See tensor_ops.h.
#include "ops/cuda/tensor_ops.h"

#include <cuda_runtime.h>

#include <cstring>

#include "core/determinism.h"
#include "core/tensor/factory.h"
#include "ops/cuda/check.h"
#include "ops/cuda/device.h"
#include "ops/cuda/dropout_kernels.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/index_kernels.h"
#include "ops/cuda/layer_norm_kernels.h"
#include "ops/cuda/library_ops.h"
#include "ops/cuda/loss_kernels.h"
#include "ops/cuda/max_kernels.h"
#include "ops/cuda/optim_kernels.h"
#include "ops/cuda/reduce_kernels.h"
#include "ops/cuda/softmax_kernels.h"
#include "ops/cuda/sort_kernels.h"
#include "ops/cuda/where_kernels.h"
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
                        const Tensor& weight, const Tensor& bias, int64_t BT, int64_t C,
                        double eps) {
  dispatch("layer_norm", x.dtype(), [&]<typename T>() {
    cuda::layer_norm_forward<T>(mut<T>(y), mut<T>(mean), mut<T>(rstd), ptr<T>(x), ptr<T>(weight),
                                ptr<T>(bias), BT, C, eps, stream());
  });
}

void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias,
                         const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t BT, int64_t C) {
  dispatch("layer_norm backward", x.dtype(), [&]<typename T>() {
    cuda::layer_norm_backward<T>(mut<T>(dx), mut<T>(dweight), mut<T>(dbias), ptr<T>(g), ptr<T>(x),
                                 ptr<T>(mean), ptr<T>(rstd), ptr<T>(weight), BT, C, stream());
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

// ---- Indexing, losses, max, where, in-place add and the optimizer updates ----------------------
namespace {

// f32, f64 and i64 (the kernels that only move or compare values are instantiated for all three).
template <typename F>
void dispatch_real(const char* op, DType dtype, F&& f) {
  if (dtype == DType::f32)
    f.template operator()<float>();
  else if (dtype == DType::f64)
    f.template operator()<double>();
  else if (dtype == DType::i64)
    f.template operator()<int64_t>();
  else
    FFTUNE_FAIL(op, ": the CUDA kernel supports f32, f64 and i64, got ", dtype);
}

// The (outer, size, inner) view of a shape around `dim`.
struct Around {
  int64_t outer = 1, size = 1, inner = 1;
};

Around around(const Shape& shape, int64_t dim) {
  Around a;
  a.size = shape[dim];
  for (int64_t d = 0; d < dim; ++d) a.outer *= shape[d];
  for (int64_t d = dim + 1; d < static_cast<int64_t>(shape.size()); ++d) a.inner *= shape[d];
  return a;
}

// The keys of a deterministic scatter-add over `index` (n values in [0, size)): Note [sorted
// segmented reduction]. Undefined (the atomic kernels run) unless deterministic mode is on.
Tensor sorted_keys_if_deterministic(const Tensor& index, int64_t size, const char* op) {
  if (!deterministic_algorithms()) return Tensor();
  const int64_t n = index.numel();
  FFTUNE_CHECK(n == 0 || size <= INT64_MAX / n, op, ": ", n, " indices into a dim of size ", size,
               " are too many for the deterministic sort's 64-bit keys");
  Tensor keys = empty({sorted_keys_length(n)}, DType::i64, index.device());
  cuda::sort_index_keys(mut<int64_t>(keys), ptr<int64_t>(index), n, stream());
  return keys;
}

GatherLayout gather_layout(const Tensor& index, int64_t dim, const Tensor& self,
                           const Tensor& other) {
  FFTUNE_CHECK(index.dim() <= kMaxDims, "CUDA gather/scatter: at most ", kMaxDims, " dims, got ",
               index.dim());
  GatherLayout layout;
  layout.ndim = static_cast<int>(index.dim());
  layout.dim = static_cast<int>(dim);
  for (int d = 0; d < layout.ndim; ++d) {
    layout.shape[d] = index.size(d);
    layout.self_strides[d] = self.stride(d);
    layout.other_strides[d] = other.stride(d);
  }
  return layout;
}

// The per-tensor table and the chunk table of a multi-tensor launch, in one device buffer
// (Note [multi-tensor apply]). The buffer is freed when the caller returns; the caching
// allocator hands its memory out again only to work queued after the launch on the same stream.
template <typename Entry>
struct DeviceTables {
  Tensor buffer;
  const Entry* tensors = nullptr;
  const TensorChunk* chunks = nullptr;
  int64_t num_chunks = 0;
};

template <typename Entry>
DeviceTables<Entry> device_tables(const std::vector<Entry>& tensors,
                                  const std::vector<int64_t>& numels, Device device) {
  const std::vector<TensorChunk> chunks = split_into_chunks(numels);
  const size_t tensor_bytes = (tensors.size() * sizeof(Entry) + 15) / 16 * 16;
  const size_t chunk_bytes = chunks.size() * sizeof(TensorChunk);
  Tensor host = empty({static_cast<int64_t>((tensor_bytes + chunk_bytes + 7) / 8)}, DType::i64);
  auto* bytes = static_cast<unsigned char*>(host.raw_data());
  std::memcpy(bytes, tensors.data(), tensors.size() * sizeof(Entry));
  std::memcpy(bytes + tensor_bytes, chunks.data(), chunk_bytes);
  DeviceTables<Entry> t;
  t.buffer = host.to(device);
  const auto* base = static_cast<const unsigned char*>(t.buffer.raw_data());
  t.tensors = reinterpret_cast<const Entry*>(base);
  t.chunks = reinterpret_cast<const TensorChunk*>(base + tensor_bytes);
  t.num_chunks = static_cast<int64_t>(chunks.size());
  return t;
}

}  // namespace

void embedding_forward(const Tensor& out, const Tensor& weight, const Tensor& indices) {
  index_select_forward(out, weight, indices, 0);
}

void embedding_backward(const Tensor& dweight, const Tensor& g, const Tensor& indices) {
  index_add(dweight, indices, g, 0);
}

void index_select_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim) {
  const Around a = around(x.shape(), dim);
  dispatch_real("index_select", x.dtype(), [&]<typename T>() {
    cuda::index_select_forward<T>(mut<T>(out), ptr<T>(x), ptr<int64_t>(index), a.outer, a.size,
                                  index.numel(), a.inner, stream());
  });
}

void index_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim) {
  const Around a = around(out.shape(), dim);
  const Tensor sc = src.contiguous();
  const Tensor keys = sorted_keys_if_deterministic(index, a.size, "index_add");
  dispatch("index_add", out.dtype(), [&]<typename T>() {
    cuda::index_add<T>(mut<T>(out), ptr<int64_t>(index), ptr<T>(sc), ptr<int64_t>(keys), a.outer,
                       a.size, index.numel(), a.inner, stream());
  });
}

void gather_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim) {
  const GatherLayout layout = gather_layout(index, dim, x, out);
  dispatch_real("gather", x.dtype(), [&]<typename T>() {
    cuda::gather_forward<T>(mut<T>(out), ptr<T>(x), ptr<int64_t>(index), layout, stream());
  });
}

void scatter_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim) {
  const GatherLayout layout = gather_layout(index, dim, out, src);
  dispatch("scatter_add", out.dtype(), [&]<typename T>() {
    cuda::scatter_add<T>(mut<T>(out), ptr<int64_t>(index), ptr<T>(src), layout,
                         deterministic_algorithms(), stream());
  });
}

void cross_entropy_forward(const Tensor& loss, const Tensor& row_max, const Tensor& log_sum,
                           const Tensor& logits, const Tensor& target, int64_t ignore_index,
                           double smoothing) {
  dispatch("cross_entropy", logits.dtype(), [&]<typename T>() {
    cuda::cross_entropy_forward<T>(mut<T>(loss), mut<T>(row_max), mut<T>(log_sum), ptr<T>(logits),
                                   ptr<int64_t>(target), logits.size(0), logits.size(1),
                                   ignore_index, smoothing, stream());
  });
}

void cross_entropy_backward(const Tensor& dlogits, const Tensor& grad, int64_t grad_stride,
                            double scale, const Tensor& logits, const Tensor& row_max,
                            const Tensor& log_sum, const Tensor& target, int64_t ignore_index,
                            double smoothing) {
  dispatch("cross_entropy backward", logits.dtype(), [&]<typename T>() {
    cuda::cross_entropy_backward<T>(mut<T>(dlogits), ptr<T>(grad), grad_stride, scale,
                                    ptr<T>(logits), ptr<T>(row_max), ptr<T>(log_sum),
                                    ptr<int64_t>(target), logits.size(0), logits.size(1),
                                    ignore_index, smoothing, stream());
  });
}

void max_forward(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
                 int64_t size, int64_t inner) {
  dispatch_real("max", x.dtype(), [&]<typename T>() {
    cuda::max_forward<T>(mut<T>(values), mut<int64_t>(indices), ptr<T>(x), outer, size, inner,
                         stream());
  });
}

void where_forward(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  FFTUNE_CHECK(out.dim() <= kMaxDims, "where: at most ", kMaxDims, " dims on CUDA, got ",
               out.dim());
  WhereLayout layout;
  layout.ndim = static_cast<int>(out.dim());
  const Tensor* operands[4] = {&out, &cond, &a, &b};
  for (int k = 0; k < 4; ++k) {
    const Shape strides = broadcast_strides(*operands[k], out.shape());
    for (int d = 0; d < layout.ndim; ++d) layout.strides[k][d] = strides[d];
  }
  for (int d = 0; d < layout.ndim; ++d) layout.shape[d] = out.size(d);
  dispatch_real("where", cond.dtype(), [&]<typename C>() {
    dispatch_real("where", out.dtype(), [&]<typename T>() {
      cuda::where_forward<T, C>(mut<T>(out), ptr<C>(cond), ptr<T>(a), ptr<T>(b), layout, stream());
    });
  });
}

void add_scaled_inplace(const Tensor& x, const Tensor& y, double alpha) {
  dispatch_real("add_", x.dtype(), [&]<typename T>() {
    cuda::add_scaled_inplace<T>(mut<T>(x), ptr<T>(y), layout_of(x, {y}), static_cast<T>(alpha),
                                stream());
  });
}

void adamw_multi_tensor_step(const std::vector<AdamWParamUpdate>& updates) {
  // One launch per dtype present (in practice one: every parameter is f32).
  for (DType dtype : {DType::f32, DType::f64}) {
    dispatch("adamw_step_", dtype, [&]<typename T>() {
      std::vector<AdamWTensor<T>> table;
      std::vector<int64_t> numels;
      std::vector<Tensor> grads;  // contiguous gradients, alive until the launch is queued
      for (const AdamWParamUpdate& u : updates) {
        if (u.param.dtype() != dtype) continue;
        const AdamWStepScalars& s = u.scalars;
        grads.push_back(u.grad.contiguous());
        // Scalars rounded to T once, as cpu::adamw_step rounds them.
        table.push_back(
            {mut<T>(u.param), ptr<T>(grads.back()), mut<T>(u.exp_avg), mut<T>(u.exp_avg_sq),
             u.param.numel(), static_cast<T>(s.decay), static_cast<T>(1.0 - s.beta1),
             static_cast<T>(s.beta2), static_cast<T>(1.0 - s.beta2), static_cast<T>(-s.step_size),
             static_cast<T>(s.bias_correction2_sqrt), static_cast<T>(s.eps), s.decay != 1.0});
        numels.push_back(u.param.numel());
      }
      if (table.empty()) return;
      const auto t = device_tables(table, numels, updates.front().param.device());
      cuda::adamw_step<T>(t.tensors, t.chunks, t.num_chunks, stream());
    });
  }
}

void sgd_multi_tensor_step(const std::vector<SGDParamUpdate>& updates) {
  for (DType dtype : {DType::f32, DType::f64}) {
    dispatch("sgd_step_", dtype, [&]<typename T>() {
      std::vector<SGDTensor<T>> table;
      std::vector<int64_t> numels;
      std::vector<Tensor> grads;  // contiguous gradients, alive until the launch is queued
      for (const SGDParamUpdate& u : updates) {
        if (u.param.dtype() != dtype) continue;
        const SGDStepScalars& s = u.scalars;
        grads.push_back(u.grad.contiguous());
        table.push_back({mut<T>(u.param), ptr<T>(grads.back()),
                         s.momentum != 0.0 ? mut<T>(u.momentum_buffer) : nullptr, u.param.numel(),
                         static_cast<T>(s.weight_decay), static_cast<T>(s.momentum),
                         static_cast<T>(1.0 - s.dampening), static_cast<T>(-s.lr),
                         s.weight_decay != 0.0, s.nesterov, s.first_step});
        numels.push_back(u.param.numel());
      }
      if (table.empty()) return;
      const auto t = device_tables(table, numels, updates.front().param.device());
      cuda::sgd_step<T>(t.tensors, t.chunks, t.num_chunks, stream());
    });
  }
}

}  // namespace fftune::cuda
