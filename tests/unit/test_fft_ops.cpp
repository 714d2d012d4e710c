// ops/fft.cpp: fft, ifft, rfft, irfft, fft2, ifft2, rfft2, irfft2 against a naive DFT for odd
// and even sizes and all three norms, round trips, Parseval, the n / s arguments, gradcheck of
// every op (odd and even sizes, batched, non-contiguous), and argument errors.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

const FftNorm kNorms[] = {FftNorm::kBackward, FftNorm::kOrtho, FftNorm::kForward};

const char* norm_name(FftNorm norm) {
  return norm == FftNorm::kBackward ? "backward" : norm == FftNorm::kOrtho ? "ortho" : "forward";
}

// torch's scale for a transform of n points (forward direction or inverse).
double scale_of(FftNorm norm, int64_t n, bool inverse) {
  if (norm == FftNorm::kOrtho) return 1 / std::sqrt(static_cast<double>(n));
  const bool scaled = inverse ? norm == FftNorm::kBackward : norm == FftNorm::kForward;
  return scaled ? 1.0 / static_cast<double>(n) : 1.0;
}

// scale · Σ_j x[…, j, …] · exp(sign·2πi·jk/n) along `dim` of a c128 tensor: the O(n²)
// definition, written independently of the FFT.
Tensor naive_dft(const Tensor& x, int64_t dim, int sign, double scale) {
  const Tensor xc = x.to(DType::c128).contiguous();
  const std::vector<c128_t> in = to_vector<c128_t>(xc);
  std::vector<c128_t> out(in.size());
  if (dim < 0) dim += x.dim();
  const int64_t n = x.size(dim);
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.size(d);
  const int64_t outer = x.numel() / (n * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t k = 0; k < n; ++k) {
        c128_t acc = 0;
        for (int64_t j = 0; j < n; ++j) {
          const double angle = sign * 2 * std::numbers::pi * static_cast<double>((j * k) % n) /
                               static_cast<double>(n);
          acc += in[(o * n + j) * inner + i] * c128_t(std::cos(angle), std::sin(angle));
        }
        out[(o * n + k) * inner + i] = scale * acc;
      }
  return from_vector<c128_t>(out, x.shape());
}

// The full spectrum (…, n0, n1) whose first n1/2+1 columns are X (…, n0, n1/2+1) and whose other
// columns are the Hermitian mirrors conj(X[-j mod n0, n1-k]) (ndim = 2), or the 1-D equivalent.
Tensor hermitian_extension(const Tensor& half, int64_t n1, int ndim) {
  const Tensor h = half.to(DType::c128).contiguous();
  const std::vector<c128_t> in = to_vector<c128_t>(h);
  const int64_t bins = half.size(-1);
  const int64_t n0 = ndim == 2 ? half.size(-2) : 1;
  const int64_t batch = half.numel() / (n0 * bins);
  std::vector<c128_t> out(batch * n0 * n1);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t j = 0; j < n0; ++j)
      for (int64_t k = 0; k < n1; ++k)
        out[(b * n0 + j) * n1 + k] =
            k < bins ? in[(b * n0 + j) * bins + k]
                     : std::conj(in[(b * n0 + (n0 - j) % n0) * bins + (n1 - k)]);
  Shape shape = half.shape();
  shape.back() = n1;
  return from_vector<c128_t>(out, shape);
}

// The half spectrum with its self-mirrored columns (column 0 and, for even n1, column n1/2)
// replaced by their Hermitian part (c[j] + conj(c[-j]))/2 along the first axis: the input irfft2
// is specified for (see Note [FFT adjoints] in ops/fft.cpp).
Tensor hermitian_columns(const Tensor& half, int64_t n1) {
  std::vector<c128_t> v = to_vector<c128_t>(half.to(DType::c128));
  const int64_t bins = half.size(-1), n0 = half.size(-2);
  const int64_t batch = half.numel() / (n0 * bins);
  const std::vector<c128_t> in = v;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t k : {int64_t{0}, n1 / 2}) {
      if (k != 0 && n1 % 2 != 0) continue;
      for (int64_t j = 0; j < n0; ++j)
        v[(b * n0 + j) * bins + k] = 0.5 * (in[(b * n0 + j) * bins + k] +
                                            std::conj(in[(b * n0 + (n0 - j) % n0) * bins + k]));
    }
  return from_vector<c128_t>(v, half.shape());
}

