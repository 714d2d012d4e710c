// Batched 1-D real transforms: r2c (n reals -> n/2+1 bins) and c2r (n/2+1 bins -> n reals).
#include <algorithm>
#include <complex>
#include <cstdint>

#include "core/error.h"
#include "core/threading.h"
#include "ops/cpu/fft_internal.h"

namespace fftune::cpu::fft::detail {

// Note [Real FFT via a half-length complex FFT]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// For even n = 2h, pack the reals as z[j] = x[2j] + i*x[2j+1], j < h, and take Z = DFT_h(z).
// With E = DFT_h(x[even]) and O = DFT_h(x[odd]) (both spectra of real sequences, so
// E[h-k] = conj(E[k]) and likewise O), Z[k] = E[k] + i*O[k] gives
//
//     E[k] = (Z[k] + conj(Z[h-k])) / 2,   O[k] = (Z[k] - conj(Z[h-k])) / (2i)      (indices mod h)
//     X[k] = E[k] + w^k * O[k],           w = exp(-2*pi*i/n),  k = 0..h.
//
// The inverse (c2r) runs the same algebra backwards. Since w^h = -1, conj(X[h-k]) = E[k] -
// w^k*O[k], so E[k] = (X[k] + conj(X[h-k]))/2 and O[k] = w^-k * (X[k] - conj(X[h-k]))/2; an
// unnormalised inverse DFT_h of Z = 2*(E + i*O) yields n*x[2j] + i*n*x[2j+1] (the factor 2
// turns the length-h normalisation into the length-n one). Every bin X[k], 0 < k < h, is read
// once; the imaginary parts of X[0] and X[h] would leak into the result, so they are zeroed
// first (the numpy/pocketfft convention for a non-Hermitian half spectrum).
//
// Odd n has no such split: r2c runs a length-n complex DFT of (x, 0) and keeps bins 0..n/2;
// c2r rebuilds the full Hermitian spectrum (X[n-k] = conj(X[k])) and keeps the real part.

namespace {

// Even n: lane v of dst gets z[j] = x[2j] + i*x[2j+1] from src[v*dist + i*stride], j < h.
template <typename T>
void gather_real_pairs(Split<T> dst, const T* src, int64_t h, int64_t lanes, int64_t stride,
                       int64_t dist) {
  if (stride == 1) {
    pairs_to_lanes(dst, src, h, lanes, dist);
    return;
  }
  for (int64_t v = 0; v < lanes; ++v) {
    const T* lane = src + v * dist;
    for (int64_t j = 0; j < h; ++j) {
      dst.re[j * lanes + v] = lane[2 * j * stride];
      dst.im[j * lanes + v] = lane[(2 * j + 1) * stride];
    }
  }
}

// Odd n: lane v of dst gets (x[i], 0).
template <typename T>
void gather_real(Split<T> dst, const T* src, int64_t n, int64_t lanes, int64_t stride,
                 int64_t dist) {
  for (int64_t v = 0; v < lanes; ++v) {
    const T* lane = src + v * dist;
    for (int64_t i = 0; i < n; ++i) dst.re[i * lanes + v] = lane[i * stride];
  }
  std::fill(dst.im, dst.im + n * lanes, T(0));
}

// Even n: x[2j] = Re z[j], x[2j+1] = Im z[j].
template <typename T>
void scatter_real_pairs(T* dst, Split<const T> src, int64_t h, int64_t lanes, int64_t stride,
                        int64_t dist) {
  if (stride == 1) {
    lanes_to_pairs(dst, src, h, lanes, dist);
    return;
  }
  for (int64_t v = 0; v < lanes; ++v) {
    T* lane = dst + v * dist;
    for (int64_t j = 0; j < h; ++j) {
      lane[2 * j * stride] = src.re[j * lanes + v];
      lane[(2 * j + 1) * stride] = src.im[j * lanes + v];
    }
  }
}

// Odd n: x[i] = Re z[i].
template <typename T>
void scatter_real(T* dst, const T* src_re, int64_t n, int64_t lanes, int64_t stride, int64_t dist) {
  for (int64_t v = 0; v < lanes; ++v) {
    T* lane = dst + v * dist;
    for (int64_t i = 0; i < n; ++i) lane[i * stride] = src_re[i * lanes + v];
  }
}

// r2c, even n: X[k], k = 0..h, from Z = DFT_h(z) (Note [Real FFT via a half-length complex FFT]).
template <typename T>
void split_real_spectrum(Split<T> x, Split<const T> z, const RealPlan<T>& plan, int64_t lanes) {
  const int64_t h = plan.n / 2;
  for (int64_t k = 0; k <= h; ++k) {
    const T wr = plan.twiddle_re[k], wi = plan.twiddle_im[k];
    const T* ar = z.re + (k % h) * lanes;  // Z[k]
    const T* ai = z.im + (k % h) * lanes;
    const T* br = z.re + ((h - k) % h) * lanes;  // Z[h-k]
    const T* bi = z.im + ((h - k) % h) * lanes;
    T* xr = x.re + k * lanes;
    T* xi = x.im + k * lanes;
    FFTUNE_IVDEP
    for (int64_t v = 0; v < lanes; ++v) {
      const T even_re = T(0.5) * (ar[v] + br[v]), even_im = T(0.5) * (ai[v] - bi[v]);
      const T odd_re = T(0.5) * (ai[v] + bi[v]), odd_im = T(0.5) * (br[v] - ar[v]);
      xr[v] = even_re + wr * odd_re - wi * odd_im;
      xi[v] = even_im + wr * odd_im + wi * odd_re;
    }
  }
}

// c2r, even n: Z[k] = (X[k] + conj(X[h-k])) + i * w^-k * (X[k] - conj(X[h-k])), k < h.
template <typename T>
void merge_half_spectrum(Split<T> z, Split<const T> x, const RealPlan<T>& plan, int64_t lanes) {
  const int64_t h = plan.n / 2;
  for (int64_t k = 0; k < h; ++k) {
    const T wr = plan.twiddle_re[k], wi = plan.twiddle_im[k];  // w^-k = wr - i*wi
    const T* ar = x.re + k * lanes;
    const T* ai = x.im + k * lanes;
    const T* br = x.re + (h - k) * lanes;
    const T* bi = x.im + (h - k) * lanes;
    T* zr = z.re + k * lanes;
    T* zi = z.im + k * lanes;
    FFTUNE_IVDEP
    for (int64_t v = 0; v < lanes; ++v) {
      const T sum_re = ar[v] + br[v], sum_im = ai[v] - bi[v];
      const T dif_re = ar[v] - br[v], dif_im = ai[v] + bi[v];
      const T rot_re = wr * dif_re + wi * dif_im, rot_im = wr * dif_im - wi * dif_re;
      zr[v] = sum_re - rot_im;
      zi[v] = sum_im + rot_re;
    }
  }
}

template <typename T>
void r2c_tile(const RealPlan<T>& plan, const T* in, std::complex<T>* out, int64_t lanes,
              int64_t in_stride, int64_t in_dist, int64_t out_stride, int64_t out_dist) {
  const int64_t n = plan.n, bins = n / 2 + 1;
  Workspace<T> ws = thread_workspace<T>(plan.buffer_length() * lanes);
  if (plan.uses_half_length()) {
    gather_real_pairs(ws.a, in, n / 2, lanes, in_stride, in_dist);
    Split<T> z = transform_lanes(*plan.complex, ws.a, ws.b, lanes, Direction::kForward);
    if (out_stride == 1) {  // rows of contiguous bins: split and store in one go
      split_spectrum_to_pairs(reinterpret_cast<T*>(out), Split<const T>{z.re, z.im},
                              plan.twiddle_re.data(), plan.twiddle_im.data(), n / 2, lanes,
                              2 * out_dist);
      return;
    }
    Split<T> x = other_buffer(z, ws.a, ws.b);
    split_real_spectrum(x, Split<const T>{z.re, z.im}, plan, lanes);
    scatter_complex(out, Split<const T>{x.re, x.im}, bins, lanes, out_stride, out_dist);
  } else {
    gather_real(ws.a, in, n, lanes, in_stride, in_dist);
    Split<T> x = transform_lanes(*plan.complex, ws.a, ws.b, lanes, Direction::kForward);
    scatter_complex(out, Split<const T>{x.re, x.im}, bins, lanes, out_stride, out_dist);
  }
}

template <typename T>
void c2r_tile(const RealPlan<T>& plan, const std::complex<T>* in, T* out, int64_t lanes,
              int64_t in_stride, int64_t in_dist, int64_t out_stride, int64_t out_dist) {
  const int64_t n = plan.n, h = n / 2;
  Workspace<T> ws = thread_workspace<T>(plan.buffer_length() * lanes);
  gather_complex(ws.a, in, h + 1, lanes, in_stride, in_dist);
  std::fill(ws.a.im, ws.a.im + lanes, T(0));  // Im X[0] is ignored
  if (plan.uses_half_length()) {
    std::fill(ws.a.im + h * lanes, ws.a.im + (h + 1) * lanes, T(0));  // and Im X[n/2]
    merge_half_spectrum(ws.b, Split<const T>{ws.a.re, ws.a.im}, plan, lanes);
    Split<T> z = transform_lanes(*plan.complex, ws.b, ws.a, lanes, Direction::kInverse);
    scatter_real_pairs(out, Split<const T>{z.re, z.im}, h, lanes, out_stride, out_dist);
  } else {
    for (int64_t k = 1; k <= h; ++k) {  // X[n-k] = conj(X[k])
      for (int64_t v = 0; v < lanes; ++v) {
        ws.a.re[(n - k) * lanes + v] = ws.a.re[k * lanes + v];
        ws.a.im[(n - k) * lanes + v] = -ws.a.im[k * lanes + v];
      }
    }
    Split<T> x = transform_lanes(*plan.complex, ws.a, ws.b, lanes, Direction::kInverse);
    scatter_real(out, x.re, n, lanes, out_stride, out_dist);
  }
}

}  // namespace

template <typename T>
void r2c_batched(const RealPlan<T>& plan, const T* in, std::complex<T>* out, int64_t batch,
                 int64_t in_stride, int64_t in_dist, int64_t out_stride, int64_t out_dist) {
  const int64_t tiles = (batch + kLanes<T> - 1) / kLanes<T>;
#pragma omp parallel for num_threads(fftune::num_threads()) \
    schedule(dynamic) if (tiles > 1 && worth_threads(plan.n * batch))
  for (int64_t tile = 0; tile < tiles; ++tile) {
    const int64_t first = tile * kLanes<T>;
    r2c_tile(plan, in + first * in_dist, out + first * out_dist, std::min(kLanes<T>, batch - first),
             in_stride, in_dist, out_stride, out_dist);
  }
}

template <typename T>
void c2r_batched(const RealPlan<T>& plan, const std::complex<T>* in, T* out, int64_t batch,
                 int64_t in_stride, int64_t in_dist, int64_t out_stride, int64_t out_dist) {
  const int64_t tiles = (batch + kLanes<T> - 1) / kLanes<T>;
#pragma omp parallel for num_threads(fftune::num_threads()) \
    schedule(dynamic) if (tiles > 1 && worth_threads(plan.n * batch))
  for (int64_t tile = 0; tile < tiles; ++tile) {
    const int64_t first = tile * kLanes<T>;
    c2r_tile(plan, in + first * in_dist, out + first * out_dist, std::min(kLanes<T>, batch - first),
             in_stride, in_dist, out_stride, out_dist);
  }
}

#define FFTUNE_FFT_INSTANTIATE(T)                                                                \
  template void r2c_batched<T>(const RealPlan<T>&, const T*, std::complex<T>*, int64_t, int64_t, \
                               int64_t, int64_t, int64_t);                                       \
  template void c2r_batched<T>(const RealPlan<T>&, const std::complex<T>*, T*, int64_t, int64_t, \
                               int64_t, int64_t, int64_t);
FFTUNE_FFT_INSTANTIATE(float)
FFTUNE_FFT_INSTANTIATE(double)
#undef FFTUNE_FFT_INSTANTIATE

}  // namespace fftune::cpu::fft::detail

