// Indexing kernels: index_select / index_add over (outer, size, inner) views, gather /
// scatter_add over index's shape (GatherLayout).
//
// Every kernel is a grid-stride loop in blocks of 256 threads that share nothing; consecutive
// threads take consecutive positions of the innermost dim, so that they read and write
// consecutive addresses.
//   index_select_forward, gather_forward: each thread owns one output element.
//   index_add, atomic: each thread owns one source element and atomicAdds it into place.
//   index_add, sorted: each thread owns one (o, sorted position s, i); the threads at the first
//     position of a segment of equal indices sum the segment in order and write the destination
//     element (Note [sorted segmented reduction], sort_kernels.h); the others have nothing to do.
//   scatter_add, atomic: each thread owns one source element.
//   scatter_add, deterministic: each thread owns one line along dim (one (o, i) of index's
//     (outer, size, inner) view) and walks it in increasing position; the elements a line writes
//     share its o and i, so no other thread writes them.
#include "core/determinism.h"
#include "core/tensor/factory.h"
#include "ops/cuda/index_kernels.h"
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/sort_kernels.h"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void index_select_forward_kernel(T* __restrict__ out, const T* __restrict__ x,
                                            const int64_t* __restrict__ index, int64_t outer,
                                            int64_t S, int64_t N, int64_t inner) {
  const int64_t total = outer * N * inner;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += step) {
    const int64_t i = e % inner, j = (e / inner) % N, o = e / (inner * N);
    out[e] = x[(o * S + index[j]) * inner + i];
  }
}

template <typename T>
__global__ void index_add_atomic_kernel(T* __restrict__ out, const int64_t* __restrict__ index,
                                        const T* __restrict__ src, int64_t outer, int64_t S,
                                        int64_t N, int64_t inner) {
  const int64_t total = outer * N * inner;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += step) {
    const int64_t i = e % inner, j = (e / inner) % N, o = e / (inner * N);
    atomicAdd(&out[(o * S + index[j]) * inner + i], src[e]);
  }
}

template <typename T>
__global__ void index_add_sorted_kernel(T* __restrict__ out, const T* __restrict__ src,
                                        const int64_t* __restrict__ keys, int64_t outer, int64_t S,
                                        int64_t N, int64_t inner) {
  const int64_t total = outer * N * inner;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += step) {
    const int64_t i = e % inner, s = (e / inner) % N, o = e / (inner * N);
    const int64_t row = keys[s] / N;                // the destination index of this position
    if (s > 0 && keys[s - 1] / N == row) continue;  // not the first of its segment
    T* dst = &out[(o * S + row) * inner + i];
    T acc = *dst;
    for (int64_t t = s; t < N && keys[t] / N == row; ++t) {
      const int64_t j = keys[t] % N;  // increasing within the segment
      acc += src[(o * N + j) * inner + i];
    }
    *dst = acc;
  }
}

// The offsets in `self` (coordinate dim excluded) and in `other` of position p of index.
__device__ __forceinline__ void gather_offsets(const GatherLayout& layout, int64_t p, int64_t& self,
                                               int64_t& other) {
  self = 0;
  other = 0;
  for (int d = layout.ndim - 1; d >= 0; --d) {
    const int64_t c = p % layout.shape[d];
    p /= layout.shape[d];
    if (d != layout.dim) self += c * layout.self_strides[d];
    other += c * layout.other_strides[d];
  }
}

template <typename T>
__global__ void gather_forward_kernel(T* __restrict__ out, const T* __restrict__ x,
                                      const int64_t* __restrict__ index, GatherLayout layout,
                                      int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t p = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; p < n; p += step) {
    int64_t self, other;
    gather_offsets(layout, p, self, other);
    out[other] = x[self + index[p] * layout.self_strides[layout.dim]];
  }
}

template <typename T>
__global__ void scatter_add_atomic_kernel(T* __restrict__ out, const int64_t* __restrict__ index,
                                          const T* __restrict__ src, GatherLayout layout,
                                          int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t p = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; p < n; p += step) {
    int64_t self, other;
    gather_offsets(layout, p, self, other);
    atomicAdd(&out[self + index[p] * layout.self_strides[layout.dim]], src[other]);
  }
}

