#include "core/autograd/gradcheck.h"

#include <cmath>
#include <complex>
#include <sstream>

#include "core/autograd/grad_mode.h"
#include "core/tensor/factory.h"

namespace fftune {
namespace {

// Offset (in elements) of the k-th element in row-major order of a strided tensor.
int64_t element_offset(const Tensor& t, int64_t k) {
  int64_t off = t.offset();
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    off += (k % t.size(d)) * t.stride(d);
    k /= t.size(d);
  }
  return off;
}

// A pointer to component `part` (0 real, 1 imaginary) of element k of a CPU f64/c128 tensor.
double* component(const Tensor& t, int64_t k, int part) {
  double* base = static_cast<double*>(t.storage()->data.get());
  const int64_t off = element_offset(t, k);
  return t.dtype() == DType::c128 ? base + 2 * off + part : base + off;
}

// L = Σ Re(conj(v) · y) with v and y read as doubles (real and imaginary parts).
double project(const Tensor& y, const Tensor& v) {
  const Tensor yc = y.to(Device::cpu()).contiguous();
  const Tensor vc = v.contiguous();
  double total = 0;
  if (is_complex(y.dtype())) {
    const Tensor y128 = yc.to(DType::c128);
    const c128_t* py = y128.data<c128_t>();
    const c128_t* pv = vc.data<c128_t>();
    for (int64_t i = 0; i < y.numel(); ++i) total += (std::conj(pv[i]) * py[i]).real();
  } else {
    const Tensor y64 = yc.to(DType::f64);
    const double* py = y64.data<double>();
    const double* pv = vc.data<double>();
    for (int64_t i = 0; i < y.numel(); ++i) total += pv[i] * py[i];
  }
  return total;
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, GradcheckOptions options) {
  for (const Tensor& x : inputs) {
    if (!x.defined() || !x.requires_grad()) continue;
    FFTUNE_CHECK(x.dtype() == DType::f64 || x.dtype() == DType::c128,
                 "gradcheck: inputs that require grad must be f64 or c128, got ", x.dtype());
    FFTUNE_CHECK(x.device().is_cpu(), "gradcheck: inputs must be on the cpu");
  }

  // The random output gradient v (real or complex, like y).
  Tensor y0;
  {
    NoGradGuard no_grad;
    y0 = fn(inputs);
  }
  Generator gen(options.seed);
  Tensor v = randn(y0.shape(), DType::f64, Device::cpu(), &gen);
  if (is_complex(y0.dtype())) {
    // v = a + ib with independent normal parts.
    const Tensor im = randn(y0.shape(), DType::f64, Device::cpu(), &gen);
    Tensor vc = empty(y0.shape(), DType::c128);
    c128_t* p = vc.data<c128_t>();
    const double* re = v.data<double>();
    const double* ii = im.data<double>();
    for (int64_t i = 0; i < vc.numel(); ++i) p[i] = {re[i], ii[i]};
    v = vc;
  }

  // Analytic gradients.
  for (const Tensor& x : inputs)
    if (x.defined() && x.requires_grad()) x.set_grad(Tensor());
  Tensor y = fn(inputs);
  FFTUNE_CHECK(y.requires_grad(), "gradcheck: the output does not require grad");
  y.backward(v.to(y.dtype()).to(y.device()));

  GradcheckResult result;
  double worst_excess = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    if (!x.defined() || !x.requires_grad()) continue;
    Tensor analytic = x.grad().defined() ? x.grad().to(x.dtype()).contiguous() : zeros_like(x);
    const int parts = x.dtype() == DType::c128 ? 2 : 1;
    for (int64_t k = 0; k < x.numel(); ++k) {
      for (int part = 0; part < parts; ++part) {
        double* p = component(x, k, part);
        const double saved = *p;
        double plus, minus;
        {
          NoGradGuard no_grad;
          *p = saved + options.eps;
          plus = project(fn(inputs), v);
          *p = saved - options.eps;
          minus = project(fn(inputs), v);
          *p = saved;
        }
        const double numeric = (plus - minus) / (2 * options.eps);
        const double a = parts == 2 ? static_cast<const double*>(analytic.raw_data())[2 * k + part]
                                    : analytic.data<double>()[k];
        const double excess =
            std::abs(a - numeric) - (options.atol + options.rtol * std::abs(numeric));
        if (excess > worst_excess || std::isnan(a)) {
          worst_excess = std::isnan(a) ? INFINITY : excess;
          std::ostringstream os;
          os << "gradcheck: input " << i << " element " << k
             << (parts == 2 ? (part ? " (imag)" : " (real)") : "") << ": analytic " << a
             << " vs numeric " << numeric << " (atol " << options.atol << ", rtol " << options.rtol
             << ")";
          result.ok = false;
          result.message = os.str();
        }
      }
    }
  }
  return result;
}

}  // namespace fftune
