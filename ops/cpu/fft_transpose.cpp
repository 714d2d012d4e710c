// Moving (re, im) pairs between rows of user memory and lanes buffers (Note [Lanes layout]):
// a transpose plus a de-interleave. This is the one place in ops/cpu/fft with AVX2 intrinsics;
// measurement said it was needed: written as plain loops, the strided element-by-element
// copies took more time than all the butterflies together (perf, rows r2c 1024x768).
#include <complex>
#include <cstdint>

#include "ops/cpu/fft_internal.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace fftune::cpu::fft::detail {
namespace {

// Scalar reference for any lanes/n (and for the tails the blocks below leave).
template <typename T>
void pairs_to_lanes_scalar(Split<T> dst, const T* src, int64_t i_begin, int64_t i_end,
                           int64_t v_begin, int64_t v_end, int64_t lanes, int64_t dist) {
  for (int64_t v = v_begin; v < v_end; ++v) {
    const T* row = src + v * dist;
    for (int64_t i = i_begin; i < i_end; ++i) {
      dst.re[i * lanes + v] = row[2 * i];
      dst.im[i * lanes + v] = row[2 * i + 1];
    }
  }
}

template <typename T>
void lanes_to_pairs_scalar(T* dst, Split<const T> src, int64_t i_begin, int64_t i_end,
                           int64_t v_begin, int64_t v_end, int64_t lanes, int64_t dist) {
  for (int64_t v = v_begin; v < v_end; ++v) {
    T* row = dst + v * dist;
    for (int64_t i = i_begin; i < i_end; ++i) {
      row[2 * i] = src.re[i * lanes + v];
      row[2 * i + 1] = src.im[i * lanes + v];
    }
  }
}

#if defined(__AVX2__)

// Note [Pair transpose blocks]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Take a block of B lanes (rows of user memory) by B/2 complex elements, i.e. a B x B matrix of
// numbers where row v holds re0 im0 re1 im1 ... of lane v. Its transpose has as row 2k the real
// parts of element k across the B lanes, and as row 2k+1 the imaginary parts: exactly the rows
// of the lanes buffer. So both directions are one B x B register transpose (B = 8 floats or
// 4 doubles per AVX2 register), with full-width loads and stores on both sides.

inline void transpose8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

inline void transpose4(__m256d r[4]) {
  const __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
  const __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
  r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
  r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
  r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
  r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// One block each way (Note [Pair transpose blocks]); i0 is the first complex element, v0 the
// first lane.
inline void pairs_to_lanes_block(Split<float> dst, const float* src, int64_t i0, int64_t v0,
                                 int64_t lanes, int64_t dist) {
  __m256 r[8];
  for (int k = 0; k < 8; ++k) r[k] = _mm256_loadu_ps(src + (v0 + k) * dist + 2 * i0);
  transpose8(r);
  for (int k = 0; k < 4; ++k) {
    _mm256_storeu_ps(dst.re + (i0 + k) * lanes + v0, r[2 * k]);
    _mm256_storeu_ps(dst.im + (i0 + k) * lanes + v0, r[2 * k + 1]);
  }
}
inline void pairs_to_lanes_block(Split<double> dst, const double* src, int64_t i0, int64_t v0,
                                 int64_t lanes, int64_t dist) {
  __m256d r[4];
  for (int k = 0; k < 4; ++k) r[k] = _mm256_loadu_pd(src + (v0 + k) * dist + 2 * i0);
  transpose4(r);
  for (int k = 0; k < 2; ++k) {
    _mm256_storeu_pd(dst.re + (i0 + k) * lanes + v0, r[2 * k]);
    _mm256_storeu_pd(dst.im + (i0 + k) * lanes + v0, r[2 * k + 1]);
  }
}
inline void lanes_to_pairs_block(float* dst, Split<const float> src, int64_t i0, int64_t v0,
                                 int64_t lanes, int64_t dist) {
  __m256 r[8];
  for (int k = 0; k < 4; ++k) {
    r[2 * k] = _mm256_loadu_ps(src.re + (i0 + k) * lanes + v0);
    r[2 * k + 1] = _mm256_loadu_ps(src.im + (i0 + k) * lanes + v0);
  }
  transpose8(r);
  for (int k = 0; k < 8; ++k) _mm256_storeu_ps(dst + (v0 + k) * dist + 2 * i0, r[k]);
}
inline void lanes_to_pairs_block(double* dst, Split<const double> src, int64_t i0, int64_t v0,
                                 int64_t lanes, int64_t dist) {
  __m256d r[4];
  for (int k = 0; k < 2; ++k) {
    r[2 * k] = _mm256_loadu_pd(src.re + (i0 + k) * lanes + v0);
    r[2 * k + 1] = _mm256_loadu_pd(src.im + (i0 + k) * lanes + v0);
  }
  transpose4(r);
  for (int k = 0; k < 4; ++k) _mm256_storeu_pd(dst + (v0 + k) * dist + 2 * i0, r[k]);
}

// The r2c split (Note [Real FFT via a half-length complex FFT], fft_real.cpp) on one register
// of lanes: bin k from Z[k] (a) and Z[h-k] (b) with the twiddle w = exp(-2*pi*i*k/n).
inline void split_bin(__m256 ar, __m256 ai, __m256 br, __m256 bi, float wr, float wi, __m256& xr,
                      __m256& xi) {
  const __m256 half = _mm256_set1_ps(0.5f), vwr = _mm256_set1_ps(wr), vwi = _mm256_set1_ps(wi);
  const __m256 even_re = _mm256_mul_ps(half, _mm256_add_ps(ar, br));
  const __m256 even_im = _mm256_mul_ps(half, _mm256_sub_ps(ai, bi));
  const __m256 odd_re = _mm256_mul_ps(half, _mm256_add_ps(ai, bi));
  const __m256 odd_im = _mm256_mul_ps(half, _mm256_sub_ps(br, ar));
  xr = _mm256_fnmadd_ps(vwi, odd_im, _mm256_fmadd_ps(vwr, odd_re, even_re));
  xi = _mm256_fmadd_ps(vwi, odd_re, _mm256_fmadd_ps(vwr, odd_im, even_im));
}
inline void split_bin(__m256d ar, __m256d ai, __m256d br, __m256d bi, double wr, double wi,
                      __m256d& xr, __m256d& xi) {
  const __m256d half = _mm256_set1_pd(0.5), vwr = _mm256_set1_pd(wr), vwi = _mm256_set1_pd(wi);
  const __m256d even_re = _mm256_mul_pd(half, _mm256_add_pd(ar, br));
  const __m256d even_im = _mm256_mul_pd(half, _mm256_sub_pd(ai, bi));
  const __m256d odd_re = _mm256_mul_pd(half, _mm256_add_pd(ai, bi));
  const __m256d odd_im = _mm256_mul_pd(half, _mm256_sub_pd(br, ar));
  xr = _mm256_fnmadd_pd(vwi, odd_im, _mm256_fmadd_pd(vwr, odd_re, even_re));
  xi = _mm256_fmadd_pd(vwi, odd_re, _mm256_fmadd_pd(vwr, odd_im, even_im));
}
inline __m256 load_lanes(const float* p) {
  return _mm256_loadu_ps(p);
}
inline __m256d load_lanes(const double* p) {
  return _mm256_loadu_pd(p);
}
inline void transpose_registers(__m256* r) {
  transpose8(r);
}
inline void transpose_registers(__m256d* r) {
  transpose4(r);
}
inline void store_row(float* p, __m256 v) {
  _mm256_storeu_ps(p, v);
}
inline void store_row(double* p, __m256d v) {
  _mm256_storeu_pd(p, v);
}

// One block of split_spectrum_to_pairs: bins k0 .. k0+B/2-1 of lanes v0 .. v0+B-1 (B = 8
// floats or 4 doubles): split each bin, then one register transpose gives every lane's pairs
// (Note [Pair transpose blocks]).
template <typename T>
struct Avx;
template <>
struct Avx<float> {
  using Register = __m256;
};
template <>
struct Avx<double> {
  using Register = __m256d;
};

template <typename T>
inline void split_block(T* dst, Split<const T> z, const T* tw_re, const T* tw_im, int64_t h,
                        int64_t k0, int64_t v0, int64_t lanes, int64_t dist) {
  constexpr int kB = 32 / sizeof(T);
  typename Avx<T>::Register r[kB];
  for (int j = 0; j < kB / 2; ++j) {
    const int64_t k = k0 + j, a = (k % h) * lanes + v0, b = ((h - k) % h) * lanes + v0;
    split_bin(load_lanes(z.re + a), load_lanes(z.im + a), load_lanes(z.re + b),
              load_lanes(z.im + b), tw_re[k], tw_im[k], r[2 * j], r[2 * j + 1]);
  }
  transpose_registers(r);
  for (int j = 0; j < kB; ++j) store_row(dst + (v0 + j) * dist + 2 * k0, r[j]);
}

// Block edge in numbers: 8 floats or 4 doubles (one AVX2 register).
template <typename T>
inline constexpr int64_t kBlock = 32 / static_cast<int64_t>(sizeof(T));

// Note [Column lane order]
// ~~~~~~~~~~~~~~~~~~~~~~~~
// A full tile row of a column tile is kLanes complex numbers = four AVX2 registers of pairs.
// Splitting each pair of registers into re and im with one in-lane shuffle each leaves the
// numbers in the order 0 1 4 5 2 3 6 7 (f32) or 0 2 1 3 (f64) instead of 0..7: the 128-bit
// halves of an AVX2 register do not mix. We keep that order: the lanes of a buffer are
// independent transforms, so any permutation of them is fine as long as the scatter undoes the
// same one, and the inverse unpack restores exactly the original pairs. Only full tiles use it;
// partial tiles go through the scalar path in natural order, both ways.
inline void split_row(float* re, float* im, const float* pairs) {
  for (int half = 0; half < 2; ++half) {
    const __m256 a = _mm256_loadu_ps(pairs + 16 * half), b = _mm256_loadu_ps(pairs + 16 * half + 8);
    _mm256_storeu_ps(re + 8 * half, _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
    _mm256_storeu_ps(im + 8 * half, _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
  }
}
inline void split_row(double* re, double* im, const double* pairs) {
  for (int half = 0; half < 2; ++half) {
    const __m256d a = _mm256_loadu_pd(pairs + 8 * half), b = _mm256_loadu_pd(pairs + 8 * half + 4);
    _mm256_storeu_pd(re + 4 * half, _mm256_unpacklo_pd(a, b));
    _mm256_storeu_pd(im + 4 * half, _mm256_unpackhi_pd(a, b));
  }
}
inline void join_row(float* pairs, const float* re, const float* im) {
  for (int half = 0; half < 2; ++half) {
    const __m256 r = _mm256_loadu_ps(re + 8 * half), i = _mm256_loadu_ps(im + 8 * half);
    _mm256_storeu_ps(pairs + 16 * half, _mm256_unpacklo_ps(r, i));
    _mm256_storeu_ps(pairs + 16 * half + 8, _mm256_unpackhi_ps(r, i));
  }
}
inline void join_row(double* pairs, const double* re, const double* im) {
  for (int half = 0; half < 2; ++half) {
    const __m256d r = _mm256_loadu_pd(re + 4 * half), i = _mm256_loadu_pd(im + 4 * half);
    _mm256_storeu_pd(pairs + 8 * half, _mm256_unpacklo_pd(r, i));
    _mm256_storeu_pd(pairs + 8 * half + 4, _mm256_unpackhi_pd(r, i));
  }
}
static_assert(kLanes<float> == 16 && kLanes<double> == 8, "split_row/join_row assume 128 B rows");

#endif  // __AVX2__

}  // namespace

template <typename T>
void split_spectrum_to_pairs(T* dst, Split<const T> z, const T* tw_re, const T* tw_im, int64_t h,
                             int64_t lanes, int64_t dist) {
  // The scalar definition, used for whatever the AVX2 blocks below leave.
  auto split_scalar = [&](int64_t k_begin, int64_t k_end, int64_t v_begin, int64_t v_end) {
    for (int64_t v = v_begin; v < v_end; ++v) {
      for (int64_t k = k_begin; k < k_end; ++k) {
        const int64_t a = (k % h) * lanes + v, b = ((h - k) % h) * lanes + v;
        const T even_re = T(0.5) * (z.re[a] + z.re[b]), even_im = T(0.5) * (z.im[a] - z.im[b]);
        const T odd_re = T(0.5) * (z.im[a] + z.im[b]), odd_im = T(0.5) * (z.re[b] - z.re[a]);
        dst[v * dist + 2 * k] = even_re + tw_re[k] * odd_re - tw_im[k] * odd_im;
        dst[v * dist + 2 * k + 1] = even_im + tw_re[k] * odd_im + tw_im[k] * odd_re;
      }
    }
  };
  const int64_t bins = h + 1;
#if defined(__AVX2__)
  const int64_t full_lanes = lanes / kBlock<T> * kBlock<T>;
  const int64_t full_bins = bins / (kBlock<T> / 2) * (kBlock<T> / 2);
  for (int64_t v0 = 0; v0 < full_lanes; v0 += kBlock<T>) {
    for (int64_t k0 = 0; k0 < full_bins; k0 += kBlock<T> / 2) {
      split_block<T>(dst, z, tw_re, tw_im, h, k0, v0, lanes, dist);
    }
  }
  split_scalar(full_bins, bins, 0, full_lanes);
  split_scalar(0, bins, full_lanes, lanes);
#else
  split_scalar(0, bins, 0, lanes);
#endif
}

template <typename T>
void pairs_to_lanes(Split<T> dst, const T* src, int64_t n, int64_t lanes, int64_t dist) {
#if defined(__AVX2__)
  const int64_t full_lanes = lanes / kBlock<T> * kBlock<T>;
  const int64_t full_n = n / (kBlock<T> / 2) * (kBlock<T> / 2);
  for (int64_t v0 = 0; v0 < full_lanes; v0 += kBlock<T>) {
    for (int64_t i0 = 0; i0 < full_n; i0 += kBlock<T> / 2) {
      pairs_to_lanes_block(dst, src, i0, v0, lanes, dist);
    }
  }
  pairs_to_lanes_scalar(dst, src, full_n, n, 0, full_lanes, lanes, dist);
  pairs_to_lanes_scalar(dst, src, 0, n, full_lanes, lanes, lanes, dist);
#else
  pairs_to_lanes_scalar(dst, src, 0, n, 0, lanes, lanes, dist);
#endif
}

template <typename T>
void lanes_to_pairs(T* dst, Split<const T> src, int64_t n, int64_t lanes, int64_t dist) {
#if defined(__AVX2__)
  const int64_t full_lanes = lanes / kBlock<T> * kBlock<T>;
  const int64_t full_n = n / (kBlock<T> / 2) * (kBlock<T> / 2);
  for (int64_t v0 = 0; v0 < full_lanes; v0 += kBlock<T>) {
    for (int64_t i0 = 0; i0 < full_n; i0 += kBlock<T> / 2) {
      lanes_to_pairs_block(dst, src, i0, v0, lanes, dist);
    }
  }
  lanes_to_pairs_scalar(dst, src, full_n, n, 0, full_lanes, lanes, dist);
  lanes_to_pairs_scalar(dst, src, 0, n, full_lanes, lanes, lanes, dist);
#else
  lanes_to_pairs_scalar(dst, src, 0, n, 0, lanes, lanes, dist);
#endif
}

template <typename T>
void columns_to_lanes(Split<T> dst, const std::complex<T>* src, int64_t n, int64_t lanes,
                      int64_t pitch) {
  const T* s = reinterpret_cast<const T*>(src);
#if defined(__AVX2__)
  if (lanes == kLanes<T>) {
    // Each row of the tile is in a different 4 KiB page once the array is wide, where hardware
    // prefetchers stop; fetch the tile rows a few iterations ahead ourselves.
    constexpr int64_t kAhead = 8;
    for (int64_t i = 0; i < n; ++i) {
      if (i + kAhead < n) {
        const char* ahead = reinterpret_cast<const char*>(s + 2 * (i + kAhead) * pitch);
        _mm_prefetch(ahead, _MM_HINT_T0);
        _mm_prefetch(ahead + 64, _MM_HINT_T0);
      }
      split_row(dst.re + i * lanes, dst.im + i * lanes, s + 2 * i * pitch);
    }
    return;
  }
#endif
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t v = 0; v < lanes; ++v) {
      dst.re[i * lanes + v] = s[2 * (i * pitch + v)];
      dst.im[i * lanes + v] = s[2 * (i * pitch + v) + 1];
    }
  }
}

template <typename T>
void lanes_to_columns(std::complex<T>* dst, Split<const T> src, int64_t n, int64_t lanes,
                      int64_t pitch) {
  T* d = reinterpret_cast<T*>(dst);
#if defined(__AVX2__)
  if (lanes == kLanes<T>) {
    for (int64_t i = 0; i < n; ++i) {
      join_row(d + 2 * i * pitch, src.re + i * lanes, src.im + i * lanes);
    }
    return;
  }
#endif
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t v = 0; v < lanes; ++v) {
      d[2 * (i * pitch + v)] = src.re[i * lanes + v];
      d[2 * (i * pitch + v) + 1] = src.im[i * lanes + v];
    }
  }
}

template void pairs_to_lanes<float>(Split<float>, const float*, int64_t, int64_t, int64_t);
template void pairs_to_lanes<double>(Split<double>, const double*, int64_t, int64_t, int64_t);
template void lanes_to_pairs<float>(float*, Split<const float>, int64_t, int64_t, int64_t);
template void lanes_to_pairs<double>(double*, Split<const double>, int64_t, int64_t, int64_t);
template void split_spectrum_to_pairs<float>(float*, Split<const float>, const float*, const float*,
                                             int64_t, int64_t, int64_t);
template void split_spectrum_to_pairs<double>(double*, Split<const double>, const double*,
                                              const double*, int64_t, int64_t, int64_t);
template void columns_to_lanes<float>(Split<float>, const std::complex<float>*, int64_t, int64_t,
                                      int64_t);
template void columns_to_lanes<double>(Split<double>, const std::complex<double>*, int64_t, int64_t,
                                       int64_t);
template void lanes_to_columns<float>(std::complex<float>*, Split<const float>, int64_t, int64_t,
                                      int64_t);
template void lanes_to_columns<double>(std::complex<double>*, Split<const double>, int64_t, int64_t,
                                       int64_t);

}  // namespace fftune::cpu::fft::detail