// x zero-padded at the end of `dim` to `size`.
Tensor zero_pad(const Tensor& x, int64_t dim, int64_t size) {
  Shape shape = x.shape();
  shape[dim] = size;
  Tensor out = zeros(shape, x.dtype());
  out.narrow(dim, 0, x.size(dim)).copy_(x);
  return out;
}

// Reference results, composed from naive_dft.
Tensor ref_fft(const Tensor& x, FftNorm norm, bool inverse) {
  return naive_dft(x, -1, inverse ? 1 : -1, scale_of(norm, x.size(-1), inverse));
}
Tensor ref_fft2(const Tensor& x, FftNorm norm, bool inverse) {
  const int sign = inverse ? 1 : -1;
  const double scale = scale_of(norm, x.size(-2) * x.size(-1), inverse);
  return naive_dft(naive_dft(x, -1, sign, 1.0), -2, sign, scale);
}
Tensor ref_rfft(const Tensor& x, FftNorm norm, int ndim) {
  const Tensor full = ndim == 1 ? ref_fft(x, norm, false) : ref_fft2(x, norm, false);
  return full.narrow(-1, 0, x.size(-1) / 2 + 1).contiguous();
}
Tensor ref_irfft(const Tensor& half, int64_t n, FftNorm norm, int ndim) {
  const Tensor full = hermitian_extension(half, n, ndim);
  return real(ndim == 1 ? ref_fft(full, norm, true) : ref_fft2(full, norm, true)).contiguous();
}

TEST(FftOps, OneDimValuesMatchTheNaiveDft) {
  for (int64_t n : {1, 2, 5, 6, 7, 8, 12}) {
    for (FftNorm norm : kNorms) {
      SCOPED_TRACE(::testing::Message() << "n=" << n << " norm=" << norm_name(norm));
      const Tensor z = random_tensor({3, n}, DType::c128, n, false);
      EXPECT_ALL_CLOSE(fft(z, -1, norm), ref_fft(z, norm, false), 1e-12, 1e-12);
      EXPECT_ALL_CLOSE(ifft(z, -1, norm), ref_fft(z, norm, true), 1e-12, 1e-12);
      const Tensor x = random_tensor({2, 2, n}, DType::f64, n + 100, false);
      EXPECT_ALL_CLOSE(rfft(x, -1, norm), ref_rfft(x, norm, 1), 1e-12, 1e-12);
      // irfft of an arbitrary half spectrum: the imaginary parts of bin 0 (and bin n/2) are
      // ignored, which is what the real part of the Hermitian extension's inverse gives.
      const Tensor h = random_tensor({3, n / 2 + 1}, DType::c128, n + 200, false);
      EXPECT_ALL_CLOSE(irfft(h, n, norm), ref_irfft(h, n, norm, 1), 1e-12, 1e-12);
    }
  }
}

TEST(FftOps, TwoDimValuesMatchTheNaiveDft) {
  for (auto [n0, n1] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 1}, {4, 6}, {5, 7}, {8, 5}, {3, 4}, {6, 1}, {1, 9}}) {
    for (FftNorm norm : kNorms) {
      SCOPED_TRACE(::testing::Message() << n0 << "x" << n1 << " norm=" << norm_name(norm));
      const Tensor z = random_tensor({2, n0, n1}, DType::c128, n0 * 10 + n1, false);
      EXPECT_ALL_CLOSE(fft2(z, {-1, -1}, norm), ref_fft2(z, norm, false), 1e-12, 1e-12);
      EXPECT_ALL_CLOSE(ifft2(z, {-1, -1}, norm), ref_fft2(z, norm, true), 1e-12, 1e-12);
      const Tensor x = random_tensor({2, 3, n0, n1}, DType::f64, n0 * 10 + n1 + 1, false);
      EXPECT_ALL_CLOSE(rfft2(x, {-1, -1}, norm), ref_rfft(x, norm, 2), 1e-12, 1e-12);
      const Tensor h = hermitian_columns(
          random_tensor({2, n0, n1 / 2 + 1}, DType::c128, n0 * 10 + n1 + 2, false), n1);
      EXPECT_ALL_CLOSE(irfft2(h, {n0, n1}, norm), ref_irfft(h, n1, norm, 2), 1e-12, 1e-12);
    }
  }
}

