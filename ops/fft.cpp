// Differentiable discrete Fourier transforms with torch.fft's semantics: fft, ifft, rfft, irfft
// over the last dim and fft2, ifft2, rfft2, irfft2 over the last two dims, batched over the
// leading dims.
//
//   fft:  y[k] = s · Σ_j x[j] · exp(-2πi·jk/n)        ifft: the same with exp(+2πi·jk/n)
//   rfft: the first n/2+1 bins of fft of a real x     irfft: the real inverse of such a half
//                                                            spectrum (Hermitian extension)
// The scale s depends on FftNorm (ops.h): the forward-direction ops (fft, rfft, fft2, rfft2)
// use 1, 1/√n, 1/n for kBackward, kOrtho, kForward; the inverse ones 1/n, 1/√n, 1 (n = the
// number of points transformed, n0·n1 in 2-D).
//
// An op runs in three steps: promote a real input to complex where the op takes complex
// (fft, ifft, ...; torch does the same), resize the transformed dims to the requested sizes
// (truncate, or pad with zeros), then transform. The first two are differentiable ops of their
// own, so the transform's backward node only deals with the transform itself.
//
// Note [FFT adjoints]
// Every transform is real-linear in its input, so its backward is its adjoint. With F the
// unnormalised forward DFT matrix, F^H = conj(F) is the unnormalised inverse:
//  * c2c  y = s·F x             =>  dx = s·F^H g: the opposite direction, at the same scale.
//  * r2c  y = s·(F x)[0, m)     =>  dx = s·Re(F^H [g; 0]) with g zero-padded from m = n/2+1 to
//         n bins (PyTorch's fft_r2c_backward). We get it from one c2r instead of a complex
//         inverse: c2r(h)[j] = Σ_k w_k·Re(h_k·exp(+2πi·jk/n)) with w_k = 2 for bins
//         k = 1 .. n-m (those whose mirror n-k lies outside the half spectrum) and 1 for bin 0
//         and, for even n, bin n/2; c2r reads only the real part of those two bins, which is
//         all that Re(...) keeps of them anyway. So dx = s·c2r(g / w).
//  * c2r  y = s·Σ_k w_k·Re(X_k·exp(+2πi·jk/n))  =>  dX_k = s·w_k·Σ_j g_j·exp(-2πi·jk/n)
//         = s·w_k·r2c(g)_k (PyTorch's fft_c2r_backward). The imaginary parts of bin 0 and bin
//         n/2, which c2r ignores, get r2c(g)'s exact zero there: the gradient of exactly what
//         the forward computes.
//  * 2-D  the first axis is a plain c2c (an inverse c2c before c2r, a forward c2c after r2c),
//         and w acts per column of the half spectrum, so the same formulas hold with w
//         broadcast over rows: rfft2's dx = s·c2r_2d(g / w), irfft2's dX = s·w·r2c_2d(g).
// c2r of a half spectrum whose self-mirrored columns (column 0, and column n/2 for even n) are
// not Hermitian is implementation-defined: numpy/pocketfft and our kernel project such a column,
// cuFFT leaves the result undefined, so the CUDA path projects a copy first (Note [Hermitian
// projection before C2R] in ops/cuda/fft_kernels.h) and both devices agree. Callers (and
// gradchecks) should still hand irfft2 Hermitian columns; the backward above is the adjoint of the
// Hermitian-input map.
//
// Devices: our own FFT on the CPU (ops/cpu/fft_kernels.h), cuFFT on CUDA (ops/cuda/fft_kernels.h).
#include <cmath>
#include <vector>

#include "core/autograd/node.h"
#include "ops/cpu/fft_kernels.h"
#include "ops/cuda/fft_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

enum class Transform { kC2C, kR2C, kC2R };

double norm_scale(FftNorm norm, int64_t n, bool inverse) {
  switch (norm) {
    case FftNorm::kBackward:
      return inverse ? 1.0 / static_cast<double>(n) : 1.0;
    case FftNorm::kOrtho:
      return 1.0 / std::sqrt(static_cast<double>(n));
    case FftNorm::kForward:
      return inverse ? 1.0 : 1.0 / static_cast<double>(n);
  }
  return 1.0;
}

