// The CUDA entry points of the ops (CUDA builds only): the same Tensor-level contracts as the CPU
// kernels in ops/cpu/*_kernels.h, so that an op file dispatches with one line
// (`else FFTUNE_CUDA_OR_NO_KERNEL(cuda::softmax_forward(...), name, device)`). Each one checks
// the dtype, takes raw device pointers and queues the hand-written kernel on the device stream.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor/tensor.h"
#include "ops/elementwise_math.h"
#include "ops/op_utils.h"

#if FFTUNE_WITH_CUDA
#define FFTUNE_CUDA_OR_NO_KERNEL(call, op, device) call
#else
#define FFTUNE_CUDA_OR_NO_KERNEL(call, op, device) no_kernel(op, device)
#endif

namespace fftune {
struct AdamWParamUpdate;
struct SGDParamUpdate;
}  // namespace fftune

namespace fftune::cuda {

void unary_forward(const Tensor& y, const Tensor& x, UnaryOp op, double p);
// dx, g, s: contiguous, the same shape.
void unary_backward(const Tensor& dx, const Tensor& g, const Tensor& s, UnaryOp op, double p);
void binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op);
// out (outer) = the sums of the rows of a contiguous x (outer, inner).
void sum_rows(const Tensor& out, const Tensor& x, int64_t outer, int64_t inner);
// Over n for contiguous (outer, n, inner) tensors; the kernels reduce the last dim, so inner > 1
// is moved last first.
void softmax_forward(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log);
void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t outer, int64_t n,
                      int64_t inner, bool log);
void layer_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t BT, int64_t C,
                        double eps);
void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias,
                         const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t BT, int64_t C);
// The CPU's Philox mask for the same (seed, stream): identical masks on both devices.
void dropout_apply(const Tensor& out, const Tensor& in, float p, double scale, uint64_t seed,
                   uint64_t stream);
// dst = src (same dtype and device, src broadcast to dst's shape, any strides).
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, double value);

// ---- Indexing, losses, max, where, in-place add and the optimizer updates ----------------------
// (ops/cuda/{index,sort,loss,max,where,optim}_kernels.cu.) The same contracts as the CPU kernels
// of the same names (ops/cpu/*_kernels.h). With deterministic_algorithms() on, the scatter-adds
// (embedding_backward, index_add, scatter_add) use no float atomics and repeat bit for bit
// (Note [sorted segmented reduction], ops/cuda/sort_kernels.h).

// out (M, C) = the rows `indices` (M) of weight (V, C).
void embedding_forward(const Tensor& out, const Tensor& weight, const Tensor& indices);
// dweight (V, C, zeros on entry) += g (M, C) at the rows `indices` (M).
void embedding_backward(const Tensor& dweight, const Tensor& g, const Tensor& indices);
void index_select_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim);
void index_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim);
void gather_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim);
void scatter_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim);
void cross_entropy_forward(const Tensor& loss, const Tensor& row_max, const Tensor& log_sum,
                           const Tensor& logits, const Tensor& target, int64_t ignore_index,
                           double smoothing);
void cross_entropy_backward(const Tensor& dlogits, const Tensor& grad, int64_t grad_stride,
                            double scale, const Tensor& logits, const Tensor& row_max,
                            const Tensor& log_sum, const Tensor& target, int64_t ignore_index,
                            double smoothing);
void max_forward(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
                 int64_t size, int64_t inner);
void where_forward(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
// x += alpha·y, y broadcast to x's shape.
void add_scaled_inplace(const Tensor& x, const Tensor& y, double alpha);
// One fused launch per dtype over all the updates (Note [multi-tensor apply],
// ops/cuda/optim_kernels.h); arguments already checked by the op (ops/optim.cpp).
void adamw_multi_tensor_step(const std::vector<AdamWParamUpdate>& updates);
void sgd_multi_tensor_step(const std::vector<SGDParamUpdate>& updates);

}  // namespace fftune::cuda
