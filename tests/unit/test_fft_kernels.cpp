// Tests of ops/cpu/fft against a naive O(n^2) DFT evaluated in long double, plus identities
// (Parseval, round trips), layouts (strides, batches, in place) and 2-D transforms.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/threading.h"
#include "ops/cpu/fft.h"

namespace fftune::cpu::fft {
namespace {

using Wide = long double;
using WideComplex = std::complex<Wide>;

// ---- references --------------------------------------------------------------------------------

// Naive DFT: X[k] = sum_j x[j] exp(sign*2*pi*i*j*k/n), sign = -1 forward, +1 inverse. The root
// table is indexed by j*k mod n, so every term uses a correctly rounded long double root.
std::vector<WideComplex> naive_dft(const std::vector<WideComplex>& x, int sign) {
  const int64_t n = static_cast<int64_t>(x.size());
  const Wide kTwoPi = 6.283185307179586476925286766559L;
  std::vector<Wide> root_re(n), root_im(n);
  for (int64_t t = 0; t < n; ++t) {
    root_re[t] = std::cos(kTwoPi * t / n);
    root_im[t] = sign * std::sin(kTwoPi * t / n);
  }
  std::vector<WideComplex> y(n);
  for (int64_t k = 0; k < n; ++k) {
    Wide sum_re = 0, sum_im = 0;
    int64_t index = 0;  // j*k mod n
    for (int64_t j = 0; j < n; ++j) {
      const Wide xr = x[j].real(), xi = x[j].imag();
      sum_re += xr * root_re[index] - xi * root_im[index];
      sum_im += xr * root_im[index] + xi * root_re[index];
      index += k;
      if (index >= n) index -= n;
    }
    y[k] = WideComplex(sum_re, sum_im);
  }
  return y;
}

// Naive 2-D DFT of a row-major (n0, n1) array: rows, then columns.
std::vector<WideComplex> naive_dft_2d(const std::vector<WideComplex>& x, int64_t n0, int64_t n1,
                                      int sign) {
  std::vector<WideComplex> y(x.size()), line;
  for (int64_t r = 0; r < n0; ++r) {
    line.assign(x.begin() + r * n1, x.begin() + (r + 1) * n1);
    line = naive_dft(line, sign);
    std::copy(line.begin(), line.end(), y.begin() + r * n1);
  }
  for (int64_t c = 0; c < n1; ++c) {
    line.resize(n0);
    for (int64_t r = 0; r < n0; ++r) line[r] = y[r * n1 + c];
    line = naive_dft(line, sign);
    for (int64_t r = 0; r < n0; ++r) y[r * n1 + c] = line[r];
  }
  return y;
}

// ---- helpers -----------------------------------------------------------------------------------

template <typename T>
std::vector<std::complex<T>> random_complex(int64_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<std::complex<T>> x(n);
  for (auto& v : x) v = std::complex<T>(static_cast<T>(u(gen)), static_cast<T>(u(gen)));
  return x;
}

template <typename T>
std::vector<T> random_real(int64_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<T> x(n);
  for (auto& v : x) v = static_cast<T>(u(gen));
  return x;
}

template <typename T>
std::vector<WideComplex> widen(const std::vector<std::complex<T>>& x) {
  return std::vector<WideComplex>(x.begin(), x.end());
}

template <typename T>
std::vector<WideComplex> widen(const std::vector<T>& x) {
  return std::vector<WideComplex>(x.begin(), x.end());
}

// ||y - ref|| / ||ref|| over the first `count` entries (all when count < 0).
template <typename V>
double relative_l2(const std::vector<V>& y, const std::vector<WideComplex>& ref,
                   int64_t count = -1) {
  if (count < 0) count = static_cast<int64_t>(ref.size());
  Wide err = 0, norm = 0;
  for (int64_t i = 0; i < count; ++i) {
    err += std::norm(WideComplex(y[i]) - ref[i]);
    norm += std::norm(ref[i]);
  }
  return norm == 0 ? std::sqrt(static_cast<double>(err))
                   : std::sqrt(static_cast<double>(err / norm));
}

// The accuracy bound: 2e-6 * log2(n) in f32, 1e-14 * log2(n) in f64, with log2(n) >= 1.
template <typename T>
double tolerance(int64_t n) {
  const double log_n = std::max(std::log2(static_cast<double>(n)), 1.0);
  return (sizeof(T) == 4 ? 2e-6 : 1e-14) * log_n;
}

// A random half spectrum (n/2+1 bins) that is the spectrum of a real signal: bin 0 and, for even
// n, bin n/2 are real.
template <typename T>
std::vector<std::complex<T>> random_half_spectrum(int64_t n, uint64_t seed) {
  auto half = random_complex<T>(n / 2 + 1, seed);
  half[0].imag(0);
  if (n % 2 == 0) half[n / 2].imag(0);
  return half;
}

// The full Hermitian extension of a half spectrum: X[n-k] = conj(X[k]).
std::vector<WideComplex> hermitian_extension(const std::vector<WideComplex>& half, int64_t n) {
  std::vector<WideComplex> full(n);
  for (int64_t k = 0; k <= n / 2; ++k) full[k] = half[k];
  for (int64_t k = n / 2 + 1; k < n; ++k) full[k] = std::conj(half[n - k]);
  return full;
}

std::vector<int64_t> test_lengths() {
  std::vector<int64_t> lengths;
  for (int64_t n = 1; n <= 64; ++n) lengths.push_back(n);
  for (int64_t n : {100, 384, 768, 1000, 1024, 3072, 4096, 4097}) lengths.push_back(n);
  return lengths;
}

template <typename T>
class FftKernels : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(FftKernels, Precisions);

// ---- 1-D against the naive DFT ------------------------------------------------------------------

TYPED_TEST(FftKernels, C2cMatchesNaiveDftForEveryLength) {
  using T = TypeParam;
  for (int64_t n : test_lengths()) {
    const auto x = random_complex<T>(n, 100 + n);
    std::vector<std::complex<T>> y(n);
    for (Direction dir : {Direction::kForward, Direction::kInverse}) {
      c2c(x.data(), y.data(), n, 1, 1, n, 1, n, dir);
      const auto ref = naive_dft(widen(x), dir == Direction::kForward ? -1 : +1);
      EXPECT_LT(relative_l2(y, ref), tolerance<T>(n))
          << "n=" << n << (dir == Direction::kForward ? " forward" : " inverse");
    }
  }
}

TYPED_TEST(FftKernels, R2cMatchesNaiveDftForEveryLength) {
  using T = TypeParam;
  for (int64_t n : test_lengths()) {
    const auto x = random_real<T>(n, 200 + n);
    std::vector<std::complex<T>> y(n / 2 + 1);
    r2c(x.data(), y.data(), n, 1, 1, n, 1, n / 2 + 1);
    const auto ref = naive_dft(widen(x), -1);
    EXPECT_LT(relative_l2(y, ref, n / 2 + 1), tolerance<T>(n)) << "n=" << n;
  }
}

TYPED_TEST(FftKernels, C2rMatchesNaiveDftForEveryLength) {
  using T = TypeParam;
  for (int64_t n : test_lengths()) {
    const auto half = random_half_spectrum<T>(n, 300 + n);
    std::vector<T> y(n);
    c2r(half.data(), y.data(), n, 1, 1, n / 2 + 1, 1, n);
    const auto ref = naive_dft(hermitian_extension(widen(half), n), +1);
    EXPECT_LT(relative_l2(y, ref), tolerance<T>(n)) << "n=" << n;
  }
}

TYPED_TEST(FftKernels, C2rIgnoresImaginaryPartsOfSelfConjugateBinsAndKeepsItsInput) {
  using T = TypeParam;
  for (int64_t n : {1, 2, 7, 8, 15, 16, 100, 4097}) {
    const auto clean = random_half_spectrum<T>(n, 400 + n);
    auto dirty = clean;
    dirty[0].imag(T(0.75));
    if (n % 2 == 0) dirty[n / 2].imag(T(-0.5));
    const auto dirty_copy = dirty;
    std::vector<T> from_clean(n), from_dirty(n);
    c2r(clean.data(), from_clean.data(), n, 1, 1, n / 2 + 1, 1, n);
    c2r(dirty.data(), from_dirty.data(), n, 1, 1, n / 2 + 1, 1, n);
    EXPECT_EQ(from_clean, from_dirty) << "n=" << n;
    EXPECT_EQ(dirty, dirty_copy) << "n=" << n << ": c2r modified its input";
  }
}

// ---- identities ---------------------------------------------------------------------------------

TYPED_TEST(FftKernels, ParsevalAndRoundTripsOnRandomInputs) {
  using T = TypeParam;
  for (int64_t n : {5, 12, 31, 97, 256, 480, 1000, 2310}) {
    const double tol = tolerance<T>(n);
    // c2c: sum |X|^2 = n * sum |x|^2, and inverse(forward(x)) = n * x.
    const auto x = random_complex<T>(n, 500 + n);
    std::vector<std::complex<T>> spectrum(n), back(n);
    c2c(x.data(), spectrum.data(), n, 1, 1, n, 1, n, Direction::kForward);
    c2c(spectrum.data(), back.data(), n, 1, 1, n, 1, n, Direction::kInverse);
    Wide energy_x = 0, energy_spectrum = 0;
    for (int64_t i = 0; i < n; ++i) {
      energy_x += std::norm(WideComplex(x[i]));
      energy_spectrum += std::norm(WideComplex(spectrum[i]));
    }
    EXPECT_NEAR(static_cast<double>(energy_spectrum / (n * energy_x)), 1.0, 2 * tol) << n;
    std::vector<WideComplex> scaled(n);
    for (int64_t i = 0; i < n; ++i) scaled[i] = WideComplex(x[i]) * Wide(n);
    EXPECT_LT(relative_l2(back, scaled), 2 * tol) << "c2c round trip n=" << n;

    // r2c: Parseval over the half spectrum (interior bins count twice), c2r(r2c(x)) = n * x.
    const auto r = random_real<T>(n, 600 + n);
    std::vector<std::complex<T>> half(n / 2 + 1);
    std::vector<T> real_back(n);
    r2c(r.data(), half.data(), n, 1, 1, n, 1, n / 2 + 1);
    c2r(half.data(), real_back.data(), n, 1, 1, n / 2 + 1, 1, n);
    Wide energy_r = 0, energy_half = 0;
    for (int64_t i = 0; i < n; ++i) energy_r += Wide(r[i]) * Wide(r[i]);
    for (int64_t k = 0; k <= n / 2; ++k) {
      const bool self_conjugate = k == 0 || 2 * k == n;
      energy_half += (self_conjugate ? 1 : 2) * std::norm(WideComplex(half[k]));
    }
    EXPECT_NEAR(static_cast<double>(energy_half / (n * energy_r)), 1.0, 2 * tol) << n;
    std::vector<WideComplex> real_scaled(n);
    for (int64_t i = 0; i < n; ++i) real_scaled[i] = Wide(r[i]) * Wide(n);
    EXPECT_LT(relative_l2(real_back, real_scaled), 2 * tol) << "r2c/c2r round trip n=" << n;
  }
}

// ---- layouts ------------------------------------------------------------------------------------

// Batches that span several tiles (kLanes is 16 for f32, 8 for f64) plus a partial one, with
// strides and gaps between transforms on both sides.
TYPED_TEST(FftKernels, C2cStridedBatches) {
  using T = TypeParam;
  for (int64_t n : {1, 7, 12, 64, 100}) {
    const int64_t batch = 37, in_stride = 2, in_dist = 2 * n + 3, out_stride = 3,
                  out_dist = 3 * n + 1;
    const auto in = random_complex<T>(batch * in_dist, 700 + n);
    std::vector<std::complex<T>> out(batch * out_dist, std::complex<T>(T(7), T(7)));
    c2c(in.data(), out.data(), n, batch, in_stride, in_dist, out_stride, out_dist,
        Direction::kInverse);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<WideComplex> x(n);
      std::vector<std::complex<T>> y(n);
      for (int64_t i = 0; i < n; ++i) {
        x[i] = WideComplex(in[b * in_dist + i * in_stride]);
        y[i] = out[b * out_dist + i * out_stride];
      }
      EXPECT_LT(relative_l2(y, naive_dft(x, +1)), tolerance<T>(n)) << "n=" << n << " b=" << b;
    }
    // Gaps in the output are untouched.
    EXPECT_EQ(out[1], std::complex<T>(T(7), T(7)));
  }
}

TYPED_TEST(FftKernels, C2cInterleavedColumnsAndInPlace) {
  using T = TypeParam;
  // Transform b's element i at b + i*batch (dist 1): the columns of a (n, batch) array, in place.
  const int64_t n = 30, batch = 21;
  const auto original = random_complex<T>(n * batch, 800);
  auto data = original;
  c2c(data.data(), data.data(), n, batch, batch, 1, batch, 1, Direction::kForward);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<WideComplex> x(n);
    std::vector<std::complex<T>> y(n);
    for (int64_t i = 0; i < n; ++i) {
      x[i] = WideComplex(original[b + i * batch]);
      y[i] = data[b + i * batch];
    }
    EXPECT_LT(relative_l2(y, naive_dft(x, -1)), tolerance<T>(n)) << "b=" << b;
  }
}