TEST(FftOps, FloatAndRealInputs) {
  const Tensor x = random_tensor({3, 10}, DType::f32, 1, false);
  const Tensor z = x.to(DType::c64);
  // A real input to fft is promoted to complex, as torch does.
  EXPECT_EQ(fft(x).dtype(), DType::c64);
  EXPECT_ALL_CLOSE(fft(x), fft(z), 1e-7, 1e-7);
  EXPECT_ALL_CLOSE(fft(x).to(DType::c128), ref_fft(x, FftNorm::kBackward, false), 1e-5, 1e-5);
  EXPECT_EQ(rfft(x).dtype(), DType::c64);
  EXPECT_EQ(rfft(x).shape(), (Shape{3, 6}));
  EXPECT_EQ(irfft(rfft(x)).dtype(), DType::f32);
  EXPECT_ALL_CLOSE(irfft(rfft(x)), x, 1e-5, 1e-5);
  EXPECT_ALL_CLOSE(ifft2(fft2(x.view({3, 2, 5}))), z.view({3, 2, 5}), 1e-5, 1e-5);
}

TEST(FftOps, RoundTrips) {
  for (int64_t n : {1, 4, 5, 9, 16}) {
    for (FftNorm norm : kNorms) {
      SCOPED_TRACE(::testing::Message() << "n=" << n << " norm=" << norm_name(norm));
      const Tensor z = random_tensor({4, n}, DType::c128, n, false);
      EXPECT_ALL_CLOSE(ifft(fft(z, -1, norm), -1, norm), z, 1e-12, 1e-12);
      const Tensor x = random_tensor({4, n}, DType::f64, n + 1, false);
      EXPECT_ALL_CLOSE(irfft(rfft(x, -1, norm), n, norm), x, 1e-12, 1e-12);
      const Tensor x2 = random_tensor({2, 3, n}, DType::f64, n + 2, false);
      EXPECT_ALL_CLOSE(irfft2(rfft2(x2, {-1, -1}, norm), {3, n}, norm), x2, 1e-12, 1e-12);
      const Tensor z2 = random_tensor({2, n, 3}, DType::c128, n + 3, false);
      EXPECT_ALL_CLOSE(ifft2(fft2(z2, {-1, -1}, norm), {-1, -1}, norm), z2, 1e-12, 1e-12);
    }
  }
}

TEST(FftOps, Parseval) {
  // Σ|x|² = Σ|X|² / n with norm backward, = Σ|X|² with ortho.
  const Tensor z = random_tensor({5, 7}, DType::c128, 3, false);
  const auto energy = [](const Tensor& t) {
    const Tensor a = abs(t);
    return sum(mul(a, a)).item();
  };
  EXPECT_NEAR(energy(fft(z)) / 7, energy(z), 1e-10);
  EXPECT_NEAR(energy(fft(z, -1, FftNorm::kOrtho)), energy(z), 1e-10);
  EXPECT_NEAR(energy(fft2(z, {-1, -1}, FftNorm::kOrtho)), energy(z), 1e-10);
  // rfft: the bins 1 .. n-(n/2+1) stand for two bins of the full spectrum.
  for (int64_t n : {6, 7}) {
    const Tensor x = random_tensor({n}, DType::f64, n, false);
    const Tensor half = rfft(x, -1, FftNorm::kOrtho);
    const int64_t doubled = n - (n / 2 + 1);
    const double total = energy(half) + energy(half.narrow(0, 1, doubled));
    EXPECT_NEAR(total, energy(x), 1e-10) << n;
  }
}