// The transform over the last `ndim` dims, no autograd. For kC2R, n_last is the output's last
// size (the input has n_last/2+1 bins); otherwise it is unused. `inverse` only matters for kC2C.
// `op` names the op in the error of a build without CUDA (FFTUNE_CUDA_OR_NO_KERNEL).
Tensor transform_kernel([[maybe_unused]] const char* op, const Tensor& x, int ndim, Transform kind,
                        bool inverse, int64_t n_last, double scale) {
  const Tensor xc = x.contiguous();
  Shape out_shape = x.shape();
  DType out_dtype = x.dtype();
  if (kind == Transform::kR2C) {
    out_shape.back() = x.size(-1) / 2 + 1;
    out_dtype = complex_dtype(x.dtype());
  } else if (kind == Transform::kC2R) {
    out_shape.back() = n_last;
    out_dtype = real_dtype(x.dtype());
  }
  Tensor out = empty(out_shape, out_dtype, x.device());
  const bool on_cpu = x.device().is_cpu();
  switch (kind) {
    case Transform::kC2C:
      if (on_cpu)
        cpu::fft_c2c_forward(out, xc, ndim, inverse, scale);
      else
        FFTUNE_CUDA_OR_NO_KERNEL(cuda::fft_c2c_forward(out, xc, ndim, inverse, scale), op,
                                 x.device());
      break;
    case Transform::kR2C:
      if (on_cpu)
        cpu::fft_r2c_forward(out, xc, ndim, scale);
      else
        FFTUNE_CUDA_OR_NO_KERNEL(cuda::fft_r2c_forward(out, xc, ndim, scale), op, x.device());
      break;
    case Transform::kC2R:
      if (on_cpu)
        cpu::fft_c2r_forward(out, xc, ndim, scale);
      else
        FFTUNE_CUDA_OR_NO_KERNEL(cuda::fft_c2r_forward(out, xc, ndim, scale), op, x.device());
      break;
  }
  return out;
}

// The weights w of Note [FFT adjoints] for a half spectrum of n/2+1 bins, as a complex (n/2+1)
// tensor: `middle` at bins 1 .. n-(n/2+1), 1 at bin 0 and (even n) bin n/2.
Tensor middle_bin_weights(int64_t n, double middle, DType dtype, Device device) {
  const int64_t bins = n / 2 + 1;
  std::vector<c128_t> w(bins, 1.0);
  for (int64_t k = 1; k <= n - bins; ++k) w[k] = middle;
  return from_vector<c128_t>(w, {bins}).to(dtype).to(device);
}

// See Note [FFT adjoints] for the three formulas.
class FftBackward final : public Node {
 public:
  FftBackward(const char* op, int ndim, Transform kind, bool inverse, int64_t n_last, double scale)
      : op_(op), ndim_(ndim), kind_(kind), inverse_(inverse), n_last_(n_last), scale_(scale) {}
  std::string name() const override { return std::string(op_) + "Backward"; }

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];  // the output's shape
    switch (kind_) {
      case Transform::kC2C:
        return {transform_kernel(op_, g, ndim_, Transform::kC2C, !inverse_, 0, scale_)};
      case Transform::kR2C: {  // g (…, n/2+1) -> dx (…, n) real: s·c2r(g / w)
        const Tensor w = middle_bin_weights(n_last_, 0.5, g.dtype(), g.device());
        return {transform_kernel(op_, mul(g, w), ndim_, Transform::kC2R, false, n_last_, scale_)};
      }
      case Transform::kC2R: {  // g (…, n) real -> dX (…, n/2+1): s·w·r2c(g)
        const Tensor half = transform_kernel(op_, g, ndim_, Transform::kR2C, false, 0, scale_);
        return {mul(half, middle_bin_weights(n_last_, 2.0, half.dtype(), half.device()))};
      }
    }
    return {Tensor()};
  }

 private:
  const char* op_;
  int ndim_;
  Transform kind_;
  bool inverse_;
  int64_t n_last_;
  double scale_;
};

// Backward of zero-padding `dim` from `size` to more: the gradient of the original window.
class FftPadBackward final : public Node {
 public:
  FftPadBackward(int64_t dim, int64_t size) : dim_(dim), size_(size) {}
  std::string name() const override { return "FftPadBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    return {grads[0].narrow(dim_, 0, size_).contiguous()};
  }

 private:
  int64_t dim_, size_;
};

// x with `dim` cut or zero-padded at the end to `size` (torch.fft's n and s arguments).
Tensor resize_dim(const Tensor& x, int64_t dim, int64_t size) {
  const int64_t have = x.size(dim);
  if (size == have) return x;
  if (size < have) return x.narrow(dim, 0, size);
  Shape shape = x.shape();
  shape[dim] = size;
  Tensor y = zeros(shape, x.dtype(), x.device());
  {
    NoGradGuard no_grad;
    y.narrow(dim, 0, have).copy_(x);
  }
  if (auto node = make_node<FftPadBackward>({x}, dim, have)) attach(node, {y});
  return y;
}

// Checks x for an op over the last `ndim` dims and converts it to the dtype the transform reads:
// complex for c2c and c2r (a real input is promoted, as torch does), real for r2c.
Tensor prepare_input(const char* op, const Tensor& x, int ndim, Transform kind) {
  check_defined(op, x, "x");
  FFTUNE_CHECK(x.dim() >= ndim, op, ": expected a tensor with at least ", ndim,
               ndim == 1 ? " dim" : " dims", ", got shape ", x.shape());
  if (kind == Transform::kR2C) {
    FFTUNE_CHECK(is_floating(x.dtype()), op, ": expected a real tensor (f32, f64), got ",
                 x.dtype());
    return x;
  }
  FFTUNE_CHECK(is_floating(x.dtype()) || is_complex(x.dtype()), op,
               ": expected a complex or real floating tensor, got ", x.dtype());
  return is_complex(x.dtype()) ? x : x.to(complex_dtype(x.dtype()));
}

