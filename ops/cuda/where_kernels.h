// Host entry point of the where() CUDA kernel (ops/cuda/where_kernels.cu); device pointers.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// The iteration shape (out's) and the strides of out, cond, a and b read at it (operands 0..3;
// 0 along a broadcast dim).
struct WhereLayout {
  int ndim = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[4][kMaxDims] = {};
};

// out[i] = cond[i] != 0 ? a[i] : b[i]. T (out, a, b) and C (cond): float, double, int64_t.
template <typename T, typename C>
void where_forward(T* out, const C* cond, const T* a, const T* b, const WhereLayout& layout,
                   Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/where.cpp in a CUDA build (defined at the end of
// where_kernels.cu): each checks the dtype, takes the device pointers and queues the work on the
// device stream.
namespace fftune::cuda {

void where_forward(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);

}  // namespace fftune::cuda
