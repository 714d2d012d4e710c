// fourierft/spectral_delta.cpp and ops/cpu/spectral_kernels.cpp: the FourierFT ΔW through the
// Hermitian half-spectrum fast path against the plain definition, gradients, and the Hermitian
// property of the scattered half spectrum.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>

#include "fourierft/spectral_delta.h"
#include "ops/cpu/spectral_kernels.h"
#include "tests/support/test_support.h"

namespace fftune::fourierft {
namespace {

using testing::random_tensor;

// Entries that exercise every case of Note [Hermitian half-spectrum scatter]: the self-conjugate
// (0, 0), column 0, the Nyquist column for even d2, a column past ⌊d2/2⌋, and an entry whose
// mirror is also an entry.
SpectralEntries tricky_entries(int64_t d1, int64_t d2) {
  SpectralEntries e;
  e.d1 = d1;
  e.d2 = d2;
  auto add = [&](int64_t j, int64_t k) {
    j = ((j % d1) + d1) % d1;
    k = ((k % d2) + d2) % d2;
    for (size_t i = 0; i < e.rows.size(); ++i)
      if (e.rows[i] == j && e.cols[i] == k) return;
    e.rows.push_back(j);
    e.cols.push_back(k);
  };
  add(0, 0);
  add(1, 0);
  add(d1 - 1, 0);  // the mirror of (1, 0)
  add(2 % d1, d2 / 2);
  add(1, d2 - 1);  // column past ⌊d2/2⌋: only its mirror (d1−1, 1) is stored
  add(d1 - 1, 1);  // ... which is itself an entry
  add(d1 / 2, 1);
  add(d1 - 2 % d1, d2 - 2 % d2);
  return e;
}

// The definition: ΔW[p, q] = α/(d1·d2) · Σ_l c_l · cos(2π(j_l·p/d1 + k_l·q/d2)), in double.
Tensor delta_by_definition(const Tensor& coeffs, const SpectralEntries& e, double alpha) {
  const auto c = to_vector<double>(coeffs.to(DType::f64));
  std::vector<double> w(e.d1 * e.d2, 0.0);
  for (int64_t p = 0; p < e.d1; ++p)
    for (int64_t q = 0; q < e.d2; ++q)
      for (int64_t l = 0; l < e.size(); ++l)
        w[p * e.d2 + q] += c[l] * std::cos(2 * M_PI *
                                           (static_cast<double>(e.rows[l] * p) / e.d1 +
                                            static_cast<double>(e.cols[l] * q) / e.d2));
  for (double& v : w) v *= alpha / (e.d1 * e.d2);
  return from_vector<double>(w, {e.d1, e.d2});
}

// The plain path, as peft computes it — the readable spec the fast path must equal:
// a dense complex spectrum with the coefficients scattered in, a complex ifft2, its real part.
Tensor delta_by_plain_path(const Tensor& coeffs, const SpectralEntries& e, double alpha) {
  std::vector<int64_t> flat(e.size());
  for (int64_t l = 0; l < e.size(); ++l) flat[l] = e.rows[l] * e.d2 + e.cols[l];
  const Tensor index = from_vector<int64_t>(flat, {e.size()});
  const Tensor dense = scatter_add(zeros({e.d1 * e.d2}, coeffs.dtype()), 0, index, coeffs);
  const Tensor spectrum = complex(dense.reshape({e.d1, e.d2}), zeros({}, coeffs.dtype()));
  return mul(real(ifft2(spectrum)), alpha);
}

const std::vector<std::pair<int64_t, int64_t>> kShapes = {{8, 6}, {7, 5}, {6, 9},
                                                          {5, 8}, {1, 4}, {3, 1}};

TEST(SpectralDelta, FastPathMatchesTheDefinition) {
  for (auto [d1, d2] : kShapes) {
    SCOPED_TRACE(::testing::Message() << d1 << "x" << d2);
    const SpectralEntries e = tricky_entries(d1, d2);
    const Tensor c = random_tensor({e.size()}, DType::f64, 1, false);
    EXPECT_ALL_CLOSE(fourierft_delta(c, e, 300.0), delta_by_definition(c, e, 300.0), 1e-12, 1e-12);
    EXPECT_ALL_CLOSE(fourierft_delta(c, e, 300.0), delta_by_plain_path(c, e, 300.0), 1e-12, 1e-12);
    // f32 agrees with the f64 definition to float precision.
    EXPECT_ALL_CLOSE(fourierft_delta(c.to(DType::f32), e, 300.0), delta_by_definition(c, e, 300.0),
                     1e-5, 1e-5);
  }
  // Uniform peft entries at a realistic size.
  const SpectralEntries e = uniform_entries(48, 40, 200, 2024);
  const Tensor c = random_tensor({200}, DType::f64, 2, false);
  EXPECT_ALL_CLOSE(fourierft_delta(c, e, 29.0), delta_by_definition(c, e, 29.0), 1e-12, 1e-12);
}

TEST(SpectralDelta, GradcheckOddAndEvenSizes) {
  for (auto [d1, d2] : kShapes) {
    SCOPED_TRACE(::testing::Message() << d1 << "x" << d2);
    const SpectralEntries e = tricky_entries(d1, d2);
    EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return fourierft_delta(in[0], e, 3.0); },
                     {random_tensor({e.size()}, DType::f64, 3)});
  }
}

