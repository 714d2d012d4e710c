// The CUDA entry points of the ops (CUDA builds only): the same Tensor-level contracts as the CPU
// kernels in ops/cpu/*_kernels.h, so that an op file dispatches with one line
// (`else FFTUNE_CUDA_OR_NO_KERNEL(cuda::softmax_forward(...), name, device)`). Each one checks
// the dtype, takes raw device pointers and queues the hand-written kernel on the device stream.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/elementwise_math.h"
#include "ops/op_utils.h"

#if FFTUNE_WITH_CUDA
#define FFTUNE_CUDA_OR_NO_KERNEL(call, op, device) call
#else
#define FFTUNE_CUDA_OR_NO_KERNEL(call, op, device) no_kernel(op, device)
#endif

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
                        const Tensor& weight, const Tensor& bias, int64_t M, int64_t N, double eps);
void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias,
                         const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t M, int64_t N);
// The CPU's Philox mask for the same (seed, stream): identical masks on both devices.
void dropout_apply(const Tensor& out, const Tensor& in, float p, double scale, uint64_t seed,
                   uint64_t stream);
// dst = src (same dtype and device, src broadcast to dst's shape, any strides).
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, double value);

}  // namespace fftune::cuda
