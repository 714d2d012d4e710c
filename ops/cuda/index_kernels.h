// Host entry points of the indexing CUDA kernels (ops/cuda/index_kernels.cu): index_select and
// its backward index_add (also embedding's forward and backward), gather and scatter_add (the
// backward of each other, and of max). Device pointers; every index already checked to be in
// range. The same contracts as the CPU kernels in ops/cpu/index_kernels.h.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/elementwise_kernels.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// out (outer, N, inner) = x (outer, S, inner) at the rows index (N): out[o, j, i] =
// x[o, index[j], i]. All contiguous. T: float, double, int64_t.
template <typename T>
void index_select_forward(T* out, const T* x, const int64_t* index, int64_t outer, int64_t S,
                          int64_t N, int64_t inner, Stream stream);

// out[o, index[j], i] += src[o, j, i] for every j; out (outer, S, inner), src (outer, N, inner),
// both contiguous. With sorted_keys == nullptr one atomicAdd per element (fast; the order of
// the terms, and so the rounding, varies between runs). With sorted_keys = the output of
// sort_index_keys(index, N), deterministic: Note [sorted segmented reduction]. T: float, double.
template <typename T>
void index_add(T* out, const int64_t* index, const T* src, const int64_t* sorted_keys,
               int64_t outer, int64_t S, int64_t N, int64_t inner, Stream stream);

// The geometry of a gather or scatter_add: the iteration space is index's shape; `self` is the
// tensor read (gather's x) or written (scatter_add's out) at coordinate `dim` = index[p], with
// its own strides (its sizes off dim may exceed index's); `other` is the tensor at the same
// position p (gather's out, scatter_add's src), with its strides.
struct GatherLayout {
  int ndim = 0;
  int dim = 0;
  int64_t shape[kMaxDims] = {};  // index's shape
  int64_t self_strides[kMaxDims] = {};
  int64_t other_strides[kMaxDims] = {};
};

// out[p] = x[p with coordinate dim replaced by index[p]] for every position p of index
// (x: self, out: other). index contiguous. T: float, double, int64_t.
template <typename T>
void gather_forward(T* out, const T* x, const int64_t* index, const GatherLayout& layout,
                    Stream stream);

// out[p with coordinate dim replaced by index[p]] += src[p] for every position p of index
// (out: self, src: other). index contiguous. With deterministic == false one atomicAdd per
// element; with true, one thread per line along dim adds its terms in increasing position
// along dim (race-free: the line owns every element it writes), bit-identical to the CPU.
// T: float, double.
template <typename T>
void scatter_add(T* out, const int64_t* index, const T* src, const GatherLayout& layout,
                 bool deterministic, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/index.cpp, ops/embedding.cpp and ops/max.cpp in a
// CUDA build (defined at the end of index_kernels.cu): each checks the dtype, takes the device
// pointers and queues the work on the device stream.
namespace fftune::cuda {

// With deterministic_algorithms() on, the scatter-adds (embedding_backward, index_add,
// scatter_add) use no float atomics and repeat bit for bit (Note [sorted segmented reduction],
// ops/cuda/sort_kernels.h).

// out (M, C) = the rows `indices` (M) of weight (V, C).
void embedding_forward(const Tensor& out, const Tensor& weight, const Tensor& indices);
// dweight (V, C, zeros on entry) += g (M, C) at the rows `indices` (M).
void embedding_backward(const Tensor& dweight, const Tensor& g, const Tensor& indices);
void index_select_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim);
void index_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim);
void gather_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim);
void scatter_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim);

}  // namespace fftune::cuda