TYPED_TEST(FftKernels, RealTransformsStridedBatches) {
  using T = TypeParam;
  for (int64_t n : {1, 2, 9, 10, 22, 64}) {
    const int64_t bins = n / 2 + 1, batch = 19;
    const int64_t real_stride = 2, real_dist = 2 * n + 1, spec_stride = 3, spec_dist = 3 * bins + 2;
    const auto x = random_real<T>(batch * real_dist, 900 + n);
    std::vector<std::complex<T>> spectrum(batch * spec_dist);
    r2c(x.data(), spectrum.data(), n, batch, real_stride, real_dist, spec_stride, spec_dist);
    std::vector<T> back(batch * real_dist, T(0));
    c2r(spectrum.data(), back.data(), n, batch, spec_stride, spec_dist, real_stride, real_dist);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<WideComplex> signal(n), scaled(n);
      std::vector<std::complex<T>> y(bins);
      std::vector<T> z(n);
      for (int64_t i = 0; i < n; ++i) {
        signal[i] = Wide(x[b * real_dist + i * real_stride]);
        scaled[i] = signal[i] * Wide(n);
        z[i] = back[b * real_dist + i * real_stride];
      }
      for (int64_t k = 0; k < bins; ++k) y[k] = spectrum[b * spec_dist + k * spec_stride];
      EXPECT_LT(relative_l2(y, naive_dft(signal, -1), bins), tolerance<T>(n))
          << "r2c n=" << n << " b=" << b;
      EXPECT_LT(relative_l2(z, scaled), 2 * tolerance<T>(n)) << "c2r n=" << n << " b=" << b;
    }
  }
}

