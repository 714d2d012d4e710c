// spectral_delta: forward = Hermitian half-spectrum scatter + one C2R 2-D FFT; backward = one
// R2C 2-D FFT + mirrored gather (Note [Hermitian half-spectrum scatter] in the header).
// On the CPU: ops/cpu/spectral_kernels.h and our FFT; on CUDA: the twin kernels and cuFFT
// (cuda::spectral_delta_forward / _backward, ops/cuda/library_ops.h).
#include "fourierft/spectral_delta.h"

#include "core/autograd/node.h"
#include "ops/cpu/fft.h"
#include "ops/cpu/spectral_kernels.h"
#include "ops/cuda/library_ops.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune::fourierft {
namespace {

// delta (L, d1, d2) from contiguous coeffs (L, N), on the coefficients' device.
void delta_kernel(const Tensor& delta, const Tensor& c, int64_t layers, const SpectralEntries& e,
                  double scale, std::complex<double> w) {
  const int64_t n = e.size(), d1 = e.d1, d2 = e.d2;
  if (!c.device().is_cpu()) {
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::spectral_delta_forward(delta, c, e.rows.data(), e.cols.data(), n, d1, d2, w, scale),
        "spectral_delta", c.device());
    return;
  }
  dispatch_float(c.dtype(), "spectral_delta", [&]<typename T>() {
    // (L, d1, d2/2 + 1) half spectrum, zeroed, then the scatter accumulates into it.
    Tensor half = zeros({layers, d1, d2 / 2 + 1}, complex_dtype(c.dtype()), c.device());
    auto* h = static_cast<std::complex<T>*>(half.raw_data());
    cpu::hermitian_scatter<T>(h, c.data<T>(), e.rows.data(), e.cols.data(), layers, n, d1, d2,
                              std::complex<T>(w), static_cast<T>(scale));
    cpu::fft::c2r_2d<T>(h, delta.data<T>(), layers, d1, d2);
  });
}

class SpectralDeltaBackward final : public Node {
 public:
  SpectralDeltaBackward(const SpectralEntries& entries, double scale, std::complex<double> w,
                        Shape coeff_shape)
      : entries_(entries), scale_(scale), w_(w), coeff_shape_(std::move(coeff_shape)) {}
  std::string name() const override { return "SpectralDeltaBackward"; }

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    return {spectral_delta_backward(grads[0], entries_, scale_, w_, coeff_shape_)};
  }

 private:
  SpectralEntries entries_;  // a copy (2·N indices): the graph may outlive the adapter
  double scale_;
  std::complex<double> w_;
  Shape coeff_shape_;
};

}  // namespace

Tensor spectral_delta_backward(const Tensor& grad, const SpectralEntries& entries, double scale,
                               std::complex<double> w, const Shape& coeff_shape) {
  const Tensor g = grad.contiguous();  // (L, d1, d2) or (d1, d2)
  const int64_t d1 = entries.d1, d2 = entries.d2, n = entries.size();
  const int64_t layers = g.numel() / (d1 * d2);
  Tensor dcoeffs = empty(coeff_shape, g.dtype(), g.device());
  if (!g.device().is_cpu()) {
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::spectral_delta_backward(dcoeffs, g, entries.rows.data(), entries.cols.data(), n, d1,
                                      d2, w, scale),
        "spectral_delta", g.device());
    return dcoeffs;
  }
  dispatch_float(g.dtype(), "spectral_delta", [&]<typename T>() {
    // A = rfft2(G): (L, d1, d2/2 + 1)
    Tensor half = empty({layers, d1, d2 / 2 + 1}, complex_dtype(g.dtype()), g.device());
    auto* a = static_cast<std::complex<T>*>(half.raw_data());
    cpu::fft::r2c_2d<T>(g.data<T>(), a, layers, d1, d2);
    cpu::mirrored_gather<T>(dcoeffs.data<T>(), a, entries.rows.data(), entries.cols.data(), layers,
                            n, d1, d2, std::complex<T>(w), static_cast<T>(scale));
  });
  return dcoeffs;
}

Tensor spectral_delta(const Tensor& coeffs, const SpectralEntries& entries, double scale,
                      std::complex<double> w) {
  check_defined("spectral_delta", coeffs, "coeffs");
  FFTUNE_CHECK(is_floating(coeffs.dtype()), "spectral_delta: coeffs must be f32 or f64, got ",
               coeffs.dtype());
  const int64_t n = entries.size(), d1 = entries.d1, d2 = entries.d2;
  FFTUNE_CHECK((coeffs.dim() == 1 || coeffs.dim() == 2) && coeffs.size(-1) == n,
               "spectral_delta: coeffs must be (N) or (L, N) with N = ", n, " entries, got shape ",
               coeffs.shape());
  FFTUNE_CHECK(static_cast<int64_t>(entries.cols.size()) == n && d1 > 0 && d2 > 0,
               "spectral_delta: malformed entries (", entries.rows.size(), " rows, ",
               entries.cols.size(), " cols, d1 = ", d1, ", d2 = ", d2, ")");
  for (int64_t i = 0; i < n; ++i)  // the kernels index with these: never out of bounds
    FFTUNE_CHECK(entries.rows[i] >= 0 && entries.rows[i] < d1 && entries.cols[i] >= 0 &&
                     entries.cols[i] < d2,
                 "spectral_delta: entry ", i, " (", entries.rows[i], ", ", entries.cols[i],
                 ") lies outside the ", d1, " x ", d2, " spectrum");
  const int64_t layers = coeffs.dim() == 2 ? coeffs.size(0) : 1;
  Shape out_shape = coeffs.dim() == 2 ? Shape{layers, d1, d2} : Shape{d1, d2};
  Tensor delta = empty(out_shape, coeffs.dtype(), coeffs.device());
  delta_kernel(delta, coeffs.detach().contiguous(), layers, entries, scale, w);

  if (auto node = make_node<SpectralDeltaBackward>({coeffs}, entries, scale, w, coeffs.shape()))
    attach(node, {delta});
  return delta;
}

Tensor fourierft_delta(const Tensor& coeffs, const SpectralEntries& entries, double alpha) {
  // Re(ifft2(F)) = 1/(d1·d2) · Σ c·cos θ = 1/(d1·d2) · Σ c · 2·Re(½·e^{iθ}).
  const double scale = alpha / static_cast<double>(entries.d1 * entries.d2);
  return spectral_delta(coeffs, entries, scale, {0.5, 0.0});
}

}  // namespace fftune::fourierft