TEST(SpectralDelta, PlainPathGradcheckAndAgreementOfGradients) {
  for (auto [d1, d2] : kShapes) {
    SCOPED_TRACE(::testing::Message() << d1 << "x" << d2);
    const SpectralEntries e = tricky_entries(d1, d2);
    Tensor c = random_tensor({e.size()}, DType::f64, 7);
    EXPECT_GRADCHECK(
        [&](const std::vector<Tensor>& in) { return delta_by_plain_path(in[0], e, 3.0); }, {c});
    // Both paths give the same coefficient gradient for one upstream gradient (1e-6 relative is
    // the bar; in f64 they agree far closer).
    const Tensor g = random_tensor({d1, d2}, DType::f64, 8, false);
    c.set_grad(Tensor());  // gradcheck left its own gradient here
    fourierft_delta(c, e, 3.0).backward(g);
    const Tensor fast = c.grad();
    c.set_grad(Tensor());
    delta_by_plain_path(c, e, 3.0).backward(g);
    EXPECT_ALL_CLOSE(fast, c.grad(), 1e-10, 1e-12);
    // And in f32 the fast path agrees with the plain path to 1e-6 relative.
    const Tensor c32 = c.detach().to(DType::f32);
    EXPECT_ALL_CLOSE(fourierft_delta(c32, e, 3.0), delta_by_plain_path(c32, e, 3.0), 1e-6, 1e-6);
  }
}

TEST(SpectralDelta, ArgumentErrors) {
  const SpectralEntries e = uniform_entries(4, 4, 5, 1);
  EXPECT_FFTUNE_ERROR(fourierft_delta(zeros({4}), e, 1.0), "N = 5 entries");
  EXPECT_FFTUNE_ERROR(fourierft_delta(zeros({2, 2, 5}), e, 1.0), "N = 5 entries");
  EXPECT_FFTUNE_ERROR(fourierft_delta(zeros({2, 5}), e, 1.0), "coeffs must be (N)");
  EXPECT_FFTUNE_ERROR(spectral_delta_backward(zeros({4, 5}), e, 1.0, {0.5, 0.0}),
                      "the gradient must be (4, 4)");
  EXPECT_FFTUNE_ERROR(fourierft_delta(zeros({5}, DType::i64), e, 1.0), "f32 or f64");
}

// The scattered half spectrum must be Hermitian along the rows in its self-mirrored columns
// (column 0, and column d2/2 for even d2): a C2R assumes it, and cuFFT's result is undefined
// otherwise. A missing mirror would still pass a CPU comparison against numpy, which silently
// projects the column.
TEST(SpectralKernels, ScatterIsHermitianInSelfMirroredColumns) {
  for (auto [d1, d2] : kShapes) {
    SCOPED_TRACE(::testing::Message() << d1 << "x" << d2);
    const SpectralEntries e = tricky_entries(d1, d2);
    const std::vector<double> c =
        to_vector<double>(random_tensor({e.size()}, DType::f64, 6, false));
    for (std::complex<double> w : {std::complex<double>(0.5, 0), std::complex<double>(0.5, -0.5)}) {
      const int64_t h = d2 / 2 + 1;
      std::vector<std::complex<double>> half(d1 * h);
      cpu::hermitian_scatter<double>(half.data(), c.data(), e.rows.data(), e.cols.data(), e.size(),
                                     d1, d2, w, 1.0);
      std::vector<int64_t> self_mirrored = {0};
      if (d2 % 2 == 0 && d2 > 1) self_mirrored.push_back(d2 / 2);
      for (int64_t k : self_mirrored)
        for (int64_t j = 0; j < d1; ++j)
          EXPECT_NEAR(std::abs(half[j * h + k] - std::conj(half[((d1 - j) % d1) * h + k])), 0.0,
                      1e-15)
              << "row " << j << " column " << k;
      // Everything scattered is accounted for: the full spectrum sums to 2·Re(w)·Σc at (0, 0)'s
      // definition; here check the total mass of the stored + implied cells.
      std::complex<double> total = 0;
      for (int64_t j = 0; j < d1; ++j)
        for (int64_t k = 0; k < d2; ++k)
          total += k < h ? half[j * h + k] : std::conj(half[((d1 - j) % d1) * h + (d2 - k)]);
      double csum = 0;
      for (double v : c) csum += v;
      EXPECT_NEAR(total.real(), 2 * w.real() * csum, 1e-12);
    }
  }
}

}  // namespace
}  // namespace fftune::fourierft
