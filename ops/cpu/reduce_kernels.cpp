#include "ops/cpu/reduce_kernels.h"

#include <algorithm>
#include <complex>
#include <vector>

#include "core/threading.h"
#include "ops/cpu/loops.h"

namespace fftune::cpu {
namespace {

// Sums accumulate in double precision (f32 inputs too): long rows stay accurate to f32 ulp.
template <typename T>
struct Acc {
  using type = double;
};
template <>
struct Acc<int64_t> {
  using type = int64_t;
};
template <>
struct Acc<c64_t> {
  using type = c128_t;
};
template <>
struct Acc<c128_t> {
  using type = c128_t;
};

template <typename T>
T from_acc(typename Acc<T>::type v) {
  if constexpr (std::is_same_v<T, c64_t>)
    return c64_t(static_cast<float>(v.real()), static_cast<float>(v.imag()));
  else
    return static_cast<T>(v);
}

template <typename T>
typename Acc<T>::type sum_span(const T* x, int64_t n) {
  using A = typename Acc<T>::type;
  A acc{};
  if constexpr (std::is_same_v<A, double>) {
#pragma omp simd reduction(+ : acc)
    for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(x[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) acc += A(x[i]);
  }
  return acc;
}

}  // namespace

void sum_rows(const Tensor& out, const Tensor& x, int64_t outer, int64_t inner) {
  dispatch_all(x.dtype(), "sum", [&]<typename T>() {
    using A = typename Acc<T>::type;
    const T* px = x.data<T>();
    T* po = out.data<T>();
    const int threads = num_threads();
    if (outer >= threads || outer * inner < kParallelGrain) {
#pragma omp parallel for schedule(static) if (outer * inner >= kParallelGrain) num_threads(threads)
      for (int64_t o = 0; o < outer; ++o) po[o] = from_acc<T>(sum_span(px + o * inner, inner));
      return;
    }
    // Few long rows (e.g. a full sum): split each row across the threads.
    for (int64_t o = 0; o < outer; ++o) {
      std::vector<A> partial(threads, A{});
      const int64_t chunk = (inner + threads - 1) / threads;
#pragma omp parallel for schedule(static) num_threads(threads)
      for (int t = 0; t < threads; ++t) {
        const int64_t begin = std::min<int64_t>(t * chunk, inner);
        const int64_t end = std::min<int64_t>(begin + chunk, inner);
        partial[t] = sum_span(px + o * inner + begin, end - begin);
      }
      A total{};
      for (const A& p : partial) total += p;
      po[o] = from_acc<T>(total);
    }
  });
}

void sum_columns(const Tensor& out, const Tensor& x, int64_t outer, int64_t inner) {
  dispatch_all(x.dtype(), "sum", [&]<typename T>() {
    using A = typename Acc<T>::type;
    const T* px = x.data<T>();
    T* po = out.data<T>();
    constexpr int64_t kBlock = 256;  // columns per task: their accumulators stay in L1
    const int64_t blocks = (inner + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (outer * inner >= kParallelGrain) \
    num_threads(num_threads())
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t j0 = b * kBlock, width = std::min(kBlock, inner - j0);
      A acc[kBlock] = {};
      for (int64_t o = 0; o < outer; ++o) {
        const T* row = px + o * inner + j0;
        for (int64_t j = 0; j < width; ++j) acc[j] += A(row[j]);
      }
      for (int64_t j = 0; j < width; ++j) po[j0 + j] = from_acc<T>(acc[j]);
    }
  });
}

}  // namespace fftune::cpu
