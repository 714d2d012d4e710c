// CPU <-> CUDA parity of the ops built on cuBLAS, cuFFT and cuDNN and of the FourierFT op,
// forward and backward: matmul (batched, broadcast, transposed views), linear (bias, frozen
// weight, transposed weight), conv2d, the FFT ops and complex ops, spectral_delta and
// fourierft_linear on both coefficient-gradient paths. Then determinism: in deterministic mode a
// small FourierFT training step repeats bit for bit. Skipped (reported as skipped by ctest) when
// no device is present.
//
// Tolerances: f32 sums of up to a few hundred products, accumulated in another order by cuBLAS,
// cuFFT and cuDNN than by the CPU libraries (TF32 is off: cublas_gemm.h).
#include <gtest/gtest.h>

#include "core/determinism.h"
#include "fourierft/entries.h"
#include "fourierft/fourierft_linear_op.h"
#include "fourierft/spectral_delta.h"
#include "ops/ops.h"
#include "tests/cuda/cuda_support.h"

namespace fftune {
namespace {

using fourierft::CoeffGradPath;
using fourierft::SpectralEntries;
using testing::expect_cuda_matches_cpu;
using testing::random_tensor;
using Inputs = std::vector<Tensor>;

Tensor f32(const Shape& shape, uint64_t seed) {
  return random_tensor(shape, DType::f32, seed);
}

// ---- matmul and linear (cuBLAS) ------------------------------------------------------------

TEST(CudaLibraryOps, Matmul) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  auto mm = [](const Inputs& in) { return matmul(in[0], in[1]); };
  const double rtol = 1e-4, atol = 1e-4;
  expect_cuda_matches_cpu(mm, {f32({1, 1}, 1), f32({1, 1}, 2)}, rtol, atol);
  expect_cuda_matches_cpu(mm, {f32({33, 65}, 3), f32({65, 17}, 4)}, rtol, atol);
  // Vectors: dot, matrix-vector, vector-matrix.
  expect_cuda_matches_cpu(mm, {f32({129}, 5), f32({129}, 6)}, rtol, atol);
  expect_cuda_matches_cpu(mm, {f32({7, 129}, 7), f32({129}, 8)}, rtol, atol);
  expect_cuda_matches_cpu(mm, {f32({129}, 9), f32({129, 5}, 10)}, rtol, atol);
  // Batched with broadcast batch dims (strided batched GEMM), and (…, m, k)·(k, n) folded.
  expect_cuda_matches_cpu(mm, {f32({3, 1, 9, 20}, 11), f32({4, 20, 6}, 12)}, rtol, atol);
  expect_cuda_matches_cpu(mm, {f32({2, 5, 31, 40}, 13), f32({40, 7}, 14)}, rtol, atol);
  // Transposed views are read as transposes; the attention heads' (B, H, T, D) view of a
  // (B, T, H, D) tensor is multiplied in place.
  expect_cuda_matches_cpu(
      [](const Inputs& in) { return matmul(in[0].transpose(-1, -2), in[1].transpose(-1, -2)); },
      {f32({2, 24, 10}, 15), f32({2, 7, 24}, 16)}, rtol, atol);
  expect_cuda_matches_cpu(
      [](const Inputs& in) {
        return matmul(in[0].permute({0, 2, 1, 3}), in[1].permute({0, 2, 3, 1}));
      },
      {f32({2, 11, 3, 8}, 17), f32({2, 13, 3, 8}, 18)}, rtol, atol);
}

TEST(CudaLibraryOps, LinearWithAndWithoutBias) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  expect_cuda_matches_cpu([](const Inputs& in) { return linear(in[0], in[1], in[2]); },
                          {f32({2, 37, 96}, 20), f32({130, 96}, 21), f32({130}, 22)}, 1e-4, 1e-4);
  expect_cuda_matches_cpu([](const Inputs& in) { return linear(in[0], in[1]); },
                          {f32({1, 5}, 23), f32({3, 5}, 24)}, 1e-4, 1e-4);
  // A weight that is a transposed view (read as a transpose, not copied).
  expect_cuda_matches_cpu([](const Inputs& in) { return linear(in[0], in[1].t(), in[2]); },
                          {f32({17, 40}, 25), f32({40, 23}, 26), f32({23}, 27)}, 1e-4, 1e-4);
}