TEST(FftOps, SizesCutOrPadTheInput) {
  const Tensor z = random_tensor({2, 5}, DType::c128, 1, false);
  EXPECT_ALL_CLOSE(fft(z, 8), ref_fft(zero_pad(z, 1, 8), FftNorm::kBackward, false), 1e-12, 1e-12);
  EXPECT_ALL_CLOSE(ifft(z, 3), ref_fft(z.narrow(1, 0, 3), FftNorm::kBackward, true), 1e-12, 1e-12);
  const Tensor x = random_tensor({2, 5}, DType::f64, 2, false);
  EXPECT_EQ(rfft(x, 8).shape(), (Shape{2, 5}));
  EXPECT_ALL_CLOSE(rfft(x, 3), ref_rfft(x.narrow(1, 0, 3), FftNorm::kBackward, 1), 1e-12, 1e-12);
  // irfft's default length is 2·(bins−1); n = 9 reads 5 bins (a pad of the 4 given here).
  const Tensor h = random_tensor({4}, DType::c128, 3, false);
  EXPECT_EQ(irfft(h).shape(), (Shape{6}));
  EXPECT_ALL_CLOSE(irfft(h, 9), ref_irfft(zero_pad(h, 0, 5), 9, FftNorm::kBackward, 1), 1e-12,
                   1e-12);
  EXPECT_ALL_CLOSE(irfft(h, 5), ref_irfft(h.narrow(0, 0, 3), 5, FftNorm::kBackward, 1), 1e-12,
                   1e-12);
  // 2-D: s cuts or pads both dims; irfft2's s = (n0, n1) reads (n0, n1/2+1) bins.
  const Tensor z2 = random_tensor({3, 4}, DType::c128, 4, false);
  EXPECT_ALL_CLOSE(fft2(z2, {2, 6}),
                   ref_fft2(zero_pad(z2.narrow(0, 0, 2), 1, 6), FftNorm::kBackward, false), 1e-12,
                   1e-12);
  EXPECT_EQ(irfft2(z2).shape(), (Shape{3, 6}));
  EXPECT_EQ(irfft2(z2, {5, 9}).shape(), (Shape{5, 9}));
  EXPECT_EQ(rfft2(random_tensor({3, 4}, DType::f64, 5, false), {6, 7}).shape(), (Shape{6, 4}));
}

TEST(FftOps, Errors) {
  const Tensor x = random_tensor({4}, DType::f64, 1, false);
  const Tensor z = random_tensor({4}, DType::c128, 1, false);
  EXPECT_FFTUNE_ERROR(rfft(z), "rfft: expected a real tensor");
  EXPECT_FFTUNE_ERROR(fft(zeros({3}, DType::i64)), "fft: expected a complex or real");
  EXPECT_FFTUNE_ERROR(fft(x, 0), "fft: invalid number of data points 0");
  EXPECT_FFTUNE_ERROR(irfft(random_tensor({1}, DType::c128, 1, false)),
                      "irfft: invalid number of data points 0");
  EXPECT_FFTUNE_ERROR(fft2(z), "fft2: expected a tensor with at least 2 dims");
  EXPECT_FFTUNE_ERROR(fft(scalar_tensor(1.0, DType::f64)), "at least 1 dim");
}

// ---- gradcheck ----

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

TEST(FftOps, GradcheckComplexToComplex) {
  for (FftNorm norm : kNorms) {
    for (int64_t n : {5, 6}) {
      SCOPED_TRACE(::testing::Message() << "n=" << n << " norm=" << norm_name(norm));
      const Tensor z = random_tensor({2, 3, n}, DType::c128, n);
      EXPECT_GRADCHECK([norm](const std::vector<Tensor>& in) { return fft(in[0], -1, norm); }, {z});
      EXPECT_GRADCHECK([norm](const std::vector<Tensor>& in) { return ifft(in[0], -1, norm); },
                       {z});
      EXPECT_GRADCHECK(
          [norm](const std::vector<Tensor>& in) {
            return fft2(in[0], {-1, -1}, norm);
          },
          {z});
      EXPECT_GRADCHECK(
          [norm](const std::vector<Tensor>& in) {
            return ifft2(in[0], {-1, -1}, norm);
          },
          {z});
    }
  }
  // Non-contiguous inputs, cut and padded sizes, and a real input promoted to complex.
  const Tensor z = random_tensor({5, 4}, DType::c128, 7);
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return fft(in[0].t(), 7); }, {z});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return ifft(in[0].t(), 3); }, {z});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return fft2(in[0].t(), {3, 6}); }, {z});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return fft(in[0]); },
                   {random_tensor({3, 5}, DType::f64, 8)});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return ifft2(in[0].t()); },
                   {random_tensor({3, 4}, DType::f64, 9)});
}

TEST(FftOps, GradcheckRealToComplex) {
  for (FftNorm norm : kNorms) {
    for (int64_t n : {5, 6}) {
      SCOPED_TRACE(::testing::Message() << "n=" << n << " norm=" << norm_name(norm));
      const Tensor x = random_tensor({2, 3, n}, DType::f64, n);
      EXPECT_GRADCHECK([norm](const std::vector<Tensor>& in) { return rfft(in[0], -1, norm); },
                       {x});
      EXPECT_GRADCHECK(
          [norm](const std::vector<Tensor>& in) {
            return rfft2(in[0], {-1, -1}, norm);
          },
          {x});
    }
  }
  const Tensor x = random_tensor({6, 4}, DType::f64, 7);
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return rfft(in[0].t()); }, {x});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return rfft(in[0].t(), 9); }, {x});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return rfft2(in[0].t(), {3, 5}); }, {x});
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return rfft2(in[0].t()); }, {x});
}

