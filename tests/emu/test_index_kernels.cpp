// ops/cuda/index_kernels.cu under emulation, against the CPU kernels (ops/cpu/index_kernels.h):
// index_select and index_add (atomic, and sorted: bit-identical to the CPU), gather from a
// strided x and scatter_add (atomic, and deterministic by lines: bit-identical), at awkward
// sizes, with repeated indices and NaN-poisoned outputs.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "ops/cpu/index_kernels.h"
#include "ops/cuda/index_kernels.h"
#include "ops/cuda/sort_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_indices;
using testing::random_tensor;

struct Geometry {
  int64_t outer, S, N, inner;
};

const std::vector<Geometry> kGeometries = {{1, 1, 1, 1},     {1, 5, 40, 1},   {3, 7, 11, 5},
                                           {2, 300, 257, 1}, {1, 9, 300, 33}, {4, 2, 3, 700}};

template <typename T>
void check_index_select(const Geometry& g, DType dtype) {
  SCOPED_TRACE(::testing::Message() << "outer=" << g.outer << " S=" << g.S << " N=" << g.N
                                    << " inner=" << g.inner << " " << dtype);
  const Tensor x = random_tensor({g.outer, g.S, g.inner}, DType::f64, 1, false).to(dtype);
  const Tensor index = random_indices({g.N}, g.S, 2);
  Tensor expected = empty({g.outer, g.N, g.inner}, dtype);
  cpu::index_select_forward(expected, x, index, 1);
  Tensor out = dtype == DType::i64 ? full({g.outer, g.N, g.inner}, -7.0, dtype)
                                   : nan_tensor({g.outer, g.N, g.inner}, dtype);
  cuda::index_select_forward<T>(out.data<T>(), x.data<T>(), index.data<int64_t>(), g.outer, g.S,
                                g.N, g.inner, nullptr);
  EXPECT_ALL_CLOSE(out, expected, 0.0, 0.0);
}

TEST(IndexKernels, IndexSelectMatchesCpu) {
  for (const Geometry& g : kGeometries) {
    check_index_select<float>(g, DType::f32);
    check_index_select<double>(g, DType::f64);
    check_index_select<int64_t>(g, DType::i64);
  }
}

template <typename T>
void check_index_add(const Geometry& g, DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message() << "outer=" << g.outer << " S=" << g.S << " N=" << g.N
                                    << " inner=" << g.inner << " " << dtype);
  const Tensor src = random_tensor({g.outer, g.N, g.inner}, dtype, 3, false);
  const Tensor index = random_indices({g.N}, g.S, 4);
  const Tensor start = random_tensor({g.outer, g.S, g.inner}, dtype, 5, false);
  Tensor expected = start.clone();
  cpu::index_add(expected, index, src, 1);

  Tensor atomic = start.clone();
  cuda::index_add<T>(atomic.data<T>(), index.data<int64_t>(), src.data<T>(), nullptr, g.outer, g.S,
                     g.N, g.inner, nullptr);
  EXPECT_ALL_CLOSE(atomic, expected, tol, tol);

  std::vector<int64_t> keys(cuda::sorted_keys_length(g.N));
  cuda::sort_index_keys(keys.data(), index.data<int64_t>(), g.N, nullptr);
  Tensor sorted = start.clone();
  cuda::index_add<T>(sorted.data<T>(), index.data<int64_t>(), src.data<T>(), keys.data(), g.outer,
                     g.S, g.N, g.inner, nullptr);
  EXPECT_ALL_CLOSE(sorted, expected, 0.0, 0.0);  // the same terms in the same order
}

TEST(IndexKernels, IndexAddMatchesCpuAndTheSortedPathIsBitIdentical) {
  for (const Geometry& g : kGeometries) {
    check_index_add<float>(g, DType::f32, 1e-5);
    check_index_add<double>(g, DType::f64, 1e-12);
  }
}

// The layout of a gather or scatter_add (the entry point in ops/cuda/index_kernels.cu builds the
// same).
cuda::GatherLayout gather_layout(const Tensor& index, int64_t dim, const Tensor& self,
                                 const Tensor& other) {
  cuda::GatherLayout layout;
  layout.ndim = static_cast<int>(index.dim());
  layout.dim = static_cast<int>(dim);
  for (int d = 0; d < layout.ndim; ++d) {
    layout.shape[d] = index.size(d);
    layout.self_strides[d] = self.stride(d);
    layout.other_strides[d] = other.stride(d);
  }
  return layout;
}

