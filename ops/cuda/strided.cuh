// Index math for kernels that walk a StridedLayout (ops/cuda/elementwise_kernels.h): one linear
// index over the layout's shape, turned into an element offset per operand. Shared by the
// elementwise and the complex kernels. Include after ops/cuda/launch.h.
#pragma once

#include <cstdint>

#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/launch.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// Element offsets of the linear index i (row-major over layout.shape) for operands 0..K-1.
template <int K>
__device__ __forceinline__ void strided_offsets(const StridedLayout& layout, int64_t i,
                                                int64_t (&offset)[K]) {
  for (int k = 0; k < K; ++k) offset[k] = 0;
  for (int d = layout.ndim - 1; d >= 0; --d) {
    const int64_t size = layout.shape[d];
    const int64_t coordinate = i % size;
    i /= size;
    for (int k = 0; k < K; ++k) offset[k] += coordinate * layout.strides[k][d];
  }
}

inline int64_t numel(const StridedLayout& layout) {
  int64_t n = 1;
  for (int d = 0; d < layout.ndim; ++d) n *= layout.shape[d];
  return n;
}

// True when operands 0..operands-1 are all row-major contiguous over the layout's shape.
inline bool all_contiguous(const StridedLayout& layout, int operands) {
  for (int k = 0; k < operands; ++k) {
    int64_t expected = 1;
    for (int d = layout.ndim - 1; d >= 0; --d) {
      if (layout.shape[d] != 1 && layout.strides[k][d] != expected) return false;
      expected *= layout.shape[d];
    }
  }
  return true;
}

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
