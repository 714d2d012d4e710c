#include "ops/cpu/softmax_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/threading.h"
#include "ops/cpu/loops.h"
#include "ops/cpu/vec_math.h"

namespace fftune::cpu {
namespace {

// Note [softmax passes]
// A row is read three times (max; exp and sum; scale), but a row of a few thousand floats
// stays in L1 after the first read, so memory traffic is one read of x and one write of y.
// The "online" single pass (rescaling the running sum whenever the max grows) would need a
// second exp per element, which costs more than re-reading L1. Sums accumulate in double.

template <typename T>
void softmax_row(T* y, const T* x, int64_t n, bool log) {
  T m = -std::numeric_limits<T>::infinity();
#pragma omp simd reduction(max : m)
  for (int64_t i = 0; i < n; ++i) m = x[i] > m ? x[i] : m;
  double s = 0;
  if (log) {
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) s += exp_vectorizable(x[i] - m);
    // (x − max) − log s, not x − (max + log s): max + log s would round to max's ulp.
    const T log_s = static_cast<T>(std::log(s));
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) - log_s;
  } else {
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) {
      const T e = exp_vectorizable(x[i] - m);
      y[i] = e;
      s += e;
    }
    const T inv = static_cast<T>(1.0 / s);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

template <typename T>
void softmax_backward_row(T* dx, const T* g, const T* y, int64_t n, bool log) {
  double s = 0;
  if (log) {
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) s += g[i];
    const T st = static_cast<T>(s);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) dx[i] = g[i] - exp_vectorizable(y[i]) * st;
  } else {
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; ++i) s += g[i] * y[i];
    const T st = static_cast<T>(s);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) dx[i] = y[i] * (g[i] - st);
  }
}

// inner > 1: columns [0, w) of one outer slice, w ≤ kBlock; element (j, c) at j·inner + c.
constexpr int64_t kBlock = 64;

template <typename T>
void softmax_columns(T* y, const T* x, int64_t n, int64_t inner, int64_t w, bool log) {
  T m[kBlock];
  double s[kBlock];
  std::fill(m, m + w, -std::numeric_limits<T>::infinity());
  std::fill(s, s + w, 0.0);
  for (int64_t j = 0; j < n; ++j) {
    const T* xj = x + j * inner;
#pragma omp simd
    for (int64_t c = 0; c < w; ++c) m[c] = xj[c] > m[c] ? xj[c] : m[c];
  }
  for (int64_t j = 0; j < n; ++j) {
    const T* xj = x + j * inner;
#pragma omp simd
    for (int64_t c = 0; c < w; ++c) s[c] += exp_vectorizable(xj[c] - m[c]);
  }
  T k[kBlock];  // log: log s; softmax: 1 / s
  for (int64_t c = 0; c < w; ++c)
    k[c] = log ? static_cast<T>(std::log(s[c])) : static_cast<T>(1.0 / s[c]);
  for (int64_t j = 0; j < n; ++j) {
    const T* xj = x + j * inner;
    T* yj = y + j * inner;
    if (log) {
#pragma omp simd
      for (int64_t c = 0; c < w; ++c) yj[c] = (xj[c] - m[c]) - k[c];
    } else {
#pragma omp simd
      for (int64_t c = 0; c < w; ++c) yj[c] = exp_vectorizable(xj[c] - m[c]) * k[c];
    }
  }
}

template <typename T>
void softmax_backward_columns(T* dx, const T* g, const T* y, int64_t n, int64_t inner, int64_t w,
                              bool log) {
  double s[kBlock];
  std::fill(s, s + w, 0.0);
  for (int64_t j = 0; j < n; ++j) {
    const T* gj = g + j * inner;
    const T* yj = y + j * inner;
#pragma omp simd
    for (int64_t c = 0; c < w; ++c) s[c] += log ? gj[c] : gj[c] * yj[c];
  }
  T st[kBlock];
  for (int64_t c = 0; c < w; ++c) st[c] = static_cast<T>(s[c]);
  for (int64_t j = 0; j < n; ++j) {
    const T* gj = g + j * inner;
    const T* yj = y + j * inner;
    T* dj = dx + j * inner;
    if (log) {
#pragma omp simd
      for (int64_t c = 0; c < w; ++c) dj[c] = gj[c] - exp_vectorizable(yj[c]) * st[c];
    } else {
#pragma omp simd
      for (int64_t c = 0; c < w; ++c) dj[c] = yj[c] * (gj[c] - st[c]);
    }
  }
}

// Runs body(outer index, first column, width) over every (outer, column block) task in parallel.
template <typename Body>
void for_each_block(int64_t outer, int64_t n, int64_t inner, Body body) {
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  const int64_t tasks = outer * blocks;
#pragma omp parallel for schedule(static) if (tasks > 1 && outer * n * inner >= kParallelGrain) \
    num_threads(num_threads())
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t o = t / blocks, c0 = (t % blocks) * kBlock;
    body(o, c0, std::min(kBlock, inner - c0));
  }
}

}  // namespace

void softmax_forward(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner,
                     bool log) {
  dispatch_float(x.dtype(), log ? "log_softmax" : "softmax", [&]<typename T>() {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    if (inner == 1) {
#pragma omp parallel for schedule(static) if (outer > 1 && outer * n >= kParallelGrain) \
    num_threads(num_threads())
      for (int64_t r = 0; r < outer; ++r) softmax_row(py + r * n, px + r * n, n, log);
      return;
    }
    for_each_block(outer, n, inner, [&](int64_t o, int64_t c0, int64_t w) {
      const int64_t base = o * n * inner + c0;
      softmax_columns(py + base, px + base, n, inner, w, log);
    });
  });
}

void softmax_backward(const Tensor& dx, const Tensor& g, const Tensor& y, int64_t outer, int64_t n,
                      int64_t inner, bool log) {
  dispatch_float(y.dtype(), log ? "log_softmax_backward" : "softmax_backward", [&]<typename T>() {
    const T* pg = g.data<T>();
    const T* py = y.data<T>();
    T* pd = dx.data<T>();
    if (inner == 1) {
#pragma omp parallel for schedule(static) if (outer > 1 && outer * n >= kParallelGrain) \
    num_threads(num_threads())
      for (int64_t r = 0; r < outer; ++r)
        softmax_backward_row(pd + r * n, pg + r * n, py + r * n, n, log);
      return;
    }
    for_each_block(outer, n, inner, [&](int64_t o, int64_t c0, int64_t w) {
      const int64_t base = o * n * inner + c0;
      softmax_backward_columns(pd + base, pg + base, py + base, n, inner, w, log);
    });
  });
}

}  // namespace fftune::cpu
