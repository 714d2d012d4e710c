// The FourierFT half-spectrum scatter (two ways) and its adjoints: the mirrored gather, and the
// row-FFT gather of the coefficient gradient without G.
//
// hermitian_scatter: each thread owns one (layer l, entry i) pair, t = l·N + i, grid-stride, and
// adds the entry's value and its Hermitian mirror into the half spectrum with atomicAdd: two
// entries (or an entry and a mirror) can land on the same cell.
// hermitian_scatter_by_cell: each thread owns one (layer l, touched cell c) pair and writes the
// cell once (Note [deterministic spectral scatter] in the header): no atomics.
// mirrored_gather: each thread owns one (layer, entry) pair, reads one cell (or its mirror) and
// writes one coefficient gradient: no races.
// row_fft_gather: each warp owns one entry; its lanes stride over the tokens.
// Blocks of 256 threads; only row_fft_gather's warps communicate (shuffles), blocks never.
#include <algorithm>

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
__global__ void hermitian_scatter_by_cell_kernel(T* __restrict__ half, const T* __restrict__ coeffs,
                                                 const int64_t* __restrict__ cells,
                                                 const int64_t* __restrict__ offsets,
                                                 const int64_t* __restrict__ sources, int64_t L,
                                                 int64_t N, int64_t C, int64_t d1, int64_t d2,
                                                 T w_re, T w_im, T scale) {
  const int64_t h = d2 / 2 + 1;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < L * C; t += step) {
    const int64_t l = t / C, c = t % C;
    T re = 0, im = 0;
    for (int64_t q = offsets[c]; q < offsets[c + 1]; ++q) {
      const int64_t i = sources[q] / 2;
      const bool mirror = sources[q] % 2 == 1;  // the mirror carries conj(w)
      const T value = scale * coeffs[l * N + i];
      re += value * w_re;
      im += mirror ? -(value * w_im) : value * w_im;
    }
    T* cell = half + 2 * (l * d1 * h + cells[c]);
    cell[0] = re;
    cell[1] = im;
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

template <typename T>
__global__ void row_fft_gather_kernel(T* __restrict__ dcoeffs, const T* __restrict__ a,
                                      const T* __restrict__ b, const int64_t* __restrict__ rows,
                                      const int64_t* __restrict__ cols, int64_t N, int64_t tokens,
                                      int64_t d1, int64_t d2, T scale) {
  const int64_t ha = d2 / 2 + 1, hb = d1 / 2 + 1;  // bins per row of A and of B
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  // The loop bound is the same for every lane of a warp, so whole warps enter the shuffles.
  for (int64_t l = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; l < N; l += warps) {
    // Beyond the stored half, a spectrum value is the conjugate of its mirror.
    const bool conj_b = rows[l] >= hb, conj_a = cols[l] >= ha;
    const int64_t j = conj_b ? d1 - rows[l] : rows[l], k = conj_a ? d2 - cols[l] : cols[l];
    T real_part = 0, imag_part = 0;  // Σ br·ar and Σ bi·ai over this lane's tokens
    for (int64_t t = lane; t < tokens; t += 32) {
      const T* bt = b + 2 * (t * hb + j);
      const T* at = a + 2 * (t * ha + k);
      real_part += bt[0] * at[0];
      imag_part += bt[1] * at[1];
    }
    real_part = warp_sum(real_part);
    imag_part = warp_sum(imag_part);
    // Re(b·a) = br·ar − bi·ai; one conjugation flips the sign of the second term.
    if (lane == 0) dcoeffs[l] = scale * (real_part + (conj_a == conj_b ? -imag_part : imag_part));
  }
}

}  // namespace

HermitianScatterPlan hermitian_scatter_plan(const int64_t* rows, const int64_t* cols, int64_t N,
                                            int64_t d1, int64_t d2) {
  const int64_t h = d2 / 2 + 1;
  struct Contribution {
    int64_t cell, source;
  };
  std::vector<Contribution> all;
  all.reserve(2 * N);
  for (int64_t i = 0; i < N; ++i) {
    const int64_t j = rows[i], k = cols[i];
    if (k < h) all.push_back({j * h + k, 2 * i});
    const int64_t mj = (d1 - j) % d1, mk = (d2 - k) % d2;  // the mirror (−j, −k)
    if (mk < h) all.push_back({mj * h + mk, 2 * i + 1});
  }
  // By cell, then by source: entry order, the direct value before the mirrored one.
  std::sort(all.begin(), all.end(), [](const Contribution& x, const Contribution& y) {
    return x.cell != y.cell ? x.cell < y.cell : x.source < y.source;
  });
  HermitianScatterPlan plan;
  plan.sources.reserve(all.size());
  for (size_t q = 0; q < all.size(); ++q) {
    if (q == 0 || all[q].cell != all[q - 1].cell) {
      plan.cells.push_back(all[q].cell);
      plan.offsets.push_back(static_cast<int64_t>(q));
    }
    plan.sources.push_back(all[q].source);
  }
  plan.offsets.push_back(static_cast<int64_t>(all.size()));
  return plan;
}

