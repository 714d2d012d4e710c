// The FourierFT half-spectrum scatter (two ways) and its adjoints: the mirrored gather, and the
// row-FFT gather of the coefficient gradient without G. Every cell is located by
// ops/spectral_math.h (Note [half-spectrum index rule]), as in the CPU twins.
//
// hermitian_scatter: each thread owns one entry i, grid-stride, and adds the entry's value and
// its Hermitian mirror into the half spectrum with atomicAdd: two entries (or an entry and a
// mirror) can land on the same cell.
// hermitian_scatter_by_cell: each thread owns one touched cell and writes it once (Note
// [deterministic spectral scatter] in the header): no atomics.
// mirrored_gather: each thread owns one entry, reads one cell (or its mirror) and writes one
// coefficient gradient: no races.
// row_fft_gather: each warp owns one entry; its lanes stride over the tokens.
// Blocks of 256 threads; only row_fft_gather's warps communicate (shuffles), blocks never.
#include <algorithm>

#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/spectral_kernels.h"
#include "ops/spectral_math.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void hermitian_scatter_kernel(T* __restrict__ half, const T* __restrict__ coeffs,
                                         const int64_t* __restrict__ rows,
                                         const int64_t* __restrict__ cols, int64_t N, int64_t d1,
                                         int64_t d2, T w_re, T w_im, T scale) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < N; i += step) {
    const ScatterCells cells = scatter_cells(rows[i], cols[i], d1, d2);
    const T value = scale * coeffs[i];
    if (cells.direct >= 0) {
      atomicAdd(&half[2 * cells.direct], value * w_re);
      atomicAdd(&half[2 * cells.direct + 1], value * w_im);
    }
    if (cells.mirror >= 0) {  // conj(w)
      atomicAdd(&half[2 * cells.mirror], value * w_re);
      atomicAdd(&half[2 * cells.mirror + 1], -value * w_im);
    }
  }
}

template <typename T>
__global__ void hermitian_scatter_by_cell_kernel(T* __restrict__ half, const T* __restrict__ coeffs,
                                                 const int64_t* __restrict__ cells,
                                                 const int64_t* __restrict__ offsets,
                                                 const int64_t* __restrict__ sources, int64_t C,
                                                 T w_re, T w_im, T scale) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < C; c += step) {
    T re = 0, im = 0;
    for (int64_t q = offsets[c]; q < offsets[c + 1]; ++q) {
      const int64_t i = sources[q] / 2;
      const bool mirror = sources[q] % 2 == 1;  // the mirror carries conj(w)
      const T value = scale * coeffs[i];
      re += value * w_re;
      im += mirror ? -(value * w_im) : value * w_im;
    }
    half[2 * cells[c]] = re;
    half[2 * cells[c] + 1] = im;
  }
}

template <typename T>
__global__ void mirrored_gather_kernel(T* __restrict__ dcoeffs, const T* __restrict__ half,
                                       const int64_t* __restrict__ rows,
                                       const int64_t* __restrict__ cols, int64_t N, int64_t d1,
                                       int64_t d2, T w_re, T w_im, T scale) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < N; i += step) {
    const StoredCell stored = stored_cell(rows[i], cols[i], d1, d2);
    const T x_re = half[2 * stored.cell];
    const T x_im = stored.conj ? -half[2 * stored.cell + 1] : half[2 * stored.cell + 1];
    dcoeffs[i] = scale * T(2) * (w_re * x_re + w_im * x_im);  // 2·Re(w·conj(x))
  }
}