namespace fftune::cpu::fft {

template <typename T>
void r2c(const T* in, std::complex<T>* out, int64_t n, int64_t batch, int64_t in_stride,
         int64_t in_dist, int64_t out_stride, int64_t out_dist) {
  FFTUNE_CHECK(n >= 1, "fft::r2c: length n must be >= 1, got ", n);
  FFTUNE_CHECK(batch >= 0, "fft::r2c: batch must be >= 0, got ", batch);
  FFTUNE_CHECK(in != nullptr && out != nullptr, "fft::r2c: null data pointer");
  if (batch == 0) return;
  detail::r2c_batched(*detail::real_plan<T>(n), in, out, batch, in_stride, in_dist, out_stride,
                      out_dist);
}

template <typename T>
void c2r(const std::complex<T>* in, T* out, int64_t n, int64_t batch, int64_t in_stride,
         int64_t in_dist, int64_t out_stride, int64_t out_dist) {
  FFTUNE_CHECK(n >= 1, "fft::c2r: length n must be >= 1, got ", n);
  FFTUNE_CHECK(batch >= 0, "fft::c2r: batch must be >= 0, got ", batch);
  FFTUNE_CHECK(in != nullptr && out != nullptr, "fft::c2r: null data pointer");
  if (batch == 0) return;
  detail::c2r_batched(*detail::real_plan<T>(n), in, out, batch, in_stride, in_dist, out_stride,
                      out_dist);
}

template void r2c<float>(const float*, std::complex<float>*, int64_t, int64_t, int64_t, int64_t,
                         int64_t, int64_t);
template void r2c<double>(const double*, std::complex<double>*, int64_t, int64_t, int64_t, int64_t,
                          int64_t, int64_t);
template void c2r<float>(const std::complex<float>*, float*, int64_t, int64_t, int64_t, int64_t,
                         int64_t, int64_t);
template void c2r<double>(const std::complex<double>*, double*, int64_t, int64_t, int64_t, int64_t,
                          int64_t, int64_t);

}  // namespace fftune::cpu::fft
