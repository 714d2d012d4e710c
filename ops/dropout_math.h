// The dropout mask as a pure function of (seed, stream, element index), shared by the CPU kernel
// and the CUDA kernel so that both drop exactly the same elements for the same generator state.
#pragma once

#include <cstdint>

#include "core/tensor/philox.h"

namespace fftune {

// Note [dropout mask]
// Element i (row-major index into x's shape) of the call's stream is kept iff
//     philox_uniform_float(philox4x32(seed, stream, i)) >= p     (p rounded to f32),
// i.e. with probability 1 − p; kept elements are scaled by 1/(1 − p). The uniform is the f32
// one for every dtype, so an f64 and an f32 tensor get the same mask, and a CUDA kernel that
// evaluates this same function gets it bit for bit.
FFTUNE_HOST_DEVICE inline bool dropout_keep(uint64_t seed, uint64_t stream, uint64_t i, float p) {
  return philox_uniform_float(philox4x32(seed, stream, i)) >= p;
}

}  // namespace fftune
