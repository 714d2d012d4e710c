// spectral_delta: forward = Hermitian half-spectrum scatter + one C2R 2-D FFT; backward = one
// R2C 2-D FFT + mirrored gather (Note [Hermitian half-spectrum scatter] in the header). The
// sequence is written once; each step runs the CPU kernel or its CUDA twin
// (ops/cpu/spectral_kernels.h, ops/cuda/spectral_ops.h) on the tensors' device.
#include "fourierft/spectral_delta.h"

#include "core/autograd/node.h"
#include "ops/cpu/spectral_kernels.h"
#include "ops/cuda/spectral_ops.h"
#include "ops/op_utils.h"
#include "ops/ops.h"
#include "ops/spectral_math.h"

namespace fftune::fourierft {
namespace {

// ---- the steps, each on its tensors' device ----------------------------------------------------

void hermitian_scatter(const Tensor& half, const Tensor& coeffs, const SpectralEntries& e,
                       std::complex<double> w, double scale) {
  if (half.device().is_cpu())
    cpu::hermitian_scatter(half, coeffs, e.rows.data(), e.cols.data(), e.d1, e.d2, w, scale);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::hermitian_scatter(half, coeffs, e.rows.data(), e.cols.data(), e.d1, e.d2, w, scale),
        "spectral_delta", half.device());
}

void mirrored_gather(const Tensor& dcoeffs, const Tensor& half, const SpectralEntries& e,
                     std::complex<double> w, double scale) {
  if (half.device().is_cpu())
    cpu::mirrored_gather(dcoeffs, half, e.rows.data(), e.cols.data(), e.d1, e.d2, w, scale);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::mirrored_gather(dcoeffs, half, e.rows.data(), e.cols.data(), e.d1, e.d2, w, scale),
        "spectral_delta", half.device());
}

void spectral_c2r(const Tensor& delta, const Tensor& half) {
  if (half.device().is_cpu())
    cpu::spectral_c2r(delta, half);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::spectral_c2r(delta, half), "spectral_delta", half.device());
}

void spectral_r2c(const Tensor& half, const Tensor& g) {
  if (g.device().is_cpu())
    cpu::spectral_r2c(half, g);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::spectral_r2c(half, g), "spectral_delta", g.device());
}

// ---- the op ----------------------------------------------------------------------------------

// delta (d1, d2) from contiguous coeffs (N), without autograd.
Tensor spectral_delta_forward(const Tensor& coeffs, const SpectralEntries& e, double scale,
                              std::complex<double> w) {
  // (d1, ⌊d2/2⌋ + 1) half spectrum, zeroed; the scatter accumulates into it.
  const Tensor half =
      zeros({e.d1, half_bins(e.d2)}, complex_dtype(coeffs.dtype()), coeffs.device());
  hermitian_scatter(half, coeffs, e, w, scale);
  Tensor delta = empty({e.d1, e.d2}, coeffs.dtype(), coeffs.device());
  spectral_c2r(delta, half);
  return delta;
}

class SpectralDeltaBackward final : public Node {
 public:
  SpectralDeltaBackward(const SpectralEntries& entries, double scale, std::complex<double> w)
      : entries_(entries), scale_(scale), w_(w) {}
  std::string name() const override { return "SpectralDeltaBackward"; }

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    return {spectral_delta_backward(grads[0], entries_, scale_, w_)};
  }

 private:
  SpectralEntries entries_;  // a copy (2·N indices): the graph may outlive the adapter
  double scale_;
  std::complex<double> w_;
};

}  // namespace

Tensor spectral_delta_backward(const Tensor& grad, const SpectralEntries& entries, double scale,
                               std::complex<double> w) {
  const Tensor g = grad.contiguous();  // (d1, d2)
  FFTUNE_CHECK(g.dim() == 2 && g.size(0) == entries.d1 && g.size(1) == entries.d2,
               "spectral_delta_backward: the gradient must be (", entries.d1, ", ", entries.d2,
               "), got ", g.shape());
  // A = rfft2(G): (d1, ⌊d2/2⌋ + 1)
  const Tensor half =
      empty({entries.d1, half_bins(entries.d2)}, complex_dtype(g.dtype()), g.device());
  spectral_r2c(half, g);
  Tensor dcoeffs = empty({entries.size()}, g.dtype(), g.device());
  mirrored_gather(dcoeffs, half, entries, w, scale);
  return dcoeffs;
}

Tensor spectral_delta(const Tensor& coeffs, const SpectralEntries& entries, double scale,
                      std::complex<double> w) {
  check_defined("spectral_delta", coeffs, "coeffs");
  FFTUNE_CHECK(is_floating(coeffs.dtype()), "spectral_delta: coeffs must be f32 or f64, got ",
               coeffs.dtype());
  const int64_t n = entries.size(), d1 = entries.d1, d2 = entries.d2;
  FFTUNE_CHECK(coeffs.dim() == 1 && coeffs.size(0) == n,
               "spectral_delta: coeffs must be (N) with N = ", n, " entries, got shape ",
               coeffs.shape());
  FFTUNE_CHECK(static_cast<int64_t>(entries.cols.size()) == n && d1 > 0 && d2 > 0,
               "spectral_delta: malformed entries (", entries.rows.size(), " rows, ",
               entries.cols.size(), " cols, d1 = ", d1, ", d2 = ", d2, ")");
  for (int64_t i = 0; i < n; ++i)  // the kernels index with these: never out of bounds
    FFTUNE_CHECK(entries.rows[i] >= 0 && entries.rows[i] < d1 && entries.cols[i] >= 0 &&
                     entries.cols[i] < d2,
                 "spectral_delta: entry ", i, " (", entries.rows[i], ", ", entries.cols[i],
                 ") lies outside the ", d1, " x ", d2, " spectrum");
  Tensor delta = spectral_delta_forward(coeffs.detach().contiguous(), entries, scale, w);
  if (auto node = make_node<SpectralDeltaBackward>({coeffs}, entries, scale, w))
    attach(node, {delta});
  return delta;
}

Tensor fourierft_delta(const Tensor& coeffs, const SpectralEntries& entries, double alpha) {
  // Re(ifft2(F)) = 1/(d1·d2) · Σ c·cos θ = 1/(d1·d2) · Σ c · 2·Re(½·e^{iθ}).
  const double scale = alpha / static_cast<double>(entries.d1 * entries.d2);
  return spectral_delta(coeffs, entries, scale, {0.5, 0.0});
}

}  // namespace fftune::fourierft
