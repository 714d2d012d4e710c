// Host entry points of the CUDA spectral-adapter kernels (ops/cuda/spectral_kernels.cu), the
// twins of the pointer-level kernels in ops/cpu/spectral_kernels.h (Note [Hermitian
// half-spectrum scatter] in fourierft/spectral_delta.h); every cell they index follows Note
// [half-spectrum index rule] (ops/spectral_math.h). Device pointers; complex buffers are
// interleaved (re, im) pairs, the layout of std::complex<T>[] and of cuFFT's complex types.
// The Tensor-level entry points the ops call are in ops/cuda/spectral_ops.h.
#pragma once

#include <cstdint>
#include <vector>

#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// For each entry i < N at (rows[i], cols[i]) of a d1 × d2 spectrum, adds
//   scale · c[i] · w        at (row, col)                 if that cell is stored,
//   scale · c[i] · conj(w)  at (−row mod d1, −col mod d2)  if that cell is stored,
// into half (d1, d2/2 + 1) complex, which the caller zeroes. w = (w_re, w_im).
// One thread per entry, accumulating with atomicAdd: the fast default.
template <typename T>
void hermitian_scatter(T* half, const T* coeffs, const int64_t* rows, const int64_t* cols,
                       int64_t N, int64_t d1, int64_t d2, T w_re, T w_im, T scale, Stream stream);

// Note [deterministic spectral scatter]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The same scatter with no float atomics (deterministic mode, core/determinism.h), as a gather
// over the cells: each touched half-spectrum cell is owned by one thread, which sums the values
// that land on it in a fixed order and writes the cell once. The host inverts the entry -> cell
// map into a plan first (it depends only on the entries, so callers build it once per entry set).
// A cell (j, k) receives the direct value of an entry at (j, k) and the mirrored value of an
// entry at (−j, −k); for distinct entries that is at most two contributions (two for a
// self-conjugate entry such as (0, 0), or for two entries that mirror each other), so the
// plan is short. Repeated entries just make a cell's list longer; the order is still fixed.
// Contributions are ordered by entry index, the direct one before the mirrored one: the order in
// which cpu::hermitian_scatter adds them.
struct HermitianScatterPlan {
  std::vector<int64_t> cells;    // (C) touched cells as j·(d2/2 + 1) + k, ascending
  std::vector<int64_t> offsets;  // (C + 1) cell c's contributions: [offsets[c], offsets[c + 1])
  std::vector<int64_t> sources;  // 2·i for entry i's direct value, 2·i + 1 for its mirror
};
HermitianScatterPlan hermitian_scatter_plan(const int64_t* rows, const int64_t* cols, int64_t N,
                                            int64_t d1, int64_t d2);

// The scatter through a plan (device copies of its three arrays; C = cells.size()): writes every
// touched cell of half (d1, d2/2 + 1), which the caller zeroes (untouched cells stay 0). One
// thread per touched cell; no atomics, so the result repeats bit for bit.
template <typename T>
void hermitian_scatter_by_cell(T* half, const T* coeffs, const int64_t* cells,
                               const int64_t* offsets, const int64_t* sources, int64_t C, T w_re,
                               T w_im, T scale, Stream stream);

// dcoeffs[i] = scale · 2·Re(w · conj(X)), X = fft2(G)[row, col] read from the R2C half
// spectrum (d1, d2/2 + 1) where stored_cell says.
template <typename T>
void mirrored_gather(T* dcoeffs, const T* half, const int64_t* rows, const int64_t* cols, int64_t N,
                     int64_t d1, int64_t d2, T w_re, T w_im, T scale, Stream stream);

// The twin of cpu::row_fft_gather: dcoeffs[l] = scale · Re Σ_t B[t, j_l] · A[t, k_l] for N
// entries, with the row spectra of X and dY stored bins-major, a (d2/2 + 1, tokens) and
// b (d1/2 + 1, tokens) — the CPU twin's layout — each bin read where stored_bin says.
// One warp per entry; its lanes read consecutive tokens (coalesced) and a shuffle sum combines
// them (a fixed order: deterministic).
template <typename T>
void row_fft_gather(T* dcoeffs, const T* a, const T* b, const int64_t* rows, const int64_t* cols,
                    int64_t N, int64_t tokens, int64_t d1, int64_t d2, T scale, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
