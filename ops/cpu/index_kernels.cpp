#include "ops/cpu/index_kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ops/cpu/loops.h"

namespace fftune::cpu {
namespace {

// Columns of `inner` one scatter task owns: enough work per task, accumulators stay in cache.
constexpr int64_t kInnerBlock = 256;

struct Around {
  int64_t outer, size, inner;  // products of the sizes before, at and after the dim
};

Around around(const Shape& shape, int64_t dim) {
  Around a{1, shape[dim], 1};
  for (int64_t d = 0; d < dim; ++d) a.outer *= shape[d];
  for (int64_t d = dim + 1; d < static_cast<int64_t>(shape.size()); ++d) a.inner *= shape[d];
  return a;
}

// Element offsets, in row-major order, of every position of the dims [begin, end) of `sizes`
// read through `strides`. Lets a kernel address a strided tensor with one table lookup for
// the dims before the indexed one and one for the dims after it.
std::vector<int64_t> dim_offsets(const Shape& sizes, const Shape& strides, int64_t begin,
                                 int64_t end) {
  std::vector<int64_t> off{0};
  for (int64_t d = begin; d < end; ++d) {
    std::vector<int64_t> next;
    next.reserve(off.size() * sizes[d]);
    for (int64_t base : off)
      for (int64_t i = 0; i < sizes[d]; ++i) next.push_back(base + i * strides[d]);
    off.swap(next);
  }
  return off;
}

}  // namespace

void check_index_range(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  const int64_t* idx = index.data<int64_t>();
  const int64_t n = index.numel();
  // One branch-free pass (a negative index is a huge unsigned one); the slow search for the
  // first bad value only runs when there is one.
  bool bad = false;
#pragma omp parallel for simd reduction(| : bad) if (n >= kParallelGrain) num_threads(num_threads())
  for (int64_t i = 0; i < n; ++i)
    bad |= static_cast<uint64_t>(idx[i]) >= static_cast<uint64_t>(size);
  if (!bad) return;
  for (int64_t i = 0; i < n; ++i)
    FFTUNE_CHECK(idx[i] >= 0 && idx[i] < size, op, ": index ", idx[i], " is out of range for dim ",
                 dim, " of size ", size);
}

void index_select_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim) {
  if (out.numel() == 0) return;
  const Around a = around(x.shape(), dim);
  const int64_t n = index.numel();
  const int64_t* idx = index.data<int64_t>();
  const size_t row_bytes = static_cast<size_t>(a.inner) * dtype_size(x.dtype());
  const char* px = static_cast<const char*>(x.raw_data());
  char* po = static_cast<char*>(out.raw_data());
  const int64_t rows = a.outer * n;
#pragma omp parallel for schedule(static) if (rows * a.inner >= kParallelGrain) \
    num_threads(num_threads())
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t o = r / n, j = r % n;
    std::memcpy(po + r * row_bytes, px + (o * a.size + idx[j]) * row_bytes, row_bytes);
  }
}

void index_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim) {
  const Around a = around(out.shape(), dim);
  const int64_t n = index.numel();
  const int64_t* idx = index.data<int64_t>();
  // Group the source rows by destination (a stable counting sort, so j stays increasing within
  // a group): sources_of(r) = order[start[r] .. start[r+1]).
  std::vector<int64_t> start(a.size + 1, 0), order(n);
  for (int64_t j = 0; j < n; ++j) ++start[idx[j] + 1];
  for (int64_t r = 0; r < a.size; ++r) start[r + 1] += start[r];
  {
    std::vector<int64_t> fill(start.begin(), start.end() - 1);
    for (int64_t j = 0; j < n; ++j) order[fill[idx[j]]++] = j;
  }
  dispatch_all(out.dtype(), "index_add", [&]<typename T>() {
    T* po = out.data<T>();
    const T* ps = src.data<T>();
    const int64_t rows = a.outer * a.size;  // destination rows: each is owned by one thread
#pragma omp parallel for schedule(static) if (a.outer * n * a.inner >= kParallelGrain) \
    num_threads(num_threads())
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t o = r / a.size, dst = r % a.size;
      T* orow = po + r * a.inner;
      for (int64_t s = start[dst]; s < start[dst + 1]; ++s) {
        const T* srow = ps + (o * n + order[s]) * a.inner;
        for (int64_t i = 0; i < a.inner; ++i) orow[i] += srow[i];
      }
    }
  });
}