// Contiguous rows (the activations of FourierFT's backward): full tiles of rows plus a partial
// one, bins that do and do not fill the 4-bin (f32) / 2-bin (f64) store blocks.
TYPED_TEST(FftKernels, R2cContiguousRowBatches) {
  using T = TypeParam;
  for (int64_t n : {2, 10, 12, 64, 100, 768}) {
    const int64_t bins = n / 2 + 1, batch = 37;
    const auto x = random_real<T>(batch * n, 1400 + n);
    std::vector<std::complex<T>> y(batch * bins);
    r2c(x.data(), y.data(), n, batch, 1, n, 1, bins);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<T> row(x.begin() + b * n, x.begin() + (b + 1) * n);
      std::vector<std::complex<T>> got(y.begin() + b * bins, y.begin() + (b + 1) * bins);
      EXPECT_LT(relative_l2(got, naive_dft(widen(row), -1), bins), tolerance<T>(n))
          << "n=" << n << " b=" << b;
    }
  }
}

// ---- 2-D ----------------------------------------------------------------------------------------

struct Shape2d {
  int64_t n0, n1;
};
// Odd and even, one and several tiles of rows and of columns (16 lanes in f32, 8 in f64), and a
// Bluestein column length (34 = 2*17).
const Shape2d kShapes2d[] = {{1, 1},  {3, 5},  {6, 4},   {7, 9},  {16, 12},
                             {5, 34}, {20, 2}, {34, 40}, {48, 66}};

