#include "fourierft/fourierft_linear_op.h"

#include "core/autograd/node.h"
#include "fourierft/spectral_delta.h"
#include "ops/cpu/spectral_kernels.h"
#include "ops/cuda/spectral_ops.h"
#include "ops/device_gemm.h"
#include "ops/op_utils.h"
#include "ops/ops.h"
#include "ops/spectral_math.h"

namespace fftune::fourierft {
namespace {

// ---- the steps of the row-FFT path, each on its tensors' device --------------------------------

// (⌊n/2⌋+1, T): the rfft of each row of a contiguous (T, n), bins-major.
Tensor row_spectra(const Tensor& rows) {
  Tensor out =
      empty({half_bins(rows.size(1)), rows.size(0)}, complex_dtype(rows.dtype()), rows.device());
  if (rows.device().is_cpu())
    cpu::row_spectra(out, rows);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::row_spectra(out, rows), "fourierft_linear", rows.device());
  return out;
}

void row_fft_gather(const Tensor& dcoeffs, const Tensor& a, const Tensor& b,
                    const SpectralEntries& e, double scale) {
  if (dcoeffs.device().is_cpu())
    cpu::row_fft_gather(dcoeffs, a, b, e.rows.data(), e.cols.data(), e.d1, e.d2, scale);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::row_fft_gather(dcoeffs, a, b, e.rows.data(), e.cols.data(), e.d1, e.d2, scale),
        "fourierft_linear", dcoeffs.device());
}

// dcoeffs (N) = scale · Re Σ_t B[t, j_l] · A[t, k_l] (Note [coefficient gradient without G]),
// with A the row spectra of x (T, in) — `a` when given (shared), else computed here — and B
// those of g (T, out), on g's device.
Tensor row_fft_coeff_grad(const Tensor& g, const Tensor& x, const Tensor& a_shared,
                          const SpectralEntries& e, double scale) {
  const Tensor a = a_shared.defined() ? a_shared : row_spectra(x);
  const Tensor b = row_spectra(g);
  Tensor dcoeffs = empty({e.size()}, g.dtype(), g.device());
  row_fft_gather(dcoeffs, a, b, e, scale);
  return dcoeffs;
}

class FourierFTLinearBackward final : public Node {
 public:
  FourierFTLinearBackward(const SpectralEntries& entries, double alpha, CoeffGradPath path,
                          Shape x_shape)
      : entries_(entries), alpha_(alpha), path_(path), x_shape_(std::move(x_shape)) {}
  std::string name() const override { return "FourierFTLinearBackward"; }

  SavedTensor x2;      // (M, in), contiguous: X with its leading dims folded into M tokens
  SavedTensor merged;  // (out, in): W0 + ΔW, for dX
  // The row spectrum this pass shares with the other layers reading X (Note [row spectrum
  // sharing]); null when not shared. Dropped once this backward has run.
  std::shared_ptr<RowSpectrumShare::Slot> row_spectrum;

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor g = grads[0].contiguous().view({-1, grads[0].size(-1)});  // (M, out)
    const int64_t m = g.size(0), out = entries_.d1, in = entries_.d2;
    const Device device = g.device();
    Tensor dx, dweight, dbias, dcoeffs;
    if (needs_input_grad(0)) {  // dX = dY·(W0 + ΔW)
      const Tensor w = merged.unpack(*this);
      dx = empty({m, in}, g.dtype(), device);
      dispatch_float(g.dtype(), "fourierft_linear", [&]<typename T>() {
        device_gemm(device, false, false, m, in, out, T(1), g.data<T>(), out, w.data<T>(), in, T(0),
                    dx.data<T>(), in);
      });
      dx = dx.view(x_shape_);
    }
    if (needs_input_grad(2)) {
      dbias = empty({out}, g.dtype(), device);
      device_sum_columns(dbias, g, m, out);
    }
    const bool need_g =
        needs_input_grad(1) || (needs_input_grad(3) && path_ == CoeffGradPath::kDenseGradient);
    Tensor big_g;
    if (need_g) {  // G = dYᵀ·X (out, in)
      const Tensor x = x2.unpack(*this);
      big_g = empty({out, in}, g.dtype(), device);
      dispatch_float(g.dtype(), "fourierft_linear", [&]<typename T>() {
        device_gemm(device, true, false, out, in, m, T(1), g.data<T>(), out, x.data<T>(), in, T(0),
                    big_g.data<T>(), in);
      });
      if (needs_input_grad(1)) dweight = big_g;
    }
    if (needs_input_grad(3)) {
      const double scale = alpha_ / static_cast<double>(out * in);
      if (path_ == CoeffGradPath::kDenseGradient) {  // one R2C of G and the mirrored gather
        dcoeffs = spectral_delta_backward(big_g, entries_, scale, {0.5, 0.0});
      } else {
        const Tensor x = x2.unpack(*this);
        const Tensor a = row_spectrum ? row_spectrum->spectrum(x) : Tensor();
        dcoeffs = row_fft_coeff_grad(g, x, a, entries_, scale);
      }
    }
    row_spectrum.reset();
    return {dx, dweight, dbias, dcoeffs};
  }

 private:
  SpectralEntries entries_;
  double alpha_;
  CoeffGradPath path_;
  Shape x_shape_;
};

}  // namespace