TEST(CudaLibraryOps, LinearWithAFrozenWeightComputesNoWeightGradient) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const Tensor x = f32({4, 9, 64}, 28), w = f32({48, 64}, 29).detach(), b = f32({48}, 30);
  const Tensor g = f32({4, 9, 48}, 31).detach();
  Tensor xc = x.detach().clone().set_requires_grad(true);
  Tensor bc = b.detach().clone().set_requires_grad(true);
  Tensor xd = x.detach().to(Device::cuda()).set_requires_grad(true);
  Tensor bd = b.detach().to(Device::cuda()).set_requires_grad(true);
  const Tensor wd = w.to(Device::cuda());
  linear(xc, w, bc).backward(g);
  const Tensor yd = linear(xd, wd, bd);
  yd.backward(g.to(Device::cuda()));
  EXPECT_FALSE(wd.grad().defined());
  EXPECT_ALL_CLOSE(xd.grad().to(Device::cpu()), xc.grad(), 1e-4, 1e-4);
  EXPECT_ALL_CLOSE(bd.grad().to(Device::cpu()), bc.grad(), 1e-4, 1e-4);
}

// ---- conv2d (cuDNN) ------------------------------------------------------------------------

TEST(CudaLibraryOps, Conv2d) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  // The ViT patch embedding (kernel = stride), then overlapping windows with padding.
  expect_cuda_matches_cpu(
      [](const Inputs& in) {
        return conv2d(in[0], in[1], in[2], {8, 8}, {0, 0});
      },
      {f32({2, 3, 32, 32}, 40), f32({24, 3, 8, 8}, 41), f32({24}, 42)}, 1e-4, 1e-4);
  expect_cuda_matches_cpu(
      [](const Inputs& in) {
        return conv2d(in[0], in[1], in[2], {2, 1}, {1, 2});
      },
      {f32({3, 4, 9, 7}, 43), f32({5, 4, 3, 2}, 44), f32({5}, 45)}, 1e-4, 1e-4);
  expect_cuda_matches_cpu(
      [](const Inputs& in) {
        return conv2d(in[0], in[1], Tensor(), {1, 1}, {0, 0});
      },
      {f32({1, 1, 5, 5}, 46), f32({1, 1, 5, 5}, 47)}, 1e-4, 1e-4);
}

TEST(CudaLibraryOps, Conv2dRejectsF64WithAClearMessage) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const Tensor x = random_tensor({1, 1, 4, 4}, DType::f64, 1, false).to(Device::cuda());
  const Tensor w = random_tensor({1, 1, 2, 2}, DType::f64, 2, false).to(Device::cuda());
  EXPECT_FFTUNE_ERROR(conv2d(x, w, Tensor(), {1, 1}, {0, 0}), "supports f32");
}

// ---- FFT and complex ops (cuFFT and ops/cuda/complex_kernels.cu) -----------------------------

TEST(CudaLibraryOps, OneDimensionalFfts) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const double rtol = 1e-4, atol = 1e-4;
  for (FftNorm norm : {FftNorm::kBackward, FftNorm::kOrtho, FftNorm::kForward}) {
    SCOPED_TRACE(static_cast<int>(norm));
    // A real input promoted to complex (as torch does), and a padded complex one.
    expect_cuda_matches_cpu([norm](const Inputs& in) { return fft(in[0], -1, norm); },
                            {f32({3, 20}, 50)}, rtol, atol);
    expect_cuda_matches_cpu(
        [norm](const Inputs& in) { return ifft(complex(in[0], in[1]), 24, norm); },
        {f32({5, 17}, 51), f32({5, 17}, 52)}, rtol, atol);
    // rfft truncating to an odd length; irfft of a half spectrum that is not Hermitian in
    // bins 0 and n/2 (both devices drop those imaginary parts) and of an odd output length.
    expect_cuda_matches_cpu([norm](const Inputs& in) { return rfft(in[0], 15, norm); },
                            {f32({4, 16}, 53)}, rtol, atol);
    expect_cuda_matches_cpu(
        [norm](const Inputs& in) { return irfft(complex(in[0], in[1]), -1, norm); },
        {f32({2, 9}, 54), f32({2, 9}, 55)}, rtol, atol);
    expect_cuda_matches_cpu(
        [norm](const Inputs& in) { return irfft(complex(in[0], in[1]), 17, norm); },
        {f32({2, 9}, 56), f32({2, 9}, 57)}, rtol, atol);
  }
}

