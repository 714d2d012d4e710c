// Internals of ops/cpu/fft: plans, the split-complex "lanes" buffers the passes work on, and the
// gather/scatter helpers that move data between user layouts and those buffers. Not a public API.
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

#include "ops/cpu/fft.h"

// FFTUNE_IVDEP before a loop: its iterations are independent (input and output streams never
// overlap), which the compiler cannot prove on its own; GCC and clang spell the hint differently.
#if defined(__clang__)
#define FFTUNE_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#else
#define FFTUNE_IVDEP _Pragma("GCC ivdep")
#endif

namespace fftune::cpu::fft::detail {

// Note [Lanes layout]
// ~~~~~~~~~~~~~~~~~~~
// Every transform is computed on a scratch buffer that holds `lanes` independent transforms of
// the same length side by side, in split-complex form:
//
//     element i of lane v  =  (re[i*lanes + v], im[i*lanes + v])
//
// Lanes are adjacent rows of a batch, or adjacent columns of a 2-D array. Each Stockham pass
// (fft_passes.cpp) combines elements i that are whole rows of `lanes` numbers apart, so its inner
// loop runs over contiguous memory of length stride*lanes with one twiddle per loop, and separate
// re/im arrays mean no shuffles: the compiler vectorises it as plain vertical AVX2 arithmetic.
// With lanes == 1 the same code computes a single transform (just with shorter inner loops).
// Moving data into and out of this layout is the job of the gather/scatter helpers below; it is
// a small transpose, done in L1/L2-sized tiles.

// A pair of split-complex arrays (see Note [Lanes layout]).
template <typename T>
struct Split {
  T* re;
  T* im;
};

// Lanes per tile: one 64-byte cache line of real parts per element (16 f32 or 8 f64).
template <typename T>
inline constexpr int64_t kLanes = 64 / static_cast<int64_t>(sizeof(T));

// One Stockham pass: `count` groups (m) of `radix` butterflies, each on `stride` (s) consecutive
// elements. Its twiddles start at `twiddle_offset` in the plan's twiddle arrays.
struct Stage {
  int radix;
  int64_t stride;
  int64_t count;
  int64_t twiddle_offset;
};

// A forward complex DFT of length n. Lengths whose prime factors are all 2, 3, 5 run as Stockham
// passes; others by Bluestein's algorithm, which uses a second, smooth plan of length m >= 2n-1.
template <typename T>
struct ComplexPlan {
  int64_t n = 0;
  std::vector<Stage> stages;
  std::vector<T> twiddle_re, twiddle_im;

  // Bluestein only (see Note [Bluestein] in fft_bluestein.cpp).
  std::shared_ptr<const ComplexPlan<T>> convolution;  // smooth length m
  std::vector<T> chirp_re, chirp_im;                  // exp(-i*pi*k^2/n), k < n
  std::vector<T> kernel_re, kernel_im;                // DFT_m(conj chirp, wrapped) / m

  bool uses_bluestein() const { return convolution != nullptr; }
  // Elements (per lane) each of the two scratch buffers must hold.
  int64_t buffer_length() const { return uses_bluestein() ? convolution->n : n; }
};

// A real transform of length n. Even n: a complex plan of length n/2 plus the twiddles
// exp(-2*pi*i*k/n), k <= n/2, that split its output into the real spectrum (Note [Real FFT via a
// half-length complex FFT] in fft_real.cpp). Odd n: a complex plan of length n.
template <typename T>
struct RealPlan {
  int64_t n = 0;
  std::shared_ptr<const ComplexPlan<T>> complex;
  std::vector<T> twiddle_re, twiddle_im;