template <typename T>
__global__ void scatter_add_lines_kernel(T* __restrict__ out, const int64_t* __restrict__ index,
                                         const T* __restrict__ src, GatherLayout layout,
                                         int64_t lines, int64_t inner) {
  const int64_t size = layout.shape[layout.dim];
  const int64_t self_step = layout.self_strides[layout.dim];
  const int64_t other_step = layout.other_strides[layout.dim];
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < lines; t += step) {
    const int64_t o = t / inner, i = t % inner;
    const int64_t p0 = o * size * inner + i;  // the line's position at coordinate 0 along dim
    int64_t self, other;
    gather_offsets(layout, p0, self, other);
    for (int64_t j = 0; j < size; ++j)
      out[self + index[p0 + j * inner] * self_step] += src[other + j * other_step];
  }
}

}  // namespace

template <typename T>
void index_select_forward(T* out, const T* x, const int64_t* index, int64_t outer, int64_t S,
                          int64_t N, int64_t inner, Stream stream) {
  const int64_t total = outer * N * inner;
  if (total == 0) return;
  FFTUNE_LAUNCH(index_select_forward_kernel<T>, grid_for(total, kThreads), kThreads, 0, stream, out,
                x, index, outer, S, N, inner);
}

template <typename T>
void index_add(T* out, const int64_t* index, const T* src, const int64_t* sorted_keys,
               int64_t outer, int64_t S, int64_t N, int64_t inner, Stream stream) {
  const int64_t total = outer * N * inner;
  if (total == 0) return;
  if (sorted_keys)
    FFTUNE_LAUNCH(index_add_sorted_kernel<T>, grid_for(total, kThreads), kThreads, 0, stream, out,
                  src, sorted_keys, outer, S, N, inner);
  else
    FFTUNE_LAUNCH(index_add_atomic_kernel<T>, grid_for(total, kThreads), kThreads, 0, stream, out,
                  index, src, outer, S, N, inner);
}

template <typename T>
void gather_forward(T* out, const T* x, const int64_t* index, const GatherLayout& layout,
                    Stream stream) {
  int64_t n = 1;
  for (int d = 0; d < layout.ndim; ++d) n *= layout.shape[d];
  if (n == 0) return;
  FFTUNE_LAUNCH(gather_forward_kernel<T>, grid_for(n, kThreads), kThreads, 0, stream, out, x, index,
                layout, n);
}

template <typename T>
void scatter_add(T* out, const int64_t* index, const T* src, const GatherLayout& layout,
                 bool deterministic, Stream stream) {
  int64_t n = 1, inner = 1;
  for (int d = 0; d < layout.ndim; ++d) {
    n *= layout.shape[d];
    if (d > layout.dim) inner *= layout.shape[d];
  }
  if (n == 0) return;
  if (deterministic) {
    const int64_t lines = n / layout.shape[layout.dim];
    FFTUNE_LAUNCH(scatter_add_lines_kernel<T>, grid_for(lines, kThreads), kThreads, 0, stream, out,
                  index, src, layout, lines, inner);
  } else {
    FFTUNE_LAUNCH(scatter_add_atomic_kernel<T>, grid_for(n, kThreads), kThreads, 0, stream, out,
                  index, src, layout, n);
  }
}

template void index_select_forward<float>(float*, const float*, const int64_t*, int64_t, int64_t,
                                          int64_t, int64_t, Stream);
template void index_select_forward<double>(double*, const double*, const int64_t*, int64_t, int64_t,
                                           int64_t, int64_t, Stream);
template void index_select_forward<int64_t>(int64_t*, const int64_t*, const int64_t*, int64_t,
                                            int64_t, int64_t, int64_t, Stream);
template void gather_forward<float>(float*, const float*, const int64_t*, const GatherLayout&,
                                    Stream);
template void gather_forward<double>(double*, const double*, const int64_t*, const GatherLayout&,
                                     Stream);
template void gather_forward<int64_t>(int64_t*, const int64_t*, const int64_t*, const GatherLayout&,
                                      Stream);
template void index_add<float>(float*, const int64_t*, const float*, const int64_t*, int64_t,
                               int64_t, int64_t, int64_t, Stream);