TEST(CudaLibraryOps, TwoDimensionalFfts) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const double rtol = 1e-4, atol = 1e-4;
  for (FftNorm norm : {FftNorm::kBackward, FftNorm::kOrtho}) {
    SCOPED_TRACE(static_cast<int>(norm));
    expect_cuda_matches_cpu(
        [norm](const Inputs& in) {
          return fft2(complex(in[0], in[1]), {-1, -1}, norm);
        },
        {f32({2, 6, 10}, 60), f32({2, 6, 10}, 61)}, rtol, atol);
    expect_cuda_matches_cpu(
        [norm](const Inputs& in) {
          return ifft2(in[0], {7, 12}, norm);
        },
        {f32({5, 9}, 62)}, rtol, atol);
    expect_cuda_matches_cpu(
        [norm](const Inputs& in) {
          return rfft2(in[0], {-1, -1}, norm);
        },
        {f32({3, 8, 11}, 63)}, rtol, atol);
    // Column 0 (and column n/2) of a random half spectrum are not Hermitian along the rows:
    // Note [Hermitian projection before C2R] makes cuFFT agree with the CPU.
    expect_cuda_matches_cpu(
        [norm](const Inputs& in) {
          return irfft2(complex(in[0], in[1]), {-1, -1}, norm);
        },
        {f32({2, 6, 5}, 64), f32({2, 6, 5}, 65)}, rtol, atol);
    expect_cuda_matches_cpu(
        [norm](const Inputs& in) {
          return irfft2(complex(in[0], in[1]), {7, 9}, norm);
        },
        {f32({7, 5}, 66), f32({7, 5}, 67)}, rtol, atol);
  }
}

TEST(CudaLibraryOps, ComplexOps) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  auto z = [](const Inputs& in, int i) { return complex(in[i], in[i + 1]); };
  const Inputs four = {f32({6, 33}, 70), f32({6, 33}, 71), f32({33}, 72), f32({33}, 73)};
  expect_cuda_matches_cpu([&](const Inputs& in) { return conj(z(in, 0)); }, four);
  expect_cuda_matches_cpu([&](const Inputs& in) { return complex_abs(z(in, 0)); }, four);
  // Broadcast complex mul and div: their backward sums complex gradients over dim 0.
  expect_cuda_matches_cpu([&](const Inputs& in) { return mul(z(in, 0), z(in, 2)); }, four);
  expect_cuda_matches_cpu([&](const Inputs& in) { return div(z(in, 0), z(in, 2)); }, four, 1e-4,
                          1e-4);
  expect_cuda_matches_cpu([&](const Inputs& in) { return sub(z(in, 2), z(in, 0)); }, four);
  expect_cuda_matches_cpu(
      [&](const Inputs& in) { return add(real(z(in, 0)), imag(conj(z(in, 0)))); }, four);
  // Conversions on the device: complex -> real keeps the real part; f32 <-> f64.
  const Tensor c = random_tensor({4, 7}, DType::c64, 74, false);
  EXPECT_ALL_CLOSE(c.to(Device::cuda()).to(DType::f32).to(Device::cpu()), c.to(DType::f32), 0, 0);
  EXPECT_ALL_CLOSE(c.to(Device::cuda()).to(DType::c128).to(Device::cpu()), c.to(DType::c128), 0, 0);
}