template <typename T>
void hermitian_scatter(T* half, const T* coeffs, const int64_t* rows, const int64_t* cols,
                       int64_t L, int64_t N, int64_t d1, int64_t d2, T w_re, T w_im, T scale,
                       Stream stream) {
  if (L * N == 0) return;
  FFTUNE_LAUNCH(hermitian_scatter_kernel<T>, grid_for(L * N, kThreads), kThreads, 0, stream, half,
                coeffs, rows, cols, L, N, d1, d2, w_re, w_im, scale);
}

template <typename T>
void hermitian_scatter_by_cell(T* half, const T* coeffs, const int64_t* cells,
                               const int64_t* offsets, const int64_t* sources, int64_t L, int64_t N,
                               int64_t C, int64_t d1, int64_t d2, T w_re, T w_im, T scale,
                               Stream stream) {
  if (L * C == 0) return;
  FFTUNE_LAUNCH(hermitian_scatter_by_cell_kernel<T>, grid_for(L * C, kThreads), kThreads, 0, stream,
                half, coeffs, cells, offsets, sources, L, N, C, d1, d2, w_re, w_im, scale);
}

template <typename T>
void mirrored_gather(T* dcoeffs, const T* half, const int64_t* rows, const int64_t* cols, int64_t L,
                     int64_t N, int64_t d1, int64_t d2, T w_re, T w_im, T scale, Stream stream) {
  if (L * N == 0) return;
  FFTUNE_LAUNCH(mirrored_gather_kernel<T>, grid_for(L * N, kThreads), kThreads, 0, stream, dcoeffs,
                half, rows, cols, L, N, d1, d2, w_re, w_im, scale);
}

template <typename T>
void row_fft_gather(T* dcoeffs, const T* a, const T* b, const int64_t* rows, const int64_t* cols,
                    int64_t N, int64_t tokens, int64_t d1, int64_t d2, T scale, Stream stream) {
  if (N == 0) return;
  constexpr unsigned kWarps = kThreads / 32;  // entries per block
  FFTUNE_LAUNCH(row_fft_gather_kernel<T>, grid_for(N, kWarps), kThreads, 0, stream, dcoeffs, a, b,
                rows, cols, N, tokens, d1, d2, scale);
}

template void hermitian_scatter<float>(float*, const float*, const int64_t*, const int64_t*,
                                       int64_t, int64_t, int64_t, int64_t, float, float, float,
                                       Stream);
template void hermitian_scatter<double>(double*, const double*, const int64_t*, const int64_t*,
                                        int64_t, int64_t, int64_t, int64_t, double, double, double,
                                        Stream);
template void hermitian_scatter_by_cell<float>(float*, const float*, const int64_t*, const int64_t*,
                                               const int64_t*, int64_t, int64_t, int64_t, int64_t,
                                               int64_t, float, float, float, Stream);
template void hermitian_scatter_by_cell<double>(double*, const double*, const int64_t*,
                                                const int64_t*, const int64_t*, int64_t, int64_t,
                                                int64_t, int64_t, int64_t, double, double, double,
                                                Stream);
template void mirrored_gather<float>(float*, const float*, const int64_t*, const int64_t*, int64_t,
                                     int64_t, int64_t, int64_t, float, float, float, Stream);
template void mirrored_gather<double>(double*, const double*, const int64_t*, const int64_t*,
                                      int64_t, int64_t, int64_t, int64_t, double, double, double,
                                      Stream);
template void row_fft_gather<float>(float*, const float*, const float*, const int64_t*,
                                    const int64_t*, int64_t, int64_t, int64_t, int64_t, float,
                                    Stream);
template void row_fft_gather<double>(double*, const double*, const double*, const int64_t*,
                                     const int64_t*, int64_t, int64_t, int64_t, int64_t, double,
                                     Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
