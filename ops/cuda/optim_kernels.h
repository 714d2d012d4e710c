// Host entry points of the optimizer CUDA kernels (ops/cuda/optim_kernels.cu): the in-place
// add_ behind optimizers and gradient accumulation, and the fused AdamW and SGD updates.
//
// Note [multi-tensor apply]
// An optimizer step updates every trainable tensor, often hundreds of small ones; one kernel
// launch per tensor would cost more in launches than in arithmetic. Instead the host splits
// every tensor into chunks of at most kChunkSize elements and copies two small tables to the
// device: one entry per tensor (its pointers, its size and its step's scalars) and one entry per
// chunk (which tensor, where the chunk begins). One launch then updates everything: each block
// owns one chunk at a time (grid-stride over chunks) and its threads update the chunk's
// elements. Every element is updated by exactly one thread, with the same formula as the CPU
// kernel (ops/cpu/optim_kernels.cpp), so no order or atomics are involved.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor/tensor.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// x += alpha·y over the layout (x: operand 0, y: operand 1, broadcast to x's shape).
// T: float, double, int64_t.
template <typename T>
void add_scaled_inplace(T* x, const T* y, const StridedLayout& layout, T alpha, Stream stream);

constexpr int64_t kChunkSize = 32768;  // elements per chunk: the work of one block

struct TensorChunk {
  int64_t tensor;  // the entry of the tensor table
  int64_t begin;   // the first element of the chunk; it ends kChunkSize later or at the end
};

// The chunks of tensors of the given sizes, in order (empty tensors have none).
inline std::vector<TensorChunk> split_into_chunks(const std::vector<int64_t>& numels) {
  std::vector<TensorChunk> chunks;
  for (size_t t = 0; t < numels.size(); ++t)
    for (int64_t begin = 0; begin < numels[t]; begin += kChunkSize)
      chunks.push_back({static_cast<int64_t>(t), begin});
  return chunks;
}

// One parameter of an AdamW step (ops/ops.h AdamWStepScalars, rounded to T as the CPU kernel
// rounds them).
template <typename T>
struct AdamWTensor {
  T* param;
  const T* grad;
  T* exp_avg;
  T* exp_avg_sq;
  int64_t numel;
  T decay;  // 1 − lr·wd
  T one_minus_beta1, beta2, one_minus_beta2;
  T neg_step_size;  // −lr / (1 − β1^t)
  T bias_correction2_sqrt;
  T eps;
  bool decays;  // decay != 1
};

// One parameter of an SGD step; momentum_buffer == nullptr when there is no momentum.
template <typename T>
struct SGDTensor {
  T* param;
  const T* grad;
  T* momentum_buffer;
  int64_t numel;
  T weight_decay, momentum, one_minus_dampening, neg_lr;
  bool decays, nesterov, first_step;
};

// The fused updates of every tensor of the tables (Note [multi-tensor apply]); `tensors` and
// `chunks` are in device memory, the chunks from split_into_chunks. T: float, double.
template <typename T>
void adamw_step(const AdamWTensor<T>* tensors, const TensorChunk* chunks, int64_t num_chunks,
                Stream stream);
template <typename T>
void sgd_step(const SGDTensor<T>* tensors, const TensorChunk* chunks, int64_t num_chunks,
              Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

namespace fftune {
struct AdamWParamUpdate;  // ops/ops.h
struct SGDParamUpdate;
}  // namespace fftune

// The tensor-facing entry points, called by ops/binary.cpp and ops/optim.cpp in a CUDA build
// (defined at the end of optim_kernels.cu): each checks the dtype, takes the device pointers and
// queues the work on the device stream.
namespace fftune::cuda {

// x += alpha·y, y broadcast to x's shape.
void add_scaled_inplace(const Tensor& x, const Tensor& y, double alpha);
// One fused launch per dtype over all the updates (Note [multi-tensor apply]); arguments
// already checked by the op (ops/optim.cpp).
void adamw_multi_tensor_step(const std::vector<AdamWParamUpdate>& updates);
void sgd_multi_tensor_step(const std::vector<SGDParamUpdate>& updates);

}  // namespace fftune::cuda