// ---- the FourierFT op ---------------------------------------------------------------------

// Entries of a d1 × d2 spectrum that exercise the Hermitian bookkeeping: the self-conjugate
// (0, 0), a pair that mirror each other, the Nyquist column, plus uniform ones.
SpectralEntries awkward_entries(int64_t d1, int64_t d2, int64_t n, uint64_t seed) {
  SpectralEntries e = fourierft::uniform_entries(d1, d2, n, seed);
  e.rows[0] = 0, e.cols[0] = 0;
  e.rows[1] = 1, e.cols[1] = 2;
  e.rows[2] = d1 - 1, e.cols[2] = d2 - 2;
  e.rows[3] = 2, e.cols[3] = d2 / 2;
  return e;
}

TEST(CudaFourierFT, SpectralDelta) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (auto [d1, d2] : {std::pair<int64_t, int64_t>{16, 12}, {15, 9}, {48, 64}}) {
    SCOPED_TRACE(::testing::Message() << d1 << " x " << d2);
    const SpectralEntries e = awkward_entries(d1, d2, 40, 5);
    expect_cuda_matches_cpu(
        [&](const Inputs& in) { return fourierft::fourierft_delta(in[0], e, 300.0); },
        {f32({40}, 80)}, 1e-4, 1e-4);
    // The Hartley phase (1 − i)/2.
    expect_cuda_matches_cpu(
        [&](const Inputs& in) {
          return fourierft::spectral_delta(in[0], e, 0.1, {0.5, -0.5});
        },
        {f32({40}, 81)}, 1e-4, 1e-4);
  }
}

TEST(CudaFourierFT, FourierFTLinearOnBothCoefficientGradientPaths) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (CoeffGradPath path : {CoeffGradPath::kRowFFT, CoeffGradPath::kDenseGradient}) {
    SCOPED_TRACE(path == CoeffGradPath::kRowFFT ? "row FFT" : "dense G");
    for (auto [out, in] : {std::pair<int64_t, int64_t>{24, 40}, {33, 17}}) {
      const SpectralEntries e = awkward_entries(out, in, 50, 7);
      expect_cuda_matches_cpu(
          [&](const Inputs& v) {
            return fourierft::fourierft_linear(v[0], v[1], v[2], v[3], e, 150.0, path);
          },
          {f32({2, 21, in}, 90), f32({out, in}, 91), f32({out}, 92), f32({50}, 93)}, 1e-4, 1e-4);
    }
    // The PEFT case: W0 frozen (no dW), no bias; only x and the coefficients get gradients.
    const SpectralEntries e = awkward_entries(32, 32, 60, 8);
    const Tensor w0 = f32({32, 32}, 94).detach();
    expect_cuda_matches_cpu(
        [&](const Inputs& v) {
          return fourierft::fourierft_linear(v[0], w0.to(v[0].device()), Tensor(), v[1], e, 50.0,
                                             path);
        },
        {f32({70, 32}, 95), f32({60}, 96)}, 1e-4, 1e-4);
  }
}

// Two layers reading one input through one RowSpectrumShare (Note [row spectrum sharing]):
// the shared row spectrum on the device gives the CPU's gradients.
TEST(CudaFourierFT, LayersSharingTheRowSpectrum) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const SpectralEntries e = awkward_entries(24, 40, 50, 9);
  expect_cuda_matches_cpu(
      [&](const Inputs& v) {
        fourierft::RowSpectrumShare share;
        const Tensor yq = fourierft::fourierft_linear(v[0], v[1], Tensor(), v[2], e, 150.0,
                                                      CoeffGradPath::kRowFFT, &share);
        const Tensor yv = fourierft::fourierft_linear(v[0], v[1], Tensor(), v[3], e, 150.0,
                                                      CoeffGradPath::kRowFFT, &share);
        return mul(yq, yv);
      },
      {f32({37, 40}, 97), f32({24, 40}, 98), f32({50}, 99), f32({50}, 100)}, 1e-4, 1e-4);
}