template <typename T>
__global__ void row_fft_gather_kernel(T* __restrict__ dcoeffs, const T* __restrict__ a,
                                      const T* __restrict__ b, const int64_t* __restrict__ rows,
                                      const int64_t* __restrict__ cols, int64_t N, int64_t tokens,
                                      int64_t d1, int64_t d2, T scale) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  // The loop bound is the same for every lane of a warp, so whole warps enter the shuffles.
  for (int64_t l = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; l < N; l += warps) {
    const StoredBin j = stored_bin(rows[l], d1), k = stored_bin(cols[l], d2);
    const T* b_bin = b + 2 * j.bin * tokens;  // (tokens) complex
    const T* a_bin = a + 2 * k.bin * tokens;
    T real_part = 0, imag_part = 0;  // Σ br·ar and Σ bi·ai over this lane's tokens
    for (int64_t t = lane; t < tokens; t += 32) {
      real_part += b_bin[2 * t] * a_bin[2 * t];
      imag_part += b_bin[2 * t + 1] * a_bin[2 * t + 1];
    }
    real_part = warp_sum(real_part);
    imag_part = warp_sum(imag_part);
    // Re(b·a) = br·ar − bi·ai; one conjugation flips the sign of the second term.
    if (lane == 0) dcoeffs[l] = scale * (real_part + (j.conj == k.conj ? -imag_part : imag_part));
  }
}

}  // namespace

HermitianScatterPlan hermitian_scatter_plan(const int64_t* rows, const int64_t* cols, int64_t N,
                                            int64_t d1, int64_t d2) {
  struct Contribution {
    int64_t cell, source;
  };
  std::vector<Contribution> all;
  all.reserve(2 * N);
  for (int64_t i = 0; i < N; ++i) {
    const ScatterCells cells = scatter_cells(rows[i], cols[i], d1, d2);
    if (cells.direct >= 0) all.push_back({cells.direct, 2 * i});
    if (cells.mirror >= 0) all.push_back({cells.mirror, 2 * i + 1});
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
                       int64_t N, int64_t d1, int64_t d2, T w_re, T w_im, T scale, Stream stream) {
  if (N == 0) return;
  FFTUNE_LAUNCH(hermitian_scatter_kernel<T>, grid_for(N, kThreads), kThreads, 0, stream, half,
                coeffs, rows, cols, N, d1, d2, w_re, w_im, scale);
}

template <typename T>
void hermitian_scatter_by_cell(T* half, const T* coeffs, const int64_t* cells,
                               const int64_t* offsets, const int64_t* sources, int64_t C, T w_re,
                               T w_im, T scale, Stream stream) {
  if (C == 0) return;
  FFTUNE_LAUNCH(hermitian_scatter_by_cell_kernel<T>, grid_for(C, kThreads), kThreads, 0, stream,
                half, coeffs, cells, offsets, sources, C, w_re, w_im, scale);
}

template <typename T>
void mirrored_gather(T* dcoeffs, const T* half, const int64_t* rows, const int64_t* cols, int64_t N,
                     int64_t d1, int64_t d2, T w_re, T w_im, T scale, Stream stream) {
  if (N == 0) return;
  FFTUNE_LAUNCH(mirrored_gather_kernel<T>, grid_for(N, kThreads), kThreads, 0, stream, dcoeffs,
                half, rows, cols, N, d1, d2, w_re, w_im, scale);
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
                                       int64_t, int64_t, int64_t, float, float, float, Stream);
template void hermitian_scatter<double>(double*, const double*, const int64_t*, const int64_t*,
                                        int64_t, int64_t, int64_t, double, double, double, Stream);
template void hermitian_scatter_by_cell<float>(float*, const float*, const int64_t*, const int64_t*,
                                               const int64_t*, int64_t, float, float, float,
                                               Stream);
template void hermitian_scatter_by_cell<double>(double*, const double*, const int64_t*,
                                                const int64_t*, const int64_t*, int64_t, double,
                                                double, double, Stream);
template void mirrored_gather<float>(float*, const float*, const int64_t*, const int64_t*, int64_t,
                                     int64_t, int64_t, float, float, float, Stream);
template void mirrored_gather<double>(double*, const double*, const int64_t*, const int64_t*,
                                      int64_t, int64_t, int64_t, double, double, double, Stream);
template void row_fft_gather<float>(float*, const float*, const float*, const int64_t*,
                                    const int64_t*, int64_t, int64_t, int64_t, int64_t, float,
                                    Stream);
template void row_fft_gather<double>(double*, const double*, const double*, const int64_t*,
                                     const int64_t*, int64_t, int64_t, int64_t, int64_t, double,
                                     Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