TYPED_TEST(FftKernels, C2c2dMatchesNaiveDft) {
  using T = TypeParam;
  const int64_t batch = 3;
  for (const Shape2d& s : kShapes2d) {
    const int64_t size = s.n0 * s.n1;
    const double tol = tolerance<T>(size);
    const auto x = random_complex<T>(batch * size, 1000 + size);
    for (Direction dir : {Direction::kForward, Direction::kInverse}) {
      std::vector<std::complex<T>> y(batch * size);
      c2c_2d(x.data(), y.data(), batch, s.n0, s.n1, dir);
      auto in_place = x;
      c2c_2d(in_place.data(), in_place.data(), batch, s.n0, s.n1, dir);
      EXPECT_EQ(in_place, y);
      for (int64_t b = 0; b < batch; ++b) {
        std::vector<std::complex<T>> xb(x.begin() + b * size, x.begin() + (b + 1) * size);
        std::vector<std::complex<T>> yb(y.begin() + b * size, y.begin() + (b + 1) * size);
        const auto ref = naive_dft_2d(widen(xb), s.n0, s.n1, dir == Direction::kForward ? -1 : 1);
        EXPECT_LT(relative_l2(yb, ref), tol) << s.n0 << "x" << s.n1 << " b=" << b;
      }
    }
  }
}

