// The strided elementwise loop every CPU elementwise kernel runs on.
//
// K operands (operand 0 is the output) share one iteration shape; each has its own strides in
// elements (0 along a broadcast dim). Dims that are contiguous for every operand are merged,
// the innermost dim becomes a plain loop the compiler vectorises, and the outer index space is
// split across OpenMP threads.
#pragma once

#include <array>
#include <cstdint>

#include "core/tensor/shape.h"
#include "core/threading.h"

namespace fftune::cpu {

// Below this many elements a loop runs on one thread (thread start-up costs more).
constexpr int64_t kParallelGrain = 32768;

template <size_t K>
struct StridedShape {
  Shape shape;
  std::array<Shape, K> strides;
};

// Drops size-1 dims and merges dim i into dim i+1 when every operand steps through them as one.
template <size_t K>
StridedShape<K> coalesce(const Shape& shape, const std::array<Shape, K>& strides) {
  StridedShape<K> out;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool merge = !out.shape.empty();
    for (size_t k = 0; k < K && merge; ++k)
      merge = out.strides[k].back() == strides[k][d] * shape[d];
    if (merge) {
      out.shape.back() *= shape[d];
      for (size_t k = 0; k < K; ++k) out.strides[k].back() = strides[k][d];
    } else {
      out.shape.push_back(shape[d]);
      for (size_t k = 0; k < K; ++k) out.strides[k].push_back(strides[k][d]);
    }
  }
  if (out.shape.empty()) {  // a single element
    out.shape.push_back(1);
    for (size_t k = 0; k < K; ++k) out.strides[k].push_back(0);
  }
  return out;
}

// Calls inner(offsets, n, steps) once per innermost row: offsets[k] is operand k's element
// offset of the row's first element, steps[k] its stride along the row.
template <size_t K, typename Inner>
void for_each_row(const Shape& shape, const std::array<Shape, K>& strides, Inner inner) {
  const StridedShape<K> s = coalesce<K>(shape, strides);
  const int64_t ndim = static_cast<int64_t>(s.shape.size());
  const int64_t n = s.shape.back();
  std::array<int64_t, K> steps;
  for (size_t k = 0; k < K; ++k) steps[k] = s.strides[k].back();
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < ndim; ++d) rows *= s.shape[d];
  if (n == 0 || rows == 0) return;

#pragma omp parallel for schedule(static) if (rows * n >= kParallelGrain && rows > 1) \
    num_threads(num_threads())
  for (int64_t r = 0; r < rows; ++r) {
    std::array<int64_t, K> offsets{};
    int64_t rem = r;
    for (int64_t d = ndim - 2; d >= 0; --d) {
      const int64_t i = rem % s.shape[d];
      rem /= s.shape[d];
      for (size_t k = 0; k < K; ++k) offsets[k] += i * s.strides[k][d];
    }
    inner(offsets, n, steps);
  }
}

// out[i] = f(a[i]) over a shape; strides in elements.
template <typename TOut, typename TIn, typename F>
void map1(TOut* out, const Shape& out_strides, const TIn* a, const Shape& a_strides,
          const Shape& shape, F f) {
  const int64_t numel = numel_of(shape);
  if (numel == 0) return;
  for_each_row<2>(
      shape, {out_strides, a_strides},
      [&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& st) {
        TOut* o = out + off[0];
        const TIn* x = a + off[1];
        if (st[0] == 1 && st[1] == 1) {
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
        } else {
          for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]]);
        }
      });
}

// out[i] = f(a[i], b[i]); a and b already broadcast to `shape` through their strides.
template <typename T, typename F>
void map2(T* out, const Shape& out_strides, const T* a, const Shape& a_strides, const T* b,
          const Shape& b_strides, const Shape& shape, F f) {
  if (numel_of(shape) == 0) return;
  for_each_row<3>(
      shape, {out_strides, a_strides, b_strides},
      [&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& st) {
        T* o = out + off[0];
        const T* x = a + off[1];
        const T* y = b + off[2];
        if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
        } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {  // b is a scalar here
          const T yv = *y;
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
        } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {  // a is a scalar here
          const T xv = *x;
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
        } else {
          for (int64_t i = 0; i < n; ++i) o[i * st[0]] = f(x[i * st[1]], y[i * st[2]]);
        }
      });
}

// out[i] = f(a[i], b[i], c[i]).
template <typename T, typename F>
void map3(T* out, const Shape& out_strides, const T* a, const Shape& a_strides, const T* b,
          const Shape& b_strides, const T* c, const Shape& c_strides, const Shape& shape, F f) {
  if (numel_of(shape) == 0) return;
  for_each_row<4>(
      shape, {out_strides, a_strides, b_strides, c_strides},
      [&](const std::array<int64_t, 4>& off, int64_t n, const std::array<int64_t, 4>& st) {
        for (int64_t i = 0; i < n; ++i)
          out[off[0] + i * st[0]] =
              f(a[off[1] + i * st[1]], b[off[2] + i * st[2]], c[off[3] + i * st[3]]);
      });
}

}  // namespace fftune::cpu