struct GatherCase {
  Shape x_shape;      // the tensor indexed along dim (as contiguous storage)
  Shape index_shape;  // ≤ x_shape off dim
  int64_t dim;
  bool transpose;  // read x through transpose(0, last): a strided x
};

const std::vector<GatherCase> kGatherCases = {
    {{1}, {1}, 0, false},
    {{5, 7}, {5, 300}, 1, false},       // many repeats along dim
    {{9, 4, 6}, {7, 33, 5}, 1, false},  // index smaller than x off dim
    {{6, 4, 9}, {5, 4, 9}, 2, true},    // strided x
    {{300, 3}, {257, 2}, 0, false},     // dim 0, long
    {{2, 3, 2, 3}, {2, 3, 5, 3}, 2, true},
};

template <typename T>
void check_gather(const GatherCase& c, DType dtype) {
  SCOPED_TRACE(::testing::Message() << "x " << testing::shape_string(c.x_shape) << " index "
                                    << testing::shape_string(c.index_shape) << " dim " << c.dim
                                    << (c.transpose ? " strided" : "") << " " << dtype);
  Tensor x = random_tensor(c.x_shape, DType::f64, 6, false).to(dtype);
  if (c.transpose) x = x.transpose(0, x.dim() - 1);
  // index's shape is given for the (possibly transposed) x: clamp to x's sizes off dim.
  Shape index_shape = c.index_shape;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != c.dim && index_shape[d] > x.size(d)) index_shape[d] = x.size(d);
  const Tensor index = random_indices(index_shape, x.size(c.dim), 7);
  Tensor expected = empty(index_shape, dtype);
  cpu::gather_forward(expected, x, index, c.dim);
  Tensor out =
      dtype == DType::i64 ? full(index_shape, -7.0, dtype) : nan_tensor(index_shape, dtype);
  cuda::gather_forward<T>(out.data<T>(), x.data<T>(), index.data<int64_t>(),
                          gather_layout(index, c.dim, x, out), nullptr);
  EXPECT_ALL_CLOSE(out, expected, 0.0, 0.0);
}

TEST(IndexKernels, GatherMatchesCpu) {
  for (const GatherCase& c : kGatherCases) {
    check_gather<float>(c, DType::f32);
    check_gather<double>(c, DType::f64);
    check_gather<int64_t>(c, DType::i64);
  }
}

template <typename T>
void check_scatter_add(const GatherCase& c, DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message() << "out " << testing::shape_string(c.x_shape) << " index "
                                    << testing::shape_string(c.index_shape) << " dim " << c.dim
                                    << (c.transpose ? " strided src" : "") << " " << dtype);
  const Tensor start = random_tensor(c.x_shape, dtype, 8, false);
  Shape index_shape = c.index_shape;
  for (int64_t d = 0; d < start.dim(); ++d)
    if (d != c.dim && index_shape[d] > start.size(d)) index_shape[d] = start.size(d);
  const Tensor index = random_indices(index_shape, start.size(c.dim), 9);
  // src: index's shape, or (transpose) a strided view of a larger buffer.
  Tensor src = random_tensor(index_shape, dtype, 10, false);
  if (c.transpose) {
    Shape flipped = index_shape;
    std::swap(flipped[0], flipped.back());
    flipped[0] += 1;  // larger than index: its extra elements are never read
    src = random_tensor(flipped, dtype, 10, false).transpose(0, flipped.size() - 1);
  }
  Tensor expected = start.clone();
  cpu::scatter_add(expected, index, src, c.dim);
  for (bool deterministic : {false, true}) {
    Tensor out = start.clone();
    cuda::scatter_add<T>(out.data<T>(), index.data<int64_t>(), src.data<T>(),
                         gather_layout(index, c.dim, out, src), deterministic, nullptr);
    // Deterministic: the CPU's terms in the CPU's order, so the same bits.
    const double t = deterministic ? 0.0 : tol;
    EXPECT_ALL_CLOSE(out, expected, t, t) << (deterministic ? "deterministic" : "atomic");
  }
}

TEST(IndexKernels, ScatterAddMatchesCpuAndTheDeterministicPathIsBitIdentical) {
  for (const GatherCase& c : kGatherCases) {
    check_scatter_add<float>(c, DType::f32, 1e-5);
    check_scatter_add<double>(c, DType::f64, 1e-12);
  }
}

}  // namespace
}  // namespace fftune
