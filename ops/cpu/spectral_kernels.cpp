#include "ops/cpu/spectral_kernels.h"

#include "core/threading.h"

namespace fftune::cpu {

template <typename T>
void hermitian_scatter(std::complex<T>* half, const T* coeffs, const int64_t* rows,
                       const int64_t* cols, int64_t L, int64_t N, int64_t d1, int64_t d2,
                       std::complex<T> w, T scale) {
  const int64_t h = d2 / 2 + 1;  // stored columns 0 .. ⌊d2/2⌋
#pragma omp parallel for schedule(static) if (L > 1) num_threads(num_threads())
  for (int64_t l = 0; l < L; ++l) {
    std::complex<T>* spectrum = half + l * d1 * h;  // (d1, h)
    const T* c = coeffs + l * N;
    for (int64_t i = 0; i < N; ++i) {
      const int64_t j = rows[i], k = cols[i];
      const T value = scale * c[i];
      if (k < h) spectrum[j * h + k] += value * w;
      const int64_t mj = (d1 - j) % d1, mk = (d2 - k) % d2;  // the mirror (−j, −k)
      if (mk < h) spectrum[mj * h + mk] += value * std::conj(w);
    }
  }
}

template <typename T>
void mirrored_gather(T* dcoeffs, const std::complex<T>* half, const int64_t* rows,
                     const int64_t* cols, int64_t L, int64_t N, int64_t d1, int64_t d2,
                     std::complex<T> w, T scale) {
  const int64_t h = d2 / 2 + 1;
#pragma omp parallel for collapse(2) schedule(static) if (L * N > 4096) num_threads(num_threads())
  for (int64_t l = 0; l < L; ++l) {
    for (int64_t i = 0; i < N; ++i) {
      const std::complex<T>* spectrum = half + l * d1 * h;
      const int64_t j = rows[i], k = cols[i];
      const std::complex<T> x =
          k < h ? spectrum[j * h + k] : std::conj(spectrum[((d1 - j) % d1) * h + (d2 - k)]);
      dcoeffs[l * N + i] = scale * T(2) * (w * std::conj(x)).real();
    }
  }
}

template <typename T>
void row_fft_gather(T* dcoeffs, const std::complex<T>* at, const std::complex<T>* bt,
                    const int64_t* rows, const int64_t* cols, int64_t N, int64_t tokens, int64_t d1,
                    int64_t d2, T scale) {
  const int64_t ha = d2 / 2 + 1, hb = d1 / 2 + 1;
#pragma omp parallel for schedule(static) if (N * tokens > 65536) num_threads(num_threads())
  for (int64_t l = 0; l < N; ++l) {
    // Beyond the stored half, a spectrum value is the conjugate of its mirror.
    const bool conj_b = rows[l] >= hb, conj_a = cols[l] >= ha;
    const std::complex<T>* b = bt + (conj_b ? d1 - rows[l] : rows[l]) * tokens;
    const std::complex<T>* a = at + (conj_a ? d2 - cols[l] : cols[l]) * tokens;
    // Re(b·a) = br·ar − bi·ai; one conjugation flips the sign of the second term.
    T real_part = 0, imag_part = 0;
    const T* bf = reinterpret_cast<const T*>(b);
    const T* af = reinterpret_cast<const T*>(a);
#pragma omp simd reduction(+ : real_part, imag_part)
    for (int64_t t = 0; t < tokens; ++t) {
      real_part += bf[2 * t] * af[2 * t];
      imag_part += bf[2 * t + 1] * af[2 * t + 1];
    }
    const T sign = conj_a == conj_b ? T(-1) : T(1);
    dcoeffs[l] = scale * (real_part + sign * imag_part);
  }
}

template void hermitian_scatter<float>(std::complex<float>*, const float*, const int64_t*,
                                       const int64_t*, int64_t, int64_t, int64_t, int64_t,
                                       std::complex<float>, float);
template void hermitian_scatter<double>(std::complex<double>*, const double*, const int64_t*,
                                        const int64_t*, int64_t, int64_t, int64_t, int64_t,
                                        std::complex<double>, double);
template void mirrored_gather<float>(float*, const std::complex<float>*, const int64_t*,
                                     const int64_t*, int64_t, int64_t, int64_t, int64_t,
                                     std::complex<float>, float);
template void mirrored_gather<double>(double*, const std::complex<double>*, const int64_t*,
                                      const int64_t*, int64_t, int64_t, int64_t, int64_t,
                                      std::complex<double>, double);
template void row_fft_gather<float>(float*, const std::complex<float>*, const std::complex<float>*,
                                    const int64_t*, const int64_t*, int64_t, int64_t, int64_t,
                                    int64_t, float);
template void row_fft_gather<double>(double*, const std::complex<double>*,
                                     const std::complex<double>*, const int64_t*, const int64_t*,
                                     int64_t, int64_t, int64_t, int64_t, double);

}  // namespace fftune::cpu
