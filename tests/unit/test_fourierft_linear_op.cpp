// fourierft/fourierft_linear_op.cpp: the fused FourierFT layer against the composition
// linear(x, W0 + fourierft_delta(c)), both coefficient-gradient paths, and gradcheck.
#include <gtest/gtest.h>

#include "fourierft/fourierft_linear_op.h"
#include "fourierft/spectral_delta.h"
#include "tests/support/test_support.h"

namespace fftune::fourierft {
namespace {

using testing::random_tensor;

struct Case {
  int64_t out, in, n;
};
const std::vector<Case> kCases = {{8, 6, 10}, {7, 5, 12}, {6, 9, 20}, {5, 8, 40}, {16, 12, 30}};

TEST(FourierFTLinearOp, MatchesTheComposedPath) {
  for (const Case& c : kCases) {
    for (CoeffGradPath path : {CoeffGradPath::kDenseGradient, CoeffGradPath::kRowFFT}) {
      SCOPED_TRACE(detail::str_cat(c.out, "x", c.in, " path ", static_cast<int>(path)));
      const SpectralEntries e = uniform_entries(c.out, c.in, c.n, 77);
      Tensor x = random_tensor({2, 3, c.in}, DType::f64, 1);
      Tensor w0 = random_tensor({c.out, c.in}, DType::f64, 2, /*requires_grad=*/false);
      Tensor b = random_tensor({c.out}, DType::f64, 3, false);
      Tensor coeffs = random_tensor({c.n}, DType::f64, 4);
      Tensor gy = random_tensor({2, 3, c.out}, DType::f64, 5, false);

      Tensor y = fourierft_linear(x, w0, b, coeffs, e, 7.0, path);
      y.backward(gy);
      const Tensor dx = x.grad(), dc = coeffs.grad();
      x.set_grad(Tensor());
      coeffs.set_grad(Tensor());

      Tensor y_ref = linear(x, add(w0, fourierft_delta(coeffs, e, 7.0)), b);
      y_ref.backward(gy);
      EXPECT_ALL_CLOSE(y, y_ref, 1e-12, 1e-12);
      EXPECT_ALL_CLOSE(dx, x.grad(), 1e-12, 1e-12);
      EXPECT_ALL_CLOSE(dc, coeffs.grad(), 1e-10, 1e-12);
      EXPECT_FALSE(w0.grad().defined());
    }
  }
}

TEST(FourierFTLinearOp, Gradcheck) {
  for (const Case& c : kCases) {
    for (CoeffGradPath path : {CoeffGradPath::kDenseGradient, CoeffGradPath::kRowFFT}) {
      SCOPED_TRACE(detail::str_cat(c.out, "x", c.in, " path ", static_cast<int>(path)));
      const SpectralEntries e = uniform_entries(c.out, c.in, c.n, 78);
      EXPECT_GRADCHECK(
          [&](const std::vector<Tensor>& in) {
            return fourierft_linear(in[0], in[1], in[2], in[3], e, 3.0, path);
          },
          {random_tensor({4, c.in}, DType::f64, 1), random_tensor({c.out, c.in}, DType::f64, 2),
           random_tensor({c.out}, DType::f64, 3), random_tensor({c.n}, DType::f64, 4)});
    }
  }
}

TEST(FourierFTLinearOp, TwoLayersOnTheSameInputShareTheRowSpectrum) {
  // Query and value read one X; the second backward reuses the cached rfft(X). Both must still
  // get their own correct gradient, also after X changes in place.
  const SpectralEntries e = uniform_entries(6, 8, 10, 5);
  Tensor x = random_tensor({5, 8}, DType::f64, 1, false);
  Tensor w = random_tensor({6, 8}, DType::f64, 2, false);
  Tensor cq = random_tensor({10}, DType::f64, 3), cv = random_tensor({10}, DType::f64, 4);
  for (int round = 0; round < 2; ++round) {
    cq.set_grad(Tensor());
    cv.set_grad(Tensor());
    Tensor loss = sum(mul(fourierft_linear(x, w, Tensor(), cq, e, 2.0, CoeffGradPath::kRowFFT),
                          fourierft_linear(x, w, Tensor(), cv, e, 2.0, CoeffGradPath::kRowFFT)));
    loss.backward();
    const Tensor gq = cq.grad(), gv = cv.grad();
    cq.set_grad(Tensor());
    cv.set_grad(Tensor());
    sum(mul(fourierft_linear(x, w, Tensor(), cq, e, 2.0, CoeffGradPath::kDenseGradient),
            fourierft_linear(x, w, Tensor(), cv, e, 2.0, CoeffGradPath::kDenseGradient)))
        .backward();
    EXPECT_ALL_CLOSE(gq, cq.grad(), 1e-10, 1e-12);
    EXPECT_ALL_CLOSE(gv, cv.grad(), 1e-10, 1e-12);
    mul_(x, 1.5);  // an in-place change: the cache must notice
  }
}

TEST(FourierFTLinearOp, Errors) {
  const SpectralEntries e = uniform_entries(6, 8, 10, 5);
  EXPECT_FFTUNE_ERROR(fourierft_linear(ones({2, 8}), ones({8, 6}), Tensor(), ones({10}), e, 1.0),
                      "does not match the entries' 6 x 8");
  EXPECT_FFTUNE_ERROR(fourierft_linear(ones({2, 8}), ones({6, 8}), Tensor(), ones({2, 10}), e, 1.0),
                      "coeffs must be (N)");
}

}  // namespace
}  // namespace fftune::fourierft
