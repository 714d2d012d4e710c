// CPU kernels of the indexing ops: index_select and its backward index_add, gather and
// scatter_add (the backward of each other).
//
// Every kernel views its tensors as (outer, size, inner) around the indexed dim `dim`: outer is
// the product of the sizes before dim, inner of those after. Indices must already be in range
// (check_index_range); the kernels do not check them again.
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"

namespace fftune::cpu {

// Throws, naming `op`, the first index value outside [0, size) and the dim size.
// index: i64, contiguous.
void check_index_range(const Tensor& index, int64_t size, int64_t dim, const char* op);

// out[o, j, i] = x[o, index[j], i].
// out (outer, N, inner) contiguous; x (outer, S, inner) contiguous; index (N) contiguous.
void index_select_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim);

// out[o, index[j], i] += src[o, j, i] for every j (PyTorch's index_add_).
// out (outer, S, inner) contiguous; src (outer, N, inner) contiguous; index (N) contiguous.
// Deterministic: each destination row adds its sources in increasing j, on one thread.
void index_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim);

// out[p] = x[p with coordinate dim replaced by index[p]] for every position p of index.
// out contiguous of index's shape; x any strides (sizes ≥ index's off dim); index contiguous.
void gather_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim);

// out[p with coordinate dim replaced by index[p]] += src[p] for every position p of index.
// out contiguous (sizes ≥ index's off dim); src any strides (sizes ≥ index's); index
// contiguous. Deterministic: each element of out receives its terms in increasing index
// position along dim, on one thread.
void scatter_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim);

}  // namespace fftune::cpu
