#include "ops/cpu/fft_kernels.h"

#include "core/threading.h"
#include "ops/cpu/fft.h"
#include "ops/cpu/loops.h"

namespace fftune::cpu {
namespace {

// The transform sizes of a tensor whose last `ndim` dims are transformed: batch = product of
// the leading dims, n0 = the second-to-last dim (1 for a 1-D transform), n1 = the last dim.
struct FftGeometry {
  int64_t batch, n0, n1;
};

FftGeometry geometry(const Tensor& t, int ndim) {
  const int64_t n1 = t.size(-1);
  const int64_t n0 = ndim == 2 ? t.size(-2) : 1;
  return {n0 * n1 == 0 ? 0 : t.numel() / (n0 * n1), n0, n1};
}

// p[i] *= scale for i in [0, n).
template <typename T>
void scale_in_place(T* p, int64_t n, double scale) {
  if (scale == 1.0) return;
  using Real = decltype(std::abs(p[0]));
  const Real s = static_cast<Real>(scale);
#pragma omp parallel for schedule(static) if (n >= kParallelGrain) num_threads(num_threads())
  for (int64_t i = 0; i < n; ++i) p[i] *= s;
}

}  // namespace

void fft_c2c_forward(const Tensor& out, const Tensor& x, int ndim, bool inverse, double scale) {
  const FftGeometry g = geometry(x, ndim);
  if (x.numel() == 0) return;
  const auto dir = inverse ? fft::Direction::kInverse : fft::Direction::kForward;
  auto run = [&]<typename T>() {
    const std::complex<T>* in = x.data<std::complex<T>>();
    std::complex<T>* o = out.data<std::complex<T>>();
    if (ndim == 1)
      fft::c2c<T>(in, o, g.n1, g.batch, 1, g.n1, 1, g.n1, dir);
    else
      fft::c2c_2d<T>(in, o, g.batch, g.n0, g.n1, dir);
    scale_in_place(o, out.numel(), scale);
  };
  if (x.dtype() == DType::c64)
    run.template operator()<float>();
  else
    run.template operator()<double>();
}

void fft_r2c_forward(const Tensor& out, const Tensor& x, int ndim, double scale) {
  const FftGeometry g = geometry(x, ndim);
  if (x.numel() == 0) return;
  const int64_t bins = out.size(-1);  // n1/2 + 1
  auto run = [&]<typename T>() {
    const T* in = x.data<T>();
    std::complex<T>* o = out.data<std::complex<T>>();
    if (ndim == 1)
      fft::r2c<T>(in, o, g.n1, g.batch, 1, g.n1, 1, bins);
    else
      fft::r2c_2d<T>(in, o, g.batch, g.n0, g.n1);
    scale_in_place(o, out.numel(), scale);
  };
  if (x.dtype() == DType::f32)
    run.template operator()<float>();
  else
    run.template operator()<double>();
}

void fft_c2r_forward(const Tensor& out, const Tensor& x, int ndim, double scale) {
  const FftGeometry g = geometry(out, ndim);
  if (out.numel() == 0) return;
  const int64_t bins = x.size(-1);  // n1/2 + 1
  auto run = [&]<typename T>() {
    const std::complex<T>* in = x.data<std::complex<T>>();
    T* o = out.data<T>();
    if (ndim == 1)
      fft::c2r<T>(in, o, g.n1, g.batch, 1, bins, 1, g.n1);
    else
      fft::c2r_2d<T>(in, o, g.batch, g.n0, g.n1);
    scale_in_place(o, out.numel(), scale);
  };
  if (out.dtype() == DType::f32)
    run.template operator()<float>();
  else
    run.template operator()<double>();
}

}  // namespace fftune::cpu
