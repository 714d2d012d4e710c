// The index rule of the Hermitian half spectrum, shared by the CPU kernels
// (ops/cpu/spectral_kernels.cpp) and the CUDA kernels (ops/cuda/spectral_kernels.cu) of the
// spectral adapters, so that both read and write exactly the same cells.
#pragma once

#include <cstdint>

#include "core/tensor/philox.h"  // FFTUNE_HOST_DEVICE

namespace fftune {

// Note [half-spectrum index rule]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The DFT of a real signal of length d keeps bins 0 .. ⌊d/2⌋ (d/2 + 1 of them); bin k past
// that is the conjugate of bin (d − k) mod d, its mirror. In 2-D, a real d1 × d2 array's
// spectrum is stored as its left half (d1, ⌊d2/2⌋ + 1), row-major: cell (j, k) is stored when
// k ≤ ⌊d2/2⌋, and otherwise it is the conjugate of its mirror cell
// ((d1 − j) mod d1, (d2 − k) mod d2), whose column is then ≤ ⌊d2/2⌋. Column 0, and column d2/2
// for even d2, are their own mirror columns: there both a cell and its mirror are stored.
// Everything the spectral kernels index goes through the functions below
// (Note [Hermitian half-spectrum scatter] in fourierft/spectral_delta.h says why).

// The stored bins of a length-d real transform: 0 .. ⌊d/2⌋.
FFTUNE_HOST_DEVICE inline int64_t half_bins(int64_t d) {
  return d / 2 + 1;
}

// The mirror of bin k among d: (d − k) mod d.
FFTUNE_HOST_DEVICE inline int64_t mirror_bin(int64_t k, int64_t d) {
  return (d - k) % d;
}

// Where bin k of a length-d real transform is read: at `bin`, conjugated when `conj`.
struct StoredBin {
  int64_t bin;
  bool conj;
};
FFTUNE_HOST_DEVICE inline StoredBin stored_bin(int64_t k, int64_t d) {
  return k < half_bins(d) ? StoredBin{k, false} : StoredBin{mirror_bin(k, d), true};
}

// Where cell (j, k) of a real d1 × d2 array's spectrum is read in its (d1, ⌊d2/2⌋ + 1) half:
// at flat index `cell`, conjugated when `conj`.
struct StoredCell {
  int64_t cell;
  bool conj;
};
FFTUNE_HOST_DEVICE inline StoredCell stored_cell(int64_t j, int64_t k, int64_t d1, int64_t d2) {
  const StoredBin col = stored_bin(k, d2);
  const int64_t row = col.conj ? mirror_bin(j, d1) : j;
  return {row * half_bins(d2) + col.bin, col.conj};
}

// The cells of the half spectrum that a value placed at (j, k) writes: the cell itself
// (`direct`, with w) and its mirror (`mirror`, with conj(w)), each as a flat index, or −1 when
// it is not stored. For a cell in a self-mirrored column both are stored, and for (0, 0) (and
// the other self-conjugate cells) they are the same cell.
struct ScatterCells {
  int64_t direct, mirror;
};
FFTUNE_HOST_DEVICE inline ScatterCells scatter_cells(int64_t j, int64_t k, int64_t d1, int64_t d2) {
  const int64_t h = half_bins(d2), mk = mirror_bin(k, d2);
  return {k < h ? j * h + k : -1, mk < h ? mirror_bin(j, d1) * h + mk : -1};
}

}  // namespace fftune
