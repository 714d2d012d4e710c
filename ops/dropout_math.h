// The dropout mask as a pure function of (seed, stream, element index), shared by the CPU kernel
// and the CUDA kernel so that both drop exactly the same elements for the same generator state.
#pragma once

#include <cstdint>

#include "core/tensor/philox.h"

namespace fftune {

// Note [dropout mask]
// One Philox call gives four 32-bit words; elements 4g … 4g+3 (row-major indices into x's shape)
// use the words of counter g, one each, as PyTorch's CUDA generator does. Element i of the
// call's stream is kept iff
//     philox_uniform_float(philox4x32(seed, stream, i / 4), i % 4) >= p     (p rounded to f32),
// i.e. with probability 1 − p; kept elements are scaled by 1/(1 − p). The uniform is the f32
// one for every dtype, so an f64 and an f32 tensor get the same mask, and a CUDA kernel that
// evaluates this same function gets it bit for bit. (Using all four words makes the mask a
// quarter of the Philox work of one call per element: it was 8% of a RoBERTa training step.)
FFTUNE_HOST_DEVICE inline bool dropout_keep_bits(uint32_t word, float p) {
  return philox_word_to_float(word) >= p;
}
FFTUNE_HOST_DEVICE inline bool dropout_keep_word(const Philox4x32& r, int word, float p) {
  return dropout_keep_bits(r.v[word], p);
}
FFTUNE_HOST_DEVICE inline bool dropout_keep(uint64_t seed, uint64_t stream, uint64_t i, float p) {
  return dropout_keep_word(philox4x32(seed, stream, i / 4), static_cast<int>(i % 4), p);
}

}  // namespace fftune
