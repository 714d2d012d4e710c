// The in-place add_ and the fused optimizer updates.
//
// add_scaled_inplace: each thread owns one element of x per grid-stride step and turns its
// linear index into the offsets of x and y through the shape and the strides (0 on broadcast
// dims of y); blocks of 256 threads share nothing.
// adamw_step / sgd_step: Note [multi-tensor apply] (optim_kernels.h). Each block owns one chunk
// of one tensor at a time (grid-stride over the chunk table); its 256 threads take the chunk's
// elements begin + threadIdx.x + k·256, so consecutive threads touch consecutive addresses.
// The per-element formulas repeat the CPU kernels' operation by operation.
#include <cmath>
#include <cstring>

#include "core/tensor/factory.h"
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/optim_kernels.h"
#include "ops/cuda/tensor_args.h"
#include "ops/ops.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

using std::sqrt;

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void add_scaled_inplace_kernel(T* x, const T* y, StridedLayout layout, int64_t n,
                                          T alpha) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += step) {
    int64_t x_offset = 0, y_offset = 0, rest = e;
    for (int d = layout.ndim - 1; d >= 0; --d) {
      const int64_t coordinate = rest % layout.shape[d];
      rest /= layout.shape[d];
      x_offset += coordinate * layout.strides[0][d];
      y_offset += coordinate * layout.strides[1][d];
    }
    x[x_offset] = x[x_offset] + alpha * y[y_offset];
  }
}

template <typename T>
__global__ void adamw_step_kernel(const AdamWTensor<T>* __restrict__ tensors,
                                  const TensorChunk* __restrict__ chunks, int64_t num_chunks) {
  for (int64_t c = blockIdx.x; c < num_chunks; c += gridDim.x) {
    const AdamWTensor<T> s = tensors[chunks[c].tensor];
    const int64_t begin = chunks[c].begin;
    const int64_t end = begin + kChunkSize < s.numel ? begin + kChunkSize : s.numel;
    for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
      T p = s.param[i];
      if (s.decays) p = p * s.decay;  // p ← p·(1 − lr·wd)
      const T g = s.grad[i];
      const T m = s.exp_avg[i] + s.one_minus_beta1 * (g - s.exp_avg[i]);  // lerp(m, g, 1 − β1)
      const T v = s.exp_avg_sq[i] * s.beta2 + s.one_minus_beta2 * g * g;  // β2·v + (1 − β2)·g²
      const T denom = sqrt(v) / s.bias_correction2_sqrt + s.eps;
      s.param[i] = p + s.neg_step_size * m / denom;
      s.exp_avg[i] = m;
      s.exp_avg_sq[i] = v;
    }
  }
}

template <typename T>
__global__ void sgd_step_kernel(const SGDTensor<T>* __restrict__ tensors,
                                const TensorChunk* __restrict__ chunks, int64_t num_chunks) {
  for (int64_t c = blockIdx.x; c < num_chunks; c += gridDim.x) {
    const SGDTensor<T> s = tensors[chunks[c].tensor];
    const int64_t begin = chunks[c].begin;
    const int64_t end = begin + kChunkSize < s.numel ? begin + kChunkSize : s.numel;
    for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
      T d = s.grad[i];
      if (s.decays) d = d + s.weight_decay * s.param[i];  // L2: g ← g + wd·p
      if (s.momentum_buffer) {
        // b ← g on the first step, else b ← μ·b + (1 − dampening)·g
        const T b =
            s.first_step ? d : s.momentum_buffer[i] * s.momentum + s.one_minus_dampening * d;
        s.momentum_buffer[i] = b;
        d = s.nesterov ? d + s.momentum * b : b;
      }
      s.param[i] = s.param[i] + s.neg_lr * d;
    }
  }
}

}  // namespace

template <typename T>
void add_scaled_inplace(T* x, const T* y, const StridedLayout& layout, T alpha, Stream stream) {
  int64_t n = 1;
  for (int d = 0; d < layout.ndim; ++d) n *= layout.shape[d];
  if (n == 0) return;
  FFTUNE_LAUNCH(add_scaled_inplace_kernel<T>, grid_for(n, kThreads), kThreads, 0, stream, x, y,
                layout, n, alpha);
}

template <typename T>
void adamw_step(const AdamWTensor<T>* tensors, const TensorChunk* chunks, int64_t num_chunks,
                Stream stream) {
  if (num_chunks == 0) return;
  FFTUNE_LAUNCH(adamw_step_kernel<T>, grid_for(num_chunks, 1), kThreads, 0, stream, tensors, chunks,
                num_chunks);
}

template <typename T>
void sgd_step(const SGDTensor<T>* tensors, const TensorChunk* chunks, int64_t num_chunks,
              Stream stream) {
  if (num_chunks == 0) return;
  FFTUNE_LAUNCH(sgd_step_kernel<T>, grid_for(num_chunks, 1), kThreads, 0, stream, tensors, chunks,
                num_chunks);
}

template void add_scaled_inplace<float>(float*, const float*, const StridedLayout&, float, Stream);
template void add_scaled_inplace<double>(double*, const double*, const StridedLayout&, double,
                                         Stream);
template void add_scaled_inplace<int64_t>(int64_t*, const int64_t*, const StridedLayout&, int64_t,
                                          Stream);
template void adamw_step<float>(const AdamWTensor<float>*, const TensorChunk*, int64_t, Stream);
template void adamw_step<double>(const AdamWTensor<double>*, const TensorChunk*, int64_t, Stream);
template void sgd_step<float>(const SGDTensor<float>*, const TensorChunk*, int64_t, Stream);
template void sgd_step<double>(const SGDTensor<double>*, const TensorChunk*, int64_t, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

namespace {

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

void add_scaled_inplace(const Tensor& x, const Tensor& y, double alpha) {
  dispatch_real(x.dtype(), "add_", [&]<typename T>() {
    add_scaled_inplace<T>(mut<T>(x), ptr<T>(y), strided_layout(x, {y}), static_cast<T>(alpha),
                          stream());
  });
}

void adamw_multi_tensor_step(const std::vector<AdamWParamUpdate>& updates) {
  // One launch per dtype present (in practice one: every parameter is f32).
  for (DType dtype : {DType::f32, DType::f64}) {
    dispatch_float(dtype, "adamw_step_", [&]<typename T>() {
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
      adamw_step<T>(t.tensors, t.chunks, t.num_chunks, stream());
    });
  }
}

void sgd_multi_tensor_step(const std::vector<SGDParamUpdate>& updates) {
  for (DType dtype : {DType::f32, DType::f64}) {
    dispatch_float(dtype, "sgd_step_", [&]<typename T>() {
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
      sgd_step<T>(t.tensors, t.chunks, t.num_chunks, stream());
    });
  }
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
