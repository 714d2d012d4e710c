#include "ops/cpu/spectral_kernels.h"

#include "core/threading.h"
#include "ops/cpu/fft.h"
#include "ops/cpu/fft_kernels.h"
#include "ops/spectral_math.h"

namespace fftune::cpu {

template <typename T>
void hermitian_scatter(std::complex<T>* half, const T* coeffs, const int64_t* rows,
                       const int64_t* cols, int64_t N, int64_t d1, int64_t d2, std::complex<T> w,
                       T scale) {
  for (int64_t i = 0; i < N; ++i) {
    const ScatterCells cells = scatter_cells(rows[i], cols[i], d1, d2);
    const T value = scale * coeffs[i];
    if (cells.direct >= 0) half[cells.direct] += value * w;
    if (cells.mirror >= 0) half[cells.mirror] += value * std::conj(w);
  }
}

template <typename T>
void mirrored_gather(T* dcoeffs, const std::complex<T>* half, const int64_t* rows,
                     const int64_t* cols, int64_t N, int64_t d1, int64_t d2, std::complex<T> w,
                     T scale) {
#pragma omp parallel for schedule(static) if (N > 4096) num_threads(num_threads())
  for (int64_t i = 0; i < N; ++i) {
    const StoredCell stored = stored_cell(rows[i], cols[i], d1, d2);
    const std::complex<T> x = stored.conj ? std::conj(half[stored.cell]) : half[stored.cell];
    dcoeffs[i] = scale * T(2) * (w * std::conj(x)).real();
  }
}

template <typename T>
void row_fft_gather(T* dcoeffs, const std::complex<T>* a, const std::complex<T>* b,
                    const int64_t* rows, const int64_t* cols, int64_t N, int64_t tokens, int64_t d1,
                    int64_t d2, T scale) {
#pragma omp parallel for schedule(static) if (N * tokens > 65536) num_threads(num_threads())
  for (int64_t l = 0; l < N; ++l) {
    const StoredBin j = stored_bin(rows[l], d1), k = stored_bin(cols[l], d2);
    // Re(b·a) = br·ar − bi·ai; one conjugation flips the sign of the second term.
    T real_part = 0, imag_part = 0;
    const T* bf = reinterpret_cast<const T*>(b + j.bin * tokens);
    const T* af = reinterpret_cast<const T*>(a + k.bin * tokens);
#pragma omp simd reduction(+ : real_part, imag_part)
    for (int64_t t = 0; t < tokens; ++t) {
      real_part += bf[2 * t] * af[2 * t];
      imag_part += bf[2 * t + 1] * af[2 * t + 1];
    }
    const T sign = j.conj == k.conj ? T(-1) : T(1);
    dcoeffs[l] = scale * (real_part + sign * imag_part);
  }
}

void hermitian_scatter(const Tensor& half, const Tensor& coeffs, const int64_t* rows,
                       const int64_t* cols, int64_t d1, int64_t d2, std::complex<double> w,
                       double scale) {
  dispatch_float(coeffs.dtype(), "spectral_delta", [&]<typename T>() {
    hermitian_scatter<T>(half.data<std::complex<T>>(), coeffs.data<T>(), rows, cols, coeffs.numel(),
                         d1, d2, std::complex<T>(w), static_cast<T>(scale));
  });
}

void mirrored_gather(const Tensor& dcoeffs, const Tensor& half, const int64_t* rows,
                     const int64_t* cols, int64_t d1, int64_t d2, std::complex<double> w,
                     double scale) {
  dispatch_float(dcoeffs.dtype(), "spectral_delta", [&]<typename T>() {
    mirrored_gather<T>(dcoeffs.data<T>(), half.data<std::complex<T>>(), rows, cols, dcoeffs.numel(),
                       d1, d2, std::complex<T>(w), static_cast<T>(scale));
  });
}

void row_fft_gather(const Tensor& dcoeffs, const Tensor& a, const Tensor& b, const int64_t* rows,
                    const int64_t* cols, int64_t d1, int64_t d2, double scale) {
  dispatch_float(dcoeffs.dtype(), "fourierft_linear", [&]<typename T>() {
    row_fft_gather<T>(dcoeffs.data<T>(), a.data<std::complex<T>>(), b.data<std::complex<T>>(), rows,
                      cols, dcoeffs.numel(), a.size(1), d1, d2, static_cast<T>(scale));
  });
}

void row_spectra(const Tensor& out, const Tensor& x) {
  const int64_t tokens = x.size(0), n = x.size(1);
  dispatch_float(x.dtype(), "fourierft_linear", [&]<typename T>() {
    // Transform t (a token) reads x[t·n + i] and writes out[i·tokens + t].
    fft::r2c<T>(x.data<T>(), out.data<std::complex<T>>(), n, tokens, /*in_stride=*/1, /*in_dist=*/n,
                /*out_stride=*/tokens, /*out_dist=*/1);
  });
}

void spectral_c2r(const Tensor& delta, const Tensor& half) {
  fft_c2r_forward(delta, half, /*ndim=*/2, /*scale=*/1.0);
}

void spectral_r2c(const Tensor& half, const Tensor& g) {
  fft_r2c_forward(half, g, /*ndim=*/2, /*scale=*/1.0);
}

template void hermitian_scatter<float>(std::complex<float>*, const float*, const int64_t*,
                                       const int64_t*, int64_t, int64_t, int64_t,
                                       std::complex<float>, float);
template void hermitian_scatter<double>(std::complex<double>*, const double*, const int64_t*,
                                        const int64_t*, int64_t, int64_t, int64_t,
                                        std::complex<double>, double);
template void mirrored_gather<float>(float*, const std::complex<float>*, const int64_t*,
                                     const int64_t*, int64_t, int64_t, int64_t, std::complex<float>,
                                     float);
template void mirrored_gather<double>(double*, const std::complex<double>*, const int64_t*,
                                      const int64_t*, int64_t, int64_t, int64_t,
                                      std::complex<double>, double);
template void row_fft_gather<float>(float*, const std::complex<float>*, const std::complex<float>*,
                                    const int64_t*, const int64_t*, int64_t, int64_t, int64_t,
                                    int64_t, float);
template void row_fft_gather<double>(double*, const std::complex<double>*,
                                     const std::complex<double>*, const int64_t*, const int64_t*,
                                     int64_t, int64_t, int64_t, int64_t, double);

}  // namespace fftune::cpu
