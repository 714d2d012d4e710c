// Lengths with a prime factor larger than 5 (7, 11, 4097 = 17*241, ...): Bluestein's algorithm
// turns the DFT into a cyclic convolution of smooth length m, done with the Stockham passes.
#include <cmath>
#include <cstdint>
#include <memory>

#include "ops/cpu/fft_internal.h"

namespace fftune::cpu::fft::detail {

// Note [Bluestein]
// ~~~~~~~~~~~~~~~~
// With j*k = (j^2 + k^2 - (k-j)^2) / 2 and the chirp c[k] = exp(-i*pi*k^2/n),
//
//     X[k] = sum_j x[j] exp(-2*pi*i*j*k/n) = c[k] * sum_j (x[j]*c[j]) * conj(c[k-j]),
//
// a linear convolution of a[j] = x[j]*c[j] with b = conj(c). Zero-padding a to m >= 2n-1 and
// wrapping b (b[k] and b[m-k] = conj(c[k]) for 0 <= k < n, zeros between) makes it a cyclic
// convolution of length m, computed as IDFT_m(DFT_m(a) * DFT_m(b)) / m. DFT_m(b)/m is fixed per
// n and precomputed in the plan ("kernel"); we pick m as the smallest 2^a*3^b*5^c >= 2n-1. The
// chirp's angle pi*k^2/n is periodic in k^2 mod 2n, which we reduce in exact integers before
// evaluating it in long double, so the chirp stays accurate for large k.
template <typename T>
std::shared_ptr<const ComplexPlan<T>> make_bluestein_plan(int64_t n) {
  auto plan = std::make_shared<ComplexPlan<T>>();
  plan->n = n;
  int64_t m = 2 * n - 1;
  while (!is_smooth(m)) ++m;
  plan->convolution = complex_plan<T>(m);

  const long double kPi = 3.141592653589793238462643383279502884L;
  std::vector<long double> chirp_re(n), chirp_im(n);
  for (int64_t k = 0; k < n; ++k) {
    const int64_t k2 = static_cast<int64_t>((static_cast<unsigned __int128>(k) * k) % (2 * n));
    const long double angle = kPi * static_cast<long double>(k2) / static_cast<long double>(n);
    chirp_re[k] = std::cos(angle);
    chirp_im[k] = -std::sin(angle);
  }
  plan->chirp_re.assign(chirp_re.begin(), chirp_re.end());
  plan->chirp_im.assign(chirp_im.begin(), chirp_im.end());

  // kernel = DFT_m(b) / m, computed with our own plan (one lane) in precision T.
  std::vector<T> b_re(m, T(0)), b_im(m, T(0)), work_re(m), work_im(m);
  const long double inv_m = 1.0L / static_cast<long double>(m);
  for (int64_t k = 0; k < n; ++k) {
    const T re = static_cast<T>(chirp_re[k] * inv_m), im = static_cast<T>(-chirp_im[k] * inv_m);
    b_re[k] = re;
    b_im[k] = im;
    if (k > 0) {
      b_re[m - k] = re;
      b_im[m - k] = im;
    }
  }
  Split<T> r = forward_lanes(*plan->convolution, Split<T>{b_re.data(), b_im.data()},
                             Split<T>{work_re.data(), work_im.data()}, 1);
  plan->kernel_re.assign(r.re, r.re + m);
  plan->kernel_im.assign(r.im, r.im + m);
  return plan;
}

template <typename T>
Split<T> bluestein_lanes(const ComplexPlan<T>& plan, Split<T> a, Split<T> b, int64_t lanes) {
  const int64_t n = plan.n, m = plan.convolution->n;
  // 1. b = x * chirp, zero-padded to m.
  for (int64_t k = 0; k < n; ++k) {
    const T cr = plan.chirp_re[k], ci = plan.chirp_im[k];
    for (int64_t v = 0; v < lanes; ++v) {
      const T xr = a.re[k * lanes + v], xi = a.im[k * lanes + v];
      b.re[k * lanes + v] = xr * cr - xi * ci;
      b.im[k * lanes + v] = xr * ci + xi * cr;
    }
  }
  for (int64_t i = n * lanes; i < m * lanes; ++i) b.re[i] = b.im[i] = T(0);

  // 2. Cyclic convolution with the kernel: forward, pointwise product, inverse.
  Split<T> f = forward_lanes(*plan.convolution, b, a, lanes);
  for (int64_t k = 0; k < m; ++k) {
    const T kr = plan.kernel_re[k], ki = plan.kernel_im[k];
    for (int64_t v = 0; v < lanes; ++v) {
      const T fr = f.re[k * lanes + v], fi = f.im[k * lanes + v];
      f.re[k * lanes + v] = fr * kr - fi * ki;
      f.im[k * lanes + v] = fr * ki + fi * kr;
    }
  }
  Split<T> g =
      transform_lanes(*plan.convolution, f, other_buffer(f, a, b), lanes, Direction::kInverse);

  // 3. X = chirp * convolution, in place.
  for (int64_t k = 0; k < n; ++k) {
    const T cr = plan.chirp_re[k], ci = plan.chirp_im[k];
    for (int64_t v = 0; v < lanes; ++v) {
      const T gr = g.re[k * lanes + v], gi = g.im[k * lanes + v];
      g.re[k * lanes + v] = gr * cr - gi * ci;
      g.im[k * lanes + v] = gr * ci + gi * cr;
    }
  }
  return g;
}

#define FFTUNE_FFT_INSTANTIATE(T)                                                 \
  template std::shared_ptr<const ComplexPlan<T>> make_bluestein_plan<T>(int64_t); \
  template Split<T> bluestein_lanes<T>(const ComplexPlan<T>&, Split<T>, Split<T>, int64_t);
FFTUNE_FFT_INSTANTIATE(float)
FFTUNE_FFT_INSTANTIATE(double)
#undef FFTUNE_FFT_INSTANTIATE

}  // namespace fftune::cpu::fft::detail