TYPED_TEST(FftKernels, RealTransforms2dMatchNaiveDft) {
  using T = TypeParam;
  const int64_t batch = 3;
  for (const Shape2d& s : kShapes2d) {
    const int64_t size = s.n0 * s.n1, bins = s.n1 / 2 + 1, half_size = s.n0 * bins;
    const double tol = tolerance<T>(size);
    const auto x = random_real<T>(batch * size, 1100 + size);
    std::vector<std::complex<T>> spectrum(batch * half_size);
    r2c_2d(x.data(), spectrum.data(), batch, s.n0, s.n1);
    const auto spectrum_copy = spectrum;
    std::vector<T> back(batch * size);
    c2r_2d(spectrum.data(), back.data(), batch, s.n0, s.n1);
    EXPECT_EQ(spectrum, spectrum_copy) << "c2r_2d modified its input";
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<T> xb(x.begin() + b * size, x.begin() + (b + 1) * size);
      const auto full = naive_dft_2d(widen(xb), s.n0, s.n1, -1);
      // r2c_2d keeps columns 0..n1/2 of the full 2-D spectrum.
      std::vector<WideComplex> ref_half(half_size);
      std::vector<std::complex<T>> got_half(spectrum.begin() + b * half_size,
                                            spectrum.begin() + (b + 1) * half_size);
      for (int64_t r = 0; r < s.n0; ++r) {
        for (int64_t c = 0; c < bins; ++c) ref_half[r * bins + c] = full[r * s.n1 + c];
      }
      EXPECT_LT(relative_l2(got_half, ref_half), tol) << "r2c_2d " << s.n0 << "x" << s.n1;
      // c2r_2d of that (Hermitian-consistent) half spectrum is the naive inverse of the full
      // spectrum, which is n0*n1*x.
      const auto ref_back = naive_dft_2d(full, s.n0, s.n1, +1);
      std::vector<T> got_back(back.begin() + b * size, back.begin() + (b + 1) * size);
      EXPECT_LT(relative_l2(got_back, ref_back), 2 * tol) << "c2r_2d " << s.n0 << "x" << s.n1;
    }
  }
}

