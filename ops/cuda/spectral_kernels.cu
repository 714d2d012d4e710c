// The FourierFT half-spectrum scatter and its adjoint, the mirrored gather.
//
// Each thread owns one (layer l, entry i) pair, t = l·N + i, grid-stride. The scatter adds the
// entry's value and its Hermitian mirror into the half spectrum with atomicAdd: two entries (or
// an entry and a mirror) can land on the same cell. The gather reads one cell (or its mirror)
// and writes one coefficient gradient: no races. Blocks of 256 threads share nothing.
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/spectral_kernels.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void hermitian_scatter_kernel(T* __restrict__ half, const T* __restrict__ coeffs,
                                         const int64_t* __restrict__ rows,
                                         const int64_t* __restrict__ cols, int64_t L, int64_t N,
                                         int64_t d1, int64_t d2, T w_re, T w_im, T scale) {
  const int64_t h = d2 / 2 + 1;  // stored columns 0 .. ⌊d2/2⌋
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < L * N; t += step) {
    const int64_t l = t / N, i = t % N;
    const int64_t j = rows[i], k = cols[i];
    const T value = scale * coeffs[t];
    T* spectrum = half + 2 * l * d1 * h;  // (d1, h) complex
    if (k < h) {
      atomicAdd(&spectrum[2 * (j * h + k)], value * w_re);
      atomicAdd(&spectrum[2 * (j * h + k) + 1], value * w_im);
    }
    const int64_t mj = (d1 - j) % d1, mk = (d2 - k) % d2;  // the mirror (−j, −k)
    if (mk < h) {
      atomicAdd(&spectrum[2 * (mj * h + mk)], value * w_re);
      atomicAdd(&spectrum[2 * (mj * h + mk) + 1], -value * w_im);
    }
  }
}

template <typename T>
__global__ void mirrored_gather_kernel(T* __restrict__ dcoeffs, const T* __restrict__ half,
                                       const int64_t* __restrict__ rows,
                                       const int64_t* __restrict__ cols, int64_t L, int64_t N,
                                       int64_t d1, int64_t d2, T w_re, T w_im, T scale) {
  const int64_t h = d2 / 2 + 1;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < L * N; t += step) {
    const int64_t l = t / N, i = t % N;
    const int64_t j = rows[i], k = cols[i];
    const T* spectrum = half + 2 * l * d1 * h;
    T x_re, x_im;
    if (k < h) {
      x_re = spectrum[2 * (j * h + k)];
      x_im = spectrum[2 * (j * h + k) + 1];
    } else {  // conj of the mirror cell (G is real)
      const int64_t cell = ((d1 - j) % d1) * h + (d2 - k);
      x_re = spectrum[2 * cell];
      x_im = -spectrum[2 * cell + 1];
    }
    dcoeffs[t] = scale * T(2) * (w_re * x_re + w_im * x_im);  // 2·Re(w·conj(x))
  }
}

}  // namespace

template <typename T>
void hermitian_scatter(T* half, const T* coeffs, const int64_t* rows, const int64_t* cols,
                       int64_t L, int64_t N, int64_t d1, int64_t d2, T w_re, T w_im, T scale,
                       Stream stream) {
  if (L * N == 0) return;
  FFTUNE_LAUNCH(hermitian_scatter_kernel<T>, grid_for(L * N, kThreads), kThreads, 0, stream, half,
                coeffs, rows, cols, L, N, d1, d2, w_re, w_im, scale);
}

template <typename T>
void mirrored_gather(T* dcoeffs, const T* half, const int64_t* rows, const int64_t* cols, int64_t L,
                     int64_t N, int64_t d1, int64_t d2, T w_re, T w_im, T scale, Stream stream) {
  if (L * N == 0) return;
  FFTUNE_LAUNCH(mirrored_gather_kernel<T>, grid_for(L * N, kThreads), kThreads, 0, stream, dcoeffs,
                half, rows, cols, L, N, d1, d2, w_re, w_im, scale);
}

template void hermitian_scatter<float>(float*, const float*, const int64_t*, const int64_t*,
                                       int64_t, int64_t, int64_t, int64_t, float, float, float,
                                       Stream);
template void hermitian_scatter<double>(double*, const double*, const int64_t*, const int64_t*,
                                        int64_t, int64_t, int64_t, int64_t, double, double, double,
                                        Stream);
template void mirrored_gather<float>(float*, const float*, const int64_t*, const int64_t*, int64_t,
                                     int64_t, int64_t, int64_t, float, float, float, Stream);
template void mirrored_gather<double>(double*, const double*, const int64_t*, const int64_t*,
                                      int64_t, int64_t, int64_t, int64_t, double, double, double,
                                      Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