// ---- determinism ---------------------------------------------------------------------------

// Sets deterministic mode for one scope and restores the previous setting.
class DeterministicScope {
 public:
  explicit DeterministicScope(bool on) : before_(deterministic_algorithms()) {
    set_deterministic_algorithms(on);
  }
  ~DeterministicScope() { set_deterministic_algorithms(before_); }

 private:
  bool before_;
};

// One step of a small FourierFT model on CUDA from fixed initial values: a conv2d patch
// embedding, a FourierFT layer over the patches whose entries repeat one cell many times (so
// that the default scatter's atomics would add in a varying order), a second spectral delta,
// a squared loss, backward, and an SGD update of the coefficients. Returns everything it made.
std::vector<Tensor> fourierft_training_step() {
  const Device cuda = Device::cuda();
  auto leaf = [&](const Shape& shape, uint64_t seed) {
    return random_tensor(shape, DType::f32, seed, false).to(cuda).set_requires_grad(true);
  };
  SpectralEntries e = fourierft::uniform_entries(24, 24, 200, 3);
  for (int64_t i = 0; i < 64; ++i) e.rows[i] = 5, e.cols[i] = 7;  // one cell, 64 contributions
  for (int64_t i = 64; i < 96; ++i) e.rows[i] = 24 - 5, e.cols[i] = 24 - 7;  // and its mirror
  Tensor images = leaf({2, 3, 16, 16}, 100), patch_w = leaf({24, 3, 4, 4}, 101);
  Tensor patch_b = leaf({24}, 102), w0 = leaf({24, 24}, 103), coeffs = leaf({200}, 104);
  Tensor layer_coeffs = leaf({200}, 105);
  const Tensor patches = conv2d(images, patch_w, patch_b, {4, 4}, {0, 0});  // (2, 24, 4, 4)
  const Tensor tokens = patches.reshape({2, 24, 16}).transpose(1, 2);       // (2, 16, 24)
  const Tensor y = fourierft::fourierft_linear(tokens, w0, Tensor(), coeffs, e, 80.0);
  const Tensor deltas = fourierft::fourierft_delta(layer_coeffs, e, 80.0);  // (24, 24)
  const Tensor loss = add(sum(mul(y, y)), sum(mul(deltas, deltas)));
  loss.backward();
  Tensor updated;
  {
    NoGradGuard no_grad;
    updated = sub(coeffs, mul(coeffs.grad(), 1e-3));
  }
  return {y,
          loss,
          coeffs.grad(),
          layer_coeffs.grad(),
          patch_w.grad(),
          patch_b.grad(),
          images.grad(),
          w0.grad(),
          updated};
}

TEST(CudaDeterminism, FourierFTTrainingStepRepeatsBitForBit) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  DeterministicScope deterministic(true);
  const std::vector<Tensor> first = fourierft_training_step();
  const std::vector<Tensor> second = fourierft_training_step();
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    ASSERT_TRUE(first[i].defined() && second[i].defined()) << "result " << i;
    EXPECT_ALL_CLOSE(second[i].to(Device::cpu()), first[i].to(Device::cpu()), 0.0, 0.0)
        << "result " << i << " differs between two identical runs";
  }
}

TEST(CudaDeterminism, DeterministicScatterMatchesTheDefaultOne) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const SpectralEntries e = awkward_entries(20, 14, 60, 9);
  const Tensor c = f32({60}, 110).detach().to(Device::cuda());
  Tensor fast, fixed;
  {
    DeterministicScope off(false);
    fast = fourierft::fourierft_delta(c, e, 100.0);
  }
  {
    DeterministicScope on(true);
    fixed = fourierft::fourierft_delta(c, e, 100.0);
  }
  // Distinct entries put at most two values on a cell: both orders give the same sums up to
  // the fused multiply-add the compiler may form in one kernel and not the other.
  EXPECT_ALL_CLOSE(fixed.to(Device::cpu()), fast.to(Device::cpu()), 1e-6, 1e-6);
}

}  // namespace
}  // namespace fftune