template void index_add<double>(double*, const int64_t*, const double*, const int64_t*, int64_t,
                                int64_t, int64_t, int64_t, Stream);
template void scatter_add<float>(float*, const int64_t*, const float*, const GatherLayout&, bool,
                                 Stream);
template void scatter_add<double>(double*, const int64_t*, const double*, const GatherLayout&, bool,
                                  Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

namespace {

// The (outer, size, inner) view of a shape around `dim`.
struct Around {
  int64_t outer = 1, size = 1, inner = 1;
};

Around around(const Shape& shape, int64_t dim) {
  Around a;
  a.size = shape[dim];
  for (int64_t d = 0; d < dim; ++d) a.outer *= shape[d];
  for (int64_t d = dim + 1; d < static_cast<int64_t>(shape.size()); ++d) a.inner *= shape[d];
  return a;
}

// The keys of a deterministic scatter-add over `index` (n values in [0, size)): Note [sorted
// segmented reduction]. Undefined (the atomic kernels run) unless deterministic mode is on.
Tensor sorted_keys_if_deterministic(const Tensor& index, int64_t size, const char* op) {
  if (!deterministic_algorithms()) return Tensor();
  const int64_t n = index.numel();
  FFTUNE_CHECK(n == 0 || size <= INT64_MAX / n, op, ": ", n, " indices into a dim of size ", size,
               " are too many for the deterministic sort's 64-bit keys");
  Tensor keys = empty({sorted_keys_length(n)}, DType::i64, index.device());
  sort_index_keys(mut<int64_t>(keys), ptr<int64_t>(index), n, stream());
  return keys;
}

GatherLayout gather_layout(const Tensor& index, int64_t dim, const Tensor& self,
                           const Tensor& other) {
  FFTUNE_CHECK(index.dim() <= kMaxDims, "CUDA gather/scatter: at most ", kMaxDims, " dims, got ",
               index.dim());
  GatherLayout layout;
  layout.ndim = static_cast<int>(index.dim());
  layout.dim = static_cast<int>(dim);
  for (int d = 0; d < layout.ndim; ++d) {
    layout.shape[d] = index.size(d);
    layout.self_strides[d] = self.stride(d);
    layout.other_strides[d] = other.stride(d);
  }
  return layout;
}

}  // namespace

void embedding_forward(const Tensor& out, const Tensor& weight, const Tensor& indices) {
  index_select_forward(out, weight, indices, 0);
}

void embedding_backward(const Tensor& dweight, const Tensor& g, const Tensor& indices) {
  index_add(dweight, indices, g, 0);
}

void index_select_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim) {
  const Around a = around(x.shape(), dim);
  dispatch_real(x.dtype(), "index_select", [&]<typename T>() {
    index_select_forward<T>(mut<T>(out), ptr<T>(x), ptr<int64_t>(index), a.outer, a.size,
                            index.numel(), a.inner, stream());
  });
}

void index_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim) {
  const Around a = around(out.shape(), dim);
  const Tensor sc = src.contiguous();
  const Tensor keys = sorted_keys_if_deterministic(index, a.size, "index_add");
  dispatch_float(out.dtype(), "index_add", [&]<typename T>() {
    index_add<T>(mut<T>(out), ptr<int64_t>(index), ptr<T>(sc), ptr<int64_t>(keys), a.outer, a.size,
                 index.numel(), a.inner, stream());
  });
}

void gather_forward(const Tensor& out, const Tensor& x, const Tensor& index, int64_t dim) {
  const GatherLayout layout = gather_layout(index, dim, x, out);
  dispatch_real(x.dtype(), "gather", [&]<typename T>() {
    gather_forward<T>(mut<T>(out), ptr<T>(x), ptr<int64_t>(index), layout, stream());
  });
}

void scatter_add(const Tensor& out, const Tensor& index, const Tensor& src, int64_t dim) {
  const GatherLayout layout = gather_layout(index, dim, out, src);
  dispatch_float(out.dtype(), "scatter_add", [&]<typename T>() {
    scatter_add<T>(mut<T>(out), ptr<int64_t>(index), ptr<T>(src), layout,
                   deterministic_algorithms(), stream());
  });
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
