// ops/cuda/spectral_kernels.cu under emulation, against cpu::hermitian_scatter,
// cpu::mirrored_gather and cpu::row_fft_gather: odd and even d2 (whether the Nyquist column is
// stored), entries on the self-mirrored row 0 and column 0, and repeated entries that make the
// atomics collide. The scatter runs both ways: with atomics (the default) and through the
// per-cell plan of deterministic mode (Note [deterministic spectral scatter]).
#include <gtest/gtest.h>

#include <complex>
#include <limits>
#include <random>

#include "ops/cpu/spectral_kernels.h"
#include "ops/cuda/spectral_kernels.h"

namespace fftune {
namespace {

template <typename T>
void check_spectral(int64_t N, int64_t d1, int64_t d2, double tol) {
  SCOPED_TRACE(::testing::Message() << "N=" << N << " d1=" << d1 << " d2=" << d2);
  std::mt19937_64 rng(d1 * 1000 + d2);
  std::uniform_int_distribution<int64_t> row(0, d1 - 1), col(0, d2 - 1);
  std::normal_distribution<T> normal;
  std::vector<int64_t> rows(N), cols(N);
  for (int64_t i = 0; i < N; ++i) rows[i] = row(rng), cols[i] = col(rng);
  rows[0] = 0, cols[0] = 0;                         // the DC cell mirrors onto itself
  if (N > 2) rows[2] = rows[1], cols[2] = cols[1];  // a duplicate entry
  std::vector<T> coeffs(N);
  for (T& c : coeffs) c = normal(rng);
  const std::complex<T> w(T(0.6), T(-0.8));
  const T scale = T(1.7);
  const int64_t h = d2 / 2 + 1, cells = d1 * h;

  std::vector<std::complex<T>> expected(cells), half(cells);
  cpu::hermitian_scatter(expected.data(), coeffs.data(), rows.data(), cols.data(), N, d1, d2, w,
                         scale);
  cuda::hermitian_scatter<T>(reinterpret_cast<T*>(half.data()), coeffs.data(), rows.data(),
                             cols.data(), N, d1, d2, w.real(), w.imag(), scale, nullptr);
  for (int64_t c = 0; c < cells; ++c) {
    EXPECT_NEAR(half[c].real(), expected[c].real(), tol) << c;
    EXPECT_NEAR(half[c].imag(), expected[c].imag(), tol) << c;
  }

  // Deterministic mode: the per-cell plan. The buffer is zeroed, as the caller does; the kernel
  // must write every touched cell (the others stay 0, which the comparison checks too).
  const cuda::HermitianScatterPlan plan =
      cuda::hermitian_scatter_plan(rows.data(), cols.data(), N, d1, d2);
  const int64_t touched = static_cast<int64_t>(plan.cells.size());
  std::vector<std::complex<T>> by_cell(cells);
  cuda::hermitian_scatter_by_cell<T>(reinterpret_cast<T*>(by_cell.data()), coeffs.data(),
                                     plan.cells.data(), plan.offsets.data(), plan.sources.data(),
                                     touched, w.real(), w.imag(), scale, nullptr);
  for (int64_t c = 0; c < cells; ++c) {
    EXPECT_NEAR(by_cell[c].real(), expected[c].real(), tol) << c;
    EXPECT_NEAR(by_cell[c].imag(), expected[c].imag(), tol) << c;
  }

  // The gather reads a random half spectrum.
  for (auto& v : half) v = {normal(rng), normal(rng)};
  std::vector<T> dref(N), dcoeffs(N, std::numeric_limits<T>::quiet_NaN());
  cpu::mirrored_gather(dref.data(), half.data(), rows.data(), cols.data(), N, d1, d2, w, scale);
  cuda::mirrored_gather<T>(dcoeffs.data(), reinterpret_cast<const T*>(half.data()), rows.data(),
                           cols.data(), N, d1, d2, w.real(), w.imag(), scale, nullptr);
  for (int64_t t = 0; t < N; ++t) EXPECT_NEAR(dcoeffs[t], dref[t], tol) << t;
}

// The plan of Note [deterministic spectral scatter] on a hand-checked case: a 4 x 4 spectrum
// (stored columns 0..2) with entries (0, 0) (self-conjugate), (1, 3) and (3, 1) (mirrors of
// each other) and (2, 2) (its own mirror, on the stored Nyquist column).
TEST(SpectralKernels, DeterministicScatterPlan) {
  const std::vector<int64_t> rows = {0, 1, 3, 2}, cols = {0, 3, 1, 2};
  const cuda::HermitianScatterPlan plan =
      cuda::hermitian_scatter_plan(rows.data(), cols.data(), 4, 4, 4);
  // Cells j·3 + k: (0,0) = 0 ← entry 0 direct and mirrored; (3,1) = 10 ← entry 1's mirror and
  // entry 2 direct; (2,2) = 8 ← entry 3 direct and mirrored. Entry 1's direct target (1, 3) and
  // entry 2's mirror (1, 3) are not stored.
  EXPECT_EQ(plan.cells, (std::vector<int64_t>{0, 8, 10}));
  EXPECT_EQ(plan.offsets, (std::vector<int64_t>{0, 2, 4, 6}));
  EXPECT_EQ(plan.sources, (std::vector<int64_t>{0, 1, 6, 7, 3, 4}));
  // Distinct entries give every cell at most two contributions.
  const std::vector<int64_t> r2 = {0, 5, 2, 6, 1}, c2 = {0, 3, 4, 1, 6};
  const cuda::HermitianScatterPlan p2 = cuda::hermitian_scatter_plan(r2.data(), c2.data(), 5, 7, 7);
  for (size_t c = 0; c + 1 < p2.offsets.size(); ++c)
    EXPECT_LE(p2.offsets[c + 1] - p2.offsets[c], 2);
}

// Both twins read the row spectra bins-major, (bins, tokens).
template <typename T>
void check_row_fft_gather(int64_t N, int64_t tokens, int64_t d1, int64_t d2, double tol) {
  SCOPED_TRACE(::testing::Message()
               << "N=" << N << " T=" << tokens << " d1=" << d1 << " d2=" << d2);
  std::mt19937_64 rng(tokens * 31 + d1 + d2);
  std::uniform_int_distribution<int64_t> row(0, d1 - 1), col(0, d2 - 1);
  std::normal_distribution<T> normal;
  const int64_t ha = d2 / 2 + 1, hb = d1 / 2 + 1;
  std::vector<int64_t> rows(N), cols(N);
  for (int64_t i = 0; i < N; ++i) rows[i] = row(rng), cols[i] = col(rng);
  rows[0] = d1 - 1, cols[0] = d2 - 1;  // both mirrored
  std::vector<std::complex<T>> a(ha * tokens), b(hb * tokens);
  for (auto& v : a) v = {normal(rng), normal(rng)};
  for (auto& v : b) v = {normal(rng), normal(rng)};
  const T scale = T(0.37);
  std::vector<T> expected(N), got(N, std::numeric_limits<T>::quiet_NaN());
  cpu::row_fft_gather<T>(expected.data(), a.data(), b.data(), rows.data(), cols.data(), N, tokens,
                         d1, d2, scale);
  cuda::row_fft_gather<T>(got.data(), reinterpret_cast<const T*>(a.data()),
                          reinterpret_cast<const T*>(b.data()), rows.data(), cols.data(), N, tokens,
                          d1, d2, scale, nullptr);
  for (int64_t i = 0; i < N; ++i)
    EXPECT_NEAR(got[i], expected[i], tol * (1 + std::abs(expected[i])));
}

TEST(SpectralKernels, RowFftGatherMatchesCpu) {
  check_row_fft_gather<float>(1, 1, 1, 1, 1e-5);
  check_row_fft_gather<float>(9, 33, 6, 7, 1e-5);     // fewer entries than a block has warps
  check_row_fft_gather<float>(70, 100, 12, 9, 1e-4);  // tokens not a multiple of 32
  check_row_fft_gather<double>(300, 64, 33, 40, 1e-12);
}

TEST(SpectralKernels, ScatterAndGatherMatchCpu) {
  check_spectral<float>(1, 1, 1, 1e-5);
  check_spectral<float>(50, 8, 6, 1e-5);
  check_spectral<float>(300, 33, 17, 1e-5);
  check_spectral<double>(1000, 64, 96, 1e-12);
  check_spectral<double>(257, 7, 9, 1e-12);
  check_spectral<float>(3, 1, 2, 1e-5);  // d1 = 1: every row is its own mirror
}

}  // namespace
}  // namespace fftune
