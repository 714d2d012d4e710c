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

TEST(FourierFTLinearOp, RowSpectrumShareHandsOneSlotPerInput) {
  RowSpectrumShare share;
  Tensor x = random_tensor({5, 8}, DType::f64, 1, false);
  const Tensor y = random_tensor({5, 8}, DType::f64, 2, false);
  auto slot = share.slot_for(x);
  EXPECT_EQ(share.slot_for(x), slot);               // the same input: the same slot
  EXPECT_EQ(share.slot_for(x.view({5, 8})), slot);  // an identical view reads the same data
  EXPECT_NE(share.slot_for(y), slot);               // another input
  auto slot_y = share.slot_for(y);
  EXPECT_NE(share.slot_for(x), slot_y);  // the share follows the latest input
  slot = share.slot_for(x);
  mul_(x, 1.5);  // an in-place change: not the input the slot was made for
  EXPECT_FALSE(slot->reads(x));
  EXPECT_NE(share.slot_for(x), slot);
  // The share keeps no slot alive: once its holders are gone, the slot is freed.
  const std::weak_ptr<RowSpectrumShare::Slot> watch = slot_y;
  slot_y.reset();
  EXPECT_TRUE(watch.expired());
}

// Query and value read one X. The gradients of two layers holding one RowSpectrumShare (which
// compute rfft(X) once) equal those of two layers computing it each, and of the dense path; and
// the share leaves no memory behind: after backward the host holds what it held before forward.
TEST(FourierFTLinearOp, TwoLayersSharingTheRowSpectrum) {
  const SpectralEntries e = uniform_entries(6, 8, 10, 5);
  const Tensor x = random_tensor({5, 8}, DType::f64, 1, false);
  const Tensor w = random_tensor({6, 8}, DType::f64, 2, false);
  Tensor cq = random_tensor({10}, DType::f64, 3), cv = random_tensor({10}, DType::f64, 4);
  struct Result {
    Tensor gq, gv;
    size_t added_by_backward;  // host bytes, with the forward's outputs still alive
    size_t left_after_pass;    // host bytes, once the outputs are gone too
  };
  auto run = [&](CoeffGradPath path, RowSpectrumShare* share) {
    Result r;
    const size_t before = host_memory_stats().live_bytes;
    {
      Tensor yq = fourierft_linear(x, w, Tensor(), cq, e, 2.0, path, share);
      Tensor yv = fourierft_linear(x, w, Tensor(), cv, e, 2.0, path, share);
      Tensor loss = sum(mul(yq, yv));
      loss.backward();
      r.gq = cq.grad();
      r.gv = cv.grad();
      cq.set_grad(Tensor());
      cv.set_grad(Tensor());
      r.added_by_backward = host_memory_stats().live_bytes - before;
    }
    r.left_after_pass = host_memory_stats().live_bytes - before;
    return r;
  };
  const Result unshared = run(CoeffGradPath::kRowFFT, nullptr);
  const Result dense = run(CoeffGradPath::kDenseGradient, nullptr);
  RowSpectrumShare share;
  const Result shared = run(CoeffGradPath::kRowFFT, &share);
  EXPECT_ALL_CLOSE(shared.gq, unshared.gq, 0.0, 0.0);
  EXPECT_ALL_CLOSE(shared.gv, unshared.gv, 0.0, 0.0);
  EXPECT_ALL_CLOSE(shared.gq, dense.gq, 1e-10, 1e-12);
  EXPECT_ALL_CLOSE(shared.gv, dense.gv, 1e-10, 1e-12);
  // Each node dropped the shared spectrum once its backward ran: the same bytes as unshared.
  EXPECT_EQ(shared.added_by_backward, unshared.added_by_backward);
  // With the outputs gone too, only the two gradients (held by the results) remain of the pass.
  const size_t grads = 2 * 10 * sizeof(double);
  EXPECT_EQ(shared.left_after_pass, grads);
  EXPECT_EQ(unshared.left_after_pass, grads);
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