  bool uses_half_length() const { return n % 2 == 0; }
  int64_t buffer_length() const;
};

// Cached plans (fft_plan.cpp): built once per (kind, length, precision), shared by all threads.
template <typename T>
std::shared_ptr<const ComplexPlan<T>> complex_plan(int64_t n);
template <typename T>
std::shared_ptr<const RealPlan<T>> real_plan(int64_t n);

// The Stockham plan of a smooth length (fft_plan.cpp); Bluestein plans are made by
// make_bluestein_plan (fft_bluestein.cpp).
template <typename T>
std::shared_ptr<const ComplexPlan<T>> make_stockham_plan(int64_t n);
template <typename T>
std::shared_ptr<const ComplexPlan<T>> make_bluestein_plan(int64_t n);
// The prime factors of n are all in {2, 3, 5}.
bool is_smooth(int64_t n);

// Forward DFT of the `lanes` transforms held in `a` (Note [Lanes layout]); `b` is a second buffer
// of plan.buffer_length()*lanes elements and `a` must be as large. Returns whichever of a and b
// holds the result; the other is left as scratch.
template <typename T>
Split<T> forward_lanes(const ComplexPlan<T>& plan, Split<T> a, Split<T> b, int64_t lanes);
// The Stockham passes only (fft_passes.cpp).
template <typename T>
Split<T> stockham_lanes(const ComplexPlan<T>& plan, Split<T> a, Split<T> b, int64_t lanes);
// Bluestein (fft_bluestein.cpp).
template <typename T>
Split<T> bluestein_lanes(const ComplexPlan<T>& plan, Split<T> a, Split<T> b, int64_t lanes);

// Note [Inverse by swapping real and imaginary parts]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// With swap(a + ib) = b + ia, the inverse DFT is swap(DFT(swap(x))): swap(z) = i*conj(z), so
// DFT(swap(x)) = i*conj(IDFT(x)) and swapping once more gives IDFT(x). In split-complex form a
// swap is free (exchange the re and im pointers), so one forward plan per length serves both
// directions, and every plan and twiddle table is forward-only.
template <typename T>
Split<T> transform_lanes(const ComplexPlan<T>& plan, Split<T> a, Split<T> b, int64_t lanes,
                         Direction dir) {
  if (dir == Direction::kForward) return forward_lanes(plan, a, b, lanes);
  Split<T> r = forward_lanes(plan, Split<T>{a.im, a.re}, Split<T>{b.im, b.re}, lanes);
  return Split<T>{r.im, r.re};
}

// The other buffer of the pair (a, b).
template <typename T>
Split<T> other_buffer(Split<T> used, Split<T> a, Split<T> b) {
  return used.re == a.re || used.re == a.im ? b : a;
}

// Two scratch buffers of `elements` numbers each (re and im), 64-byte aligned, owned by the
// calling thread and reused across calls (grow-only).
template <typename T>
struct Workspace {
  Split<T> a, b;
};
template <typename T>
Workspace<T> thread_workspace(int64_t elements);

// ---- gather / scatter between user layouts and lanes buffers (fft_complex.cpp) ----------------
// Element i of lane v lives at src[v*dist + i*stride].
template <typename T>
void gather_complex(Split<T> dst, const std::complex<T>* src, int64_t n, int64_t lanes,
                    int64_t stride, int64_t dist);
template <typename T>
void scatter_complex(std::complex<T>* dst, Split<const T> src, int64_t n, int64_t lanes,
                     int64_t stride, int64_t dist);

// The same for rows of (re, im) pairs that are contiguous within each lane (stride 1): lane v,
// element i at src[v*dist + 2*i] and src[v*dist + 2*i + 1], dist counted in T (fft_transpose.cpp).
// Complex rows and the (even, odd) sample pairs of real rows both have this layout.
template <typename T>
void pairs_to_lanes(Split<T> dst, const T* src, int64_t n, int64_t lanes, int64_t dist);
template <typename T>
void lanes_to_pairs(T* dst, Split<const T> src, int64_t n, int64_t lanes, int64_t dist);

// r2c of even n = 2h, fused with the store (fft_transpose.cpp): from Z = DFT_h(z) in a lanes
// buffer, write bins 0..h of each lane v as pairs at dst[v*dist + 2k], using the split of
// Note [Real FFT via a half-length complex FFT] (fft_real.cpp) with w^k = (tw_re[k], tw_im[k]).
template <typename T>
void split_spectrum_to_pairs(T* dst, Split<const T> z, const T* tw_re, const T* tw_im, int64_t h,
                             int64_t lanes, int64_t dist);

// Column tiles of a row-major complex array (fft_2d.cpp): lane v, element i at src[i*pitch + v].
// Full tiles store their lanes in a permuted order (Note [Column lane order], fft_transpose.cpp),
// so a tile must be scattered with lanes_to_columns, with the same `lanes`.
template <typename T>
void columns_to_lanes(Split<T> dst, const std::complex<T>* src, int64_t n, int64_t lanes,
                      int64_t pitch);
template <typename T>
void lanes_to_columns(std::complex<T>* dst, Split<const T> src, int64_t n, int64_t lanes,
                      int64_t pitch);

// Complex transforms of `batch` vectors, kLanes at a time, on fftune::num_threads() threads
// (fft_complex.cpp).
template <typename T>
void c2c_batched(const ComplexPlan<T>& plan, const std::complex<T>* in, std::complex<T>* out,
                 int64_t batch, int64_t in_stride, int64_t in_dist, int64_t out_stride,
                 int64_t out_dist, Direction dir);

// True when `work` (elements times transforms) is large enough to be worth several threads.
// Tile loops use schedule(dynamic): a tile is tens of microseconds, so handing them out one by
// one costs nothing, and when the machine is shared and one thread is preempted the others
// take over its remaining tiles instead of waiting at the barrier for a fixed half of the work.
inline bool worth_threads(int64_t work) {
  return work >= (int64_t{1} << 15);
}

}  // namespace fftune::cpu::fft::detail

namespace fftune::cpu::fft::detail {

// Real transforms of `batch` vectors, kLanes at a time, on fftune::num_threads() threads
// (fft_real.cpp). The layouts are those of fft::r2c and fft::c2r.
template <typename T>
void r2c_batched(const RealPlan<T>& plan, const T* in, std::complex<T>* out, int64_t batch,
                 int64_t in_stride, int64_t in_dist, int64_t out_stride, int64_t out_dist);
template <typename T>
void c2r_batched(const RealPlan<T>& plan, const std::complex<T>* in, T* out, int64_t batch,
                 int64_t in_stride, int64_t in_dist, int64_t out_stride, int64_t out_dist);

}  // namespace fftune::cpu::fft::detail
