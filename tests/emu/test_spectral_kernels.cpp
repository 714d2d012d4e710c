// ops/cuda/spectral_kernels.cu under emulation, against cpu::hermitian_scatter and
// cpu::mirrored_gather: odd and even d2 (whether the Nyquist column is stored), entries on the
// self-mirrored row 0 and column 0, and repeated entries that make the atomics collide.
#include <gtest/gtest.h>

#include <complex>
#include <limits>
#include <random>

#include "ops/cpu/spectral_kernels.h"
#include "ops/cuda/spectral_kernels.h"

namespace fftune {
namespace {

template <typename T>
void check_spectral(int64_t L, int64_t N, int64_t d1, int64_t d2, double tol) {
  SCOPED_TRACE(::testing::Message() << "L=" << L << " N=" << N << " d1=" << d1 << " d2=" << d2);
  std::mt19937_64 rng(d1 * 1000 + d2);
  std::uniform_int_distribution<int64_t> row(0, d1 - 1), col(0, d2 - 1);
  std::normal_distribution<T> normal;
  std::vector<int64_t> rows(N), cols(N);
  for (int64_t i = 0; i < N; ++i) rows[i] = row(rng), cols[i] = col(rng);
  rows[0] = 0, cols[0] = 0;                         // the DC cell mirrors onto itself
  if (N > 2) rows[2] = rows[1], cols[2] = cols[1];  // a duplicate entry
  std::vector<T> coeffs(L * N);
  for (T& c : coeffs) c = normal(rng);
  const std::complex<T> w(T(0.6), T(-0.8));
  const T scale = T(1.7);
  const int64_t h = d2 / 2 + 1, cells = L * d1 * h;

  std::vector<std::complex<T>> expected(cells), half(cells);
  cpu::hermitian_scatter(expected.data(), coeffs.data(), rows.data(), cols.data(), L, N, d1, d2, w,
                         scale);
  cuda::hermitian_scatter<T>(reinterpret_cast<T*>(half.data()), coeffs.data(), rows.data(),
                             cols.data(), L, N, d1, d2, w.real(), w.imag(), scale, nullptr);
  for (int64_t c = 0; c < cells; ++c) {
    EXPECT_NEAR(half[c].real(), expected[c].real(), tol) << c;
    EXPECT_NEAR(half[c].imag(), expected[c].imag(), tol) << c;
  }

  // The gather reads a random half spectrum.
  for (auto& v : half) v = {normal(rng), normal(rng)};
  std::vector<T> dref(L * N), dcoeffs(L * N, std::numeric_limits<T>::quiet_NaN());
  cpu::mirrored_gather(dref.data(), half.data(), rows.data(), cols.data(), L, N, d1, d2, w, scale);
  cuda::mirrored_gather<T>(dcoeffs.data(), reinterpret_cast<const T*>(half.data()), rows.data(),
                           cols.data(), L, N, d1, d2, w.real(), w.imag(), scale, nullptr);
  for (int64_t t = 0; t < L * N; ++t) EXPECT_NEAR(dcoeffs[t], dref[t], tol) << t;
}

TEST(SpectralKernels, ScatterAndGatherMatchCpu) {
  check_spectral<float>(1, 1, 1, 1, 1e-5);
  check_spectral<float>(3, 50, 8, 6, 1e-5);
  check_spectral<float>(2, 300, 33, 17, 1e-5);
  check_spectral<double>(4, 1000, 64, 96, 1e-12);
  check_spectral<double>(1, 257, 7, 9, 1e-12);
}

}  // namespace
}  // namespace fftune
