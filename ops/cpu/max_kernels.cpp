#include "ops/cpu/max_kernels.h"

#include <algorithm>
#include <vector>

#include "ops/cpu/loops.h"

namespace fftune::cpu {
namespace {

constexpr int64_t kInnerBlock = 256;  // columns per task: their running maxima stay in L1

// True when v replaces the current maximum `best`: strictly larger (so the first maximum wins
// ties), or the first NaN (NaN propagates). For integers the NaN tests are always false.
template <typename T>
inline bool beats(T v, T best) {
  return v > best || (v != v && best == best);
}

// The maximum of x[0], x[step], ..., x[(n-1)·step] and its first position.
template <typename T>
void max_strided(const T* x, int64_t n, int64_t step, T& best, int64_t& at) {
  best = x[0];
  at = 0;
  for (int64_t j = 1; j < n; ++j)
    if (beats(x[j * step], best)) {
      best = x[j * step];
      at = j;
    }
}

}  // namespace

void max_forward(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t outer,
                 int64_t size, int64_t inner) {
  dispatch_real(x.dtype(), "max", [&]<typename T>() {
    const T* px = x.data<T>();
    T* pv = values.data<T>();
    int64_t* pi = indices.data<int64_t>();
    const int threads = num_threads();
    const bool big = outer * size * inner >= kParallelGrain;

    if (inner == 1 && outer < threads && big) {
      // Few long rows (e.g. a max over all elements): split each row into one chunk per
      // thread, then combine the chunk maxima in order, so the first maximum still wins.
      const int64_t chunk = (size + threads - 1) / threads;
      for (int64_t o = 0; o < outer; ++o) {
        std::vector<T> best(threads);
        std::vector<int64_t> at(threads, -1);
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int t = 0; t < threads; ++t) {
          const int64_t begin = std::min<int64_t>(t * chunk, size);
          const int64_t end = std::min<int64_t>(begin + chunk, size);
          if (begin == end) continue;
          max_strided(px + o * size + begin, end - begin, 1, best[t], at[t]);
          at[t] += begin;
        }
        T v = best[0];
        int64_t a = at[0];
        for (int t = 1; t < threads; ++t)
          if (at[t] >= 0 && beats(best[t], v)) {
            v = best[t];
            a = at[t];
          }
        pv[o] = v;
        pi[o] = a;
      }
      return;
    }

    // Tasks are (o, block of columns i); each walks j once over its block.
    const int64_t blocks = (inner + kInnerBlock - 1) / kInnerBlock;
#pragma omp parallel for schedule(static) if (big && outer * blocks > 1) num_threads(threads)
    for (int64_t t = 0; t < outer * blocks; ++t) {
      const int64_t o = t / blocks, i0 = (t % blocks) * kInnerBlock;
      const int64_t width = std::min(kInnerBlock, inner - i0);
      const T* base = px + o * size * inner + i0;
      T* v = pv + o * inner + i0;
      int64_t* at = pi + o * inner + i0;
      if (width == 1) {
        max_strided(base, size, inner, v[0], at[0]);
        continue;
      }
      for (int64_t i = 0; i < width; ++i) {
        v[i] = base[i];
        at[i] = 0;
      }
      for (int64_t j = 1; j < size; ++j) {
        const T* row = base + j * inner;
        // Branch-free, so the block vectorises: each column keeps or replaces its maximum.
#pragma omp simd
        for (int64_t i = 0; i < width; ++i) {
          const bool take = beats(row[i], v[i]);
          v[i] = take ? row[i] : v[i];
          at[i] = take ? j : at[i];
        }
      }
    }
  });
}

}  // namespace fftune::cpu
