// Batched 1-D complex transforms (c2c), and the gather/scatter helpers that move complex data
// between a user's strided layout and the split-complex lanes buffers (Note [Lanes layout]).
#include <algorithm>
#include <complex>
#include <cstdint>

#include "core/error.h"
#include "core/threading.h"
#include "ops/cpu/fft_internal.h"

namespace fftune::cpu::fft::detail {
namespace {

// (re, im) pairs <-> split arrays, `count` numbers. kUnroll == count lets the compiler see a
// fixed trip count (a full tile of columns) and emit straight-line shuffles.
template <int64_t kUnroll, typename T>
inline void deinterleave(T* re, T* im, const T* pairs, int64_t count) {
  const int64_t n = kUnroll > 1 ? kUnroll : count;
  for (int64_t v = 0; v < n; ++v) {
    re[v] = pairs[2 * v];
    im[v] = pairs[2 * v + 1];
  }
}
template <int64_t kUnroll, typename T>
inline void interleave(T* pairs, const T* re, const T* im, int64_t count) {
  const int64_t n = kUnroll > 1 ? kUnroll : count;
  for (int64_t v = 0; v < n; ++v) {
    pairs[2 * v] = re[v];
    pairs[2 * v + 1] = im[v];
  }
}

}  // namespace

// The two loop orders below compute the same thing; we pick the one whose reads (gather) or
// writes (scatter) walk user memory contiguously: lanes that are adjacent columns (dist == 1)
// want the lane loop inside, lanes that are separate rows want the element loop inside.
template <typename T>
void gather_complex(Split<T> dst, const std::complex<T>* src, int64_t n, int64_t lanes,
                    int64_t stride, int64_t dist) {
  const T* s = reinterpret_cast<const T*>(src);  // (re, im) pairs, as the standard guarantees
  if (dist == 1) {
    for (int64_t i = 0; i < n; ++i) {
      const T* row = s + 2 * i * stride;
      if (lanes == kLanes<T>) {
        deinterleave<kLanes<T>>(dst.re + i * lanes, dst.im + i * lanes, row, kLanes<T>);
      } else {
        deinterleave<1>(dst.re + i * lanes, dst.im + i * lanes, row, lanes);
      }
    }
    return;
  }
  if (stride == 1) {
    pairs_to_lanes(dst, s, n, lanes, 2 * dist);
    return;
  }
  for (int64_t v = 0; v < lanes; ++v) {
    const T* lane = s + 2 * v * dist;
    for (int64_t i = 0; i < n; ++i) {
      dst.re[i * lanes + v] = lane[2 * i * stride];
      dst.im[i * lanes + v] = lane[2 * i * stride + 1];
    }
  }
}

template <typename T>
void scatter_complex(std::complex<T>* dst, Split<const T> src, int64_t n, int64_t lanes,
                     int64_t stride, int64_t dist) {
  T* d = reinterpret_cast<T*>(dst);
  if (dist == 1) {
    for (int64_t i = 0; i < n; ++i) {
      T* row = d + 2 * i * stride;
      if (lanes == kLanes<T>) {
        interleave<kLanes<T>>(row, src.re + i * lanes, src.im + i * lanes, kLanes<T>);
      } else {
        interleave<1>(row, src.re + i * lanes, src.im + i * lanes, lanes);
      }
    }
    return;
  }
  if (stride == 1) {
    lanes_to_pairs(d, src, n, lanes, 2 * dist);
    return;
  }
  for (int64_t v = 0; v < lanes; ++v) {
    T* lane = d + 2 * v * dist;
    for (int64_t i = 0; i < n; ++i) {
      lane[2 * i * stride] = src.re[i * lanes + v];
      lane[2 * i * stride + 1] = src.im[i * lanes + v];
    }
  }
}

// Transforms are processed kLanes at a time (the last tile may be narrower). Each tile is
// gathered completely before anything is written, so in == out works tile by tile.
template <typename T>
void c2c_batched(const ComplexPlan<T>& plan, const std::complex<T>* in, std::complex<T>* out,
                 int64_t batch, int64_t in_stride, int64_t in_dist, int64_t out_stride,
                 int64_t out_dist, Direction dir) {
  const int64_t n = plan.n;
  const int64_t tiles = (batch + kLanes<T> - 1) / kLanes<T>;
#pragma omp parallel for num_threads(fftune::num_threads()) \
    schedule(dynamic) if (tiles > 1 && worth_threads(n * batch))
  for (int64_t tile = 0; tile < tiles; ++tile) {
    const int64_t first = tile * kLanes<T>;
    const int64_t lanes = std::min(kLanes<T>, batch - first);
    Workspace<T> ws = thread_workspace<T>(plan.buffer_length() * lanes);
    gather_complex(ws.a, in + first * in_dist, n, lanes, in_stride, in_dist);
    Split<T> r = transform_lanes(plan, ws.a, ws.b, lanes, dir);
    scatter_complex(out + first * out_dist, Split<const T>{r.re, r.im}, n, lanes, out_stride,
                    out_dist);
  }
}

#define FFTUNE_FFT_INSTANTIATE(T)                                                               \
  template void gather_complex<T>(Split<T>, const std::complex<T>*, int64_t, int64_t, int64_t,  \
                                  int64_t);                                                     \
  template void scatter_complex<T>(std::complex<T>*, Split<const T>, int64_t, int64_t, int64_t, \
                                   int64_t);                                                    \
  template void c2c_batched<T>(const ComplexPlan<T>&, const std::complex<T>*, std::complex<T>*, \
                               int64_t, int64_t, int64_t, int64_t, int64_t, Direction);
FFTUNE_FFT_INSTANTIATE(float)
FFTUNE_FFT_INSTANTIATE(double)
#undef FFTUNE_FFT_INSTANTIATE

}  // namespace fftune::cpu::fft::detail

namespace fftune::cpu::fft {

template <typename T>
void c2c(const std::complex<T>* in, std::complex<T>* out, int64_t n, int64_t batch,
         int64_t in_stride, int64_t in_dist, int64_t out_stride, int64_t out_dist, Direction dir) {
  FFTUNE_CHECK(n >= 1, "fft::c2c: length n must be >= 1, got ", n);
  FFTUNE_CHECK(batch >= 0, "fft::c2c: batch must be >= 0, got ", batch);
  FFTUNE_CHECK(in != nullptr && out != nullptr, "fft::c2c: null data pointer");
  if (batch == 0) return;
  detail::c2c_batched(*detail::complex_plan<T>(n), in, out, batch, in_stride, in_dist, out_stride,
                      out_dist, dir);
}

template void c2c<float>(const std::complex<float>*, std::complex<float>*, int64_t, int64_t,
                         int64_t, int64_t, int64_t, int64_t, Direction);
template void c2c<double>(const std::complex<double>*, std::complex<double>*, int64_t, int64_t,
                          int64_t, int64_t, int64_t, int64_t, Direction);

}  // namespace fftune::cpu::fft