void gather_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim) {
  const Shape& shape = index.shape();
  const int64_t ndim = index.dim();
  const Around a = around(shape, dim);
  const std::vector<int64_t> x_outer = dim_offsets(shape, x.strides(), 0, dim);
  const std::vector<int64_t> x_inner = dim_offsets(shape, x.strides(), dim + 1, ndim);
  const int64_t x_step = x.stride(dim);
  const int64_t* idx = index.data<int64_t>();
  dispatch_all(x.dtype(), "gather", [&]<typename T>() {
    T* po = out.data<T>();
    const T* px = x.data<T>();
    if (a.inner == 1) {
      // dim is the innermost indexed dim: each (o, j) reads one element. Threads take
      // blocks of j, so no index arithmetic is repeated per element.
      const int64_t blocks = (a.size + kInnerBlock - 1) / kInnerBlock;
#pragma omp parallel for schedule(static) if (a.outer * a.size >= kParallelGrain) \
    num_threads(num_threads())
      for (int64_t t = 0; t < a.outer * blocks; ++t) {
        const int64_t o = t / blocks, j0 = (t % blocks) * kInnerBlock;
        const int64_t j1 = std::min(j0 + kInnerBlock, a.size);
        const T* xrow = px + x_outer[o] + x_inner[0];
        for (int64_t j = j0; j < j1; ++j) po[o * a.size + j] = xrow[idx[o * a.size + j] * x_step];
      }
      return;
    }
    // Threads split the (o, j) rows; each row reads `inner` elements.
#pragma omp parallel for collapse(2) \
    schedule(static) if (a.outer * a.size * a.inner >= kParallelGrain) num_threads(num_threads())
    for (int64_t o = 0; o < a.outer; ++o) {
      for (int64_t j = 0; j < a.size; ++j) {
        const T* xrow = px + x_outer[o];
        const int64_t r = o * a.size + j;
        const int64_t* irow = idx + r * a.inner;
        T* orow = po + r * a.inner;
        for (int64_t i = 0; i < a.inner; ++i) orow[i] = xrow[irow[i] * x_step + x_inner[i]];
      }
    }
  });
}

void scatter_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim) {
  const Shape& shape = index.shape();
  const int64_t ndim = index.dim();
  const Around a = around(shape, dim);
  const std::vector<int64_t> out_outer = dim_offsets(shape, out.strides(), 0, dim);
  const std::vector<int64_t> out_inner = dim_offsets(shape, out.strides(), dim + 1, ndim);
  const std::vector<int64_t> src_outer = dim_offsets(shape, src.strides(), 0, dim);
  const std::vector<int64_t> src_inner = dim_offsets(shape, src.strides(), dim + 1, ndim);
  const int64_t out_step = out.stride(dim), src_step = src.stride(dim);
  const int64_t* idx = index.data<int64_t>();
  // Race-free without atomics: the element of out that position (o, j, i) of index targets has
  // the same outer and inner coordinates (o, i), so a task that owns a set of (o, i) owns every
  // element they write. Tasks are (o, block of i); each walks j in increasing order.
  const int64_t blocks = (a.inner + kInnerBlock - 1) / kInnerBlock;
  const int64_t tasks = a.outer * blocks;
  dispatch_all(out.dtype(), "scatter_add", [&]<typename T>() {
    T* po = out.data<T>();
    const T* ps = src.data<T>();
#pragma omp parallel for schedule(static) if (index.numel() >= kParallelGrain && tasks > 1) \
    num_threads(num_threads())
    for (int64_t t = 0; t < tasks; ++t) {
      const int64_t o = t / blocks, i0 = (t % blocks) * kInnerBlock;
      const int64_t i1 = std::min(i0 + kInnerBlock, a.inner);
      T* obase = po + out_outer[o];
      const T* sbase = ps + src_outer[o];
      for (int64_t j = 0; j < a.size; ++j) {
        const int64_t* irow = idx + (o * a.size + j) * a.inner;
        const T* srow = sbase + j * src_step;
        for (int64_t i = i0; i < i1; ++i)
          obase[irow[i] * out_step + out_inner[i]] += srow[src_inner[i]];
      }
    }
  });
}

}  // namespace fftune::cpu