// Maps free complex parameters X (…, n0, n1/2+1) to a half spectrum irfft2 is specified for:
// X with its self-mirrored columns (column 0, and column n1/2 for even n1) replaced by their
// Hermitian part along the first axis, P(c) = fft(Re(ifft(c))), all differentiable. The
// gradcheck has to go through such a map: c2r of a non-Hermitian column is
// implementation-defined (numpy/pocketfft and our c2r project it, cuFFT's result is undefined),
// so finite differences and the analytic gradient are only required to agree on the Hermitian
// subspace, and gradcheck perturbs every coordinate one at a time, leaving that subspace.
Tensor hermitian_half_spectrum(const Tensor& x, int64_t n1) {
  const int64_t bins = x.size(-1);
  std::vector<c128_t> mask(bins, 0.0);
  mask[0] = 1.0;
  if (n1 % 2 == 0) mask[n1 / 2] = 1.0;
  const Tensor m = from_vector<c128_t>(mask, {bins});
  const Tensor columns = x.transpose(-1, -2);                           // (…, bins, n0)
  const Tensor projected = fft(real(ifft(columns))).transpose(-1, -2);  // (…, n0, bins)
  return add(x, mul(sub(projected, x), m));
}

TEST(FftOps, GradcheckComplexToReal) {
  // 1-D irfft: the self-mirrored bins are single numbers, bin 0 and (even n) bin n/2; c2r reads
  // only their real parts, so a real-parameter map fixes their imaginary parts to zero.
  const auto real_ends = [](const Tensor& x, int64_t n) {
    std::vector<double> keep(x.size(-1), 1.0);
    keep[0] = 0;
    if (n % 2 == 0) keep[n / 2] = 0;
    return complex(real(x), mul(imag(x), from_vector<double>(keep, {x.size(-1)})));
  };
  for (FftNorm norm : kNorms) {
    for (int64_t n : {5, 6}) {
      SCOPED_TRACE(::testing::Message() << "n=" << n << " norm=" << norm_name(norm));
      const int64_t bins = n / 2 + 1;
      EXPECT_GRADCHECK(
          [=](const std::vector<Tensor>& in) { return irfft(real_ends(in[0], n), n, norm); },
          {random_tensor({2, 3, bins}, DType::c128, n)});
      for (int64_t n0 : {4, 5}) {
        EXPECT_GRADCHECK(
            [=](const std::vector<Tensor>& in) {
              return irfft2(hermitian_half_spectrum(in[0], n), {n0, n}, norm);
            },
            {random_tensor({2, n0, bins}, DType::c128, n + n0)});
      }
    }
  }
  // Non-contiguous inputs, and bins cut or padded by n / s.
  const Tensor h = random_tensor({4, 3}, DType::c128, 11);  // read as (3, 4)
  EXPECT_GRADCHECK([=](const std::vector<Tensor>& in) { return irfft(real_ends(in[0].t(), 6)); },
                   {h});
  EXPECT_GRADCHECK(
      [=](const std::vector<Tensor>& in) {
        return irfft(real_ends(in[0].t().narrow(1, 0, 2), 3), 3);
      },
      {h});
  EXPECT_GRADCHECK(
      [=](const std::vector<Tensor>& in) {
        return irfft2(hermitian_half_spectrum(in[0].t(), 7), {3, 7});
      },
      {h});
  EXPECT_GRADCHECK(
      [=](const std::vector<Tensor>& in) {
        return irfft2(hermitian_half_spectrum(in[0].t(), 6), {3, 6});
      },
      {h});
}

TEST(FftOps, IrfftGradientIsTheAdjoint) {
  // <irfft(X), g> = Re <X, dX> for a Hermitian-consistent X: the backward is the adjoint.
  for (int64_t n : {7, 8}) {
    const Tensor g = random_tensor({3, n}, DType::f64, n, false);
    const Tensor x = random_tensor({3, n}, DType::f64, n + 1, false);
    Tensor half = rfft(x).detach().set_requires_grad(true);
    Tensor y = irfft(half, n);
    y.backward(g);
    const double lhs = sum(mul(y, g)).item();
    const double rhs = sum(real(mul(conj(half.grad()), half))).item();
    EXPECT_NEAR(lhs, rhs, 1e-10) << n;
  }
}

}  // namespace
}  // namespace fftune