// The whole op: resize the transformed dims of `x` to `sizes` (input sizes, one per transformed
// dim, already resolved), transform, record the backward. For kR2C and kC2R, n_last is the
// length of the real signal's last dim (the input's for r2c, the output's for c2r, where
// sizes.back() is then n_last/2+1).
Tensor fft_op(const char* op, const Tensor& x, const std::vector<int64_t>& sizes, Transform kind,
              bool inverse, int64_t n_last, FftNorm norm) {
  const int ndim = static_cast<int>(sizes.size());
  Tensor xr = x;
  for (int i = 0; i < ndim; ++i) xr = resize_dim(xr, x.dim() - ndim + i, sizes[i]);
  const int64_t points =  // the number of points of the transform, for the scale
      (kind == Transform::kC2C ? sizes.back() : n_last) * (ndim == 2 ? sizes[0] : 1);
  const double scale = norm_scale(norm, points, inverse);
  Tensor y = transform_kernel(op, xr, ndim, kind, inverse, n_last, scale);
  if (auto node = make_node<FftBackward>({xr}, op, ndim, kind, inverse, n_last, scale))
    attach(node, {y});
  return y;
}

// A requested size n, or the default when n == -1.
int64_t resolve_size(const char* op, int64_t n, int64_t fallback) {
  const int64_t size = n == -1 ? fallback : n;
  FFTUNE_CHECK(size >= 1, op, ": invalid number of data points ", size,
               n == -1 ? " (from the input's size)" : "");
  return size;
}

Tensor c2c_1d(const char* op, const Tensor& x, int64_t n, FftNorm norm, bool inverse) {
  const Tensor xc = prepare_input(op, x, 1, Transform::kC2C);
  n = resolve_size(op, n, xc.size(-1));
  return fft_op(op, xc, {n}, Transform::kC2C, inverse, 0, norm);
}

Tensor c2c_2d(const char* op, const Tensor& x, std::pair<int64_t, int64_t> s, FftNorm norm,
              bool inverse) {
  const Tensor xc = prepare_input(op, x, 2, Transform::kC2C);
  const int64_t n0 = resolve_size(op, s.first, xc.size(-2));
  const int64_t n1 = resolve_size(op, s.second, xc.size(-1));
  return fft_op(op, xc, {n0, n1}, Transform::kC2C, inverse, 0, norm);
}

}  // namespace

Tensor fft(const Tensor& x, int64_t n, FftNorm norm) {
  return c2c_1d("fft", x, n, norm, /*inverse=*/false);
}

Tensor ifft(const Tensor& x, int64_t n, FftNorm norm) {
  return c2c_1d("ifft", x, n, norm, /*inverse=*/true);
}

Tensor rfft(const Tensor& x, int64_t n, FftNorm norm) {
  const Tensor xr = prepare_input("rfft", x, 1, Transform::kR2C);
  n = resolve_size("rfft", n, xr.size(-1));
  return fft_op("rfft", xr, {n}, Transform::kR2C, false, n, norm);
}

Tensor irfft(const Tensor& x, int64_t n, FftNorm norm) {
  const Tensor xc = prepare_input("irfft", x, 1, Transform::kC2R);
  n = resolve_size("irfft", n, 2 * (xc.size(-1) - 1));
  return fft_op("irfft", xc, {n / 2 + 1}, Transform::kC2R, true, n, norm);
}

Tensor fft2(const Tensor& x, std::pair<int64_t, int64_t> s, FftNorm norm) {
  return c2c_2d("fft2", x, s, norm, /*inverse=*/false);
}

Tensor ifft2(const Tensor& x, std::pair<int64_t, int64_t> s, FftNorm norm) {
  return c2c_2d("ifft2", x, s, norm, /*inverse=*/true);
}

Tensor rfft2(const Tensor& x, std::pair<int64_t, int64_t> s, FftNorm norm) {
  const Tensor xr = prepare_input("rfft2", x, 2, Transform::kR2C);
  const int64_t n0 = resolve_size("rfft2", s.first, xr.size(-2));
  const int64_t n1 = resolve_size("rfft2", s.second, xr.size(-1));
  return fft_op("rfft2", xr, {n0, n1}, Transform::kR2C, false, n1, norm);
}

Tensor irfft2(const Tensor& x, std::pair<int64_t, int64_t> s, FftNorm norm) {
  const Tensor xc = prepare_input("irfft2", x, 2, Transform::kC2R);
  const int64_t n0 = resolve_size("irfft2", s.first, xc.size(-2));
  const int64_t n1 = resolve_size("irfft2", s.second, 2 * (xc.size(-1) - 1));
  return fft_op("irfft2", xc, {n0, n1 / 2 + 1}, Transform::kC2R, true, n1, norm);
}

}  // namespace fftune