RowSpectrumShare::Slot::Slot(const Tensor& x2) : x2_(x2.detach()), version_(x2.version()) {}

bool RowSpectrumShare::Slot::reads(const Tensor& x2) const {
  return x2_.storage() == x2.storage() && x2_.offset() == x2.offset() &&
         x2_.shape() == x2.shape() && x2_.strides() == x2.strides() && x2_.dtype() == x2.dtype() &&
         version_ == x2.version();
}

Tensor RowSpectrumShare::Slot::spectrum(const Tensor& x2) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!spectrum_.defined()) spectrum_ = row_spectra(x2);
  return spectrum_;
}

std::shared_ptr<RowSpectrumShare::Slot> RowSpectrumShare::slot_for(const Tensor& x2) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<Slot> slot = latest_.lock();
  if (!slot || !slot->reads(x2)) {
    slot = std::make_shared<Slot>(x2);
    latest_ = slot;
  }
  return slot;
}

// Measured (docs/perf.md, "FourierFT"): at RoBERTa's q/v shape (1024 tokens × 768, n = 1000)
// the layer's backward is faster by the row-FFT path than through G on the CPU.
CoeffGradPath default_coeff_grad_path() {
  return CoeffGradPath::kRowFFT;
}

Tensor fourierft_linear(const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const Tensor& coeffs, const SpectralEntries& entries, double alpha,
                        CoeffGradPath path, RowSpectrumShare* share) {
  check_defined("fourierft_linear", weight, "weight");
  FFTUNE_CHECK(weight.dim() == 2 && weight.size(0) == entries.d1 && weight.size(1) == entries.d2,
               "fourierft_linear: weight ", weight.shape(), " does not match the entries' ",
               entries.d1, " x ", entries.d2, " spectrum");
  FFTUNE_CHECK(coeffs.dim() == 1, "fourierft_linear: coeffs must be (N), got ", coeffs.shape());
  check_same_dtype("fourierft_linear", x, weight);
  check_same_dtype("fourierft_linear", coeffs, weight);

  Tensor merged_weight, y, x2;
  {
    // The forward is plain ops with no graph of their own: this op records one node.
    NoGradGuard no_grad;
    merged_weight = add(weight, fourierft_delta(coeffs, entries, alpha));  // (out, in)
    y = linear(x, merged_weight, bias);
    x2 = x.contiguous().view({-1, x.size(-1)});
  }
  if (auto node = make_node<FourierFTLinearBackward>({x, weight, bias, coeffs}, entries, alpha,
                                                     path, x.shape())) {
    node->save(node->x2, x2);
    if (node->needs_input_grad(0)) node->save(node->merged, merged_weight);
    if (share && path == CoeffGradPath::kRowFFT && node->needs_input_grad(3))
      node->row_spectrum = share->slot_for(x2);
    attach(node, {y});
  }
  return y;
}

}  // namespace fftune::fourierft