// ---- threads, plans, errors ---------------------------------------------------------------------

// Tiles are assigned to threads but computed identically, so results do not depend on the
// thread count.
TYPED_TEST(FftKernels, ResultsDoNotDependOnThreadCount) {
  using T = TypeParam;
  const int64_t batch = 2, n0 = 96, n1 = 100;
  const auto x = random_real<T>(batch * n0 * n1, 1200);
  std::vector<std::complex<T>> one(batch * n0 * (n1 / 2 + 1)), two(one.size());
  const int saved = fftune::num_threads();
  fftune::set_num_threads(1);
  r2c_2d(x.data(), one.data(), batch, n0, n1);
  fftune::set_num_threads(2);
  r2c_2d(x.data(), two.data(), batch, n0, n1);
  fftune::set_num_threads(saved);
  EXPECT_EQ(one, two);
}

// Many threads asking the plan cache for the same and different lengths at once all get plans
// that compute the right answer.
TYPED_TEST(FftKernels, PlanCacheIsThreadSafe) {
  using T = TypeParam;
  const std::vector<int64_t> lengths = {250, 251, 1021, 1536, 2000, 2003, 625, 243};
  std::vector<double> errors(16, 1.0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      const int64_t n = lengths[t % lengths.size()];
      const auto x = random_complex<T>(n, 1300 + t);
      std::vector<std::complex<T>> y(n), back(n);
      c2c(x.data(), y.data(), n, 1, 1, n, 1, n, Direction::kForward);
      c2c(y.data(), back.data(), n, 1, 1, n, 1, n, Direction::kInverse);
      std::vector<WideComplex> scaled(n);
      for (int64_t i = 0; i < n; ++i) scaled[i] = WideComplex(x[i]) * Wide(n);
      errors[t] = relative_l2(back, scaled) / tolerance<T>(n);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 16; ++t) EXPECT_LT(errors[t], 2.0) << "thread " << t;
}

TEST(FftKernelsErrors, RejectsBadArguments) {
  std::vector<std::complex<float>> c(8);
  std::vector<float> r(8);
  EXPECT_THROW(c2c(c.data(), c.data(), 0, 1, 1, 1, 1, 1, Direction::kForward), fftune::Error);
  EXPECT_THROW(c2c(c.data(), c.data(), 4, -1, 1, 4, 1, 4, Direction::kForward), fftune::Error);
  EXPECT_THROW(r2c(r.data(), c.data(), 0, 1, 1, 1, 1, 1), fftune::Error);
  EXPECT_THROW(c2r(c.data(), r.data(), -3, 1, 1, 1, 1, 1), fftune::Error);
  EXPECT_THROW(r2c_2d(r.data(), c.data(), 1, 0, 4), fftune::Error);
  EXPECT_THROW(c2r_2d(c.data(), r.data(), 1, 2, 0), fftune::Error);
  EXPECT_THROW(c2c_2d(c.data(), c.data(), -1, 2, 2, Direction::kInverse), fftune::Error);
  // A zero batch is a valid no-op.
  EXPECT_NO_THROW(c2c(c.data(), c.data(), 4, 0, 1, 4, 1, 4, Direction::kForward));
}

}  // namespace
}  // namespace fftune::cpu::fft
