// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011):
// a counter-based generator. Draw number `i` of stream `s` under seed `k` is a pure function
// of (k, s, i), so the CPU and a CUDA kernel produce the same bits for the same element
// without sharing any state. FFTUNE_HOST_DEVICE lets CUDA code include this header as is.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define FFTUNE_HOST_DEVICE __host__ __device__
#else
#define FFTUNE_HOST_DEVICE
#endif

namespace fftune {

struct Philox4x32 {
  uint32_t v[4];
};

FFTUNE_HOST_DEVICE inline void philox_mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

// Ten rounds of the Philox bijection on counter (element index, stream) with key seed.
FFTUNE_HOST_DEVICE inline Philox4x32 philox4x32(uint64_t seed, uint64_t stream, uint64_t index) {
  uint32_t c0 = static_cast<uint32_t>(index), c1 = static_cast<uint32_t>(index >> 32);
  uint32_t c2 = static_cast<uint32_t>(stream), c3 = static_cast<uint32_t>(stream >> 32);
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(0xD2511F53u, c0, hi0, lo0);
    philox_mulhilo(0xCD9E8D57u, c2, hi1, lo1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0, c1 = n1, c2 = n2, c3 = n3;
    k0 += 0x9E3779B9u;  // the Weyl sequence that bumps the key each round
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

// Uniform in [0, 1) from the top 24 (float) bits of word `word` (default the first) or the top
// 53 (double) bits of the first two words.
FFTUNE_HOST_DEVICE inline float philox_word_to_float(uint32_t word) {
  return static_cast<float>(word >> 8) * (1.0f / 16777216.0f);
}
FFTUNE_HOST_DEVICE inline float philox_uniform_float(const Philox4x32& r, int word = 0) {
  return philox_word_to_float(r.v[word]);
}
FFTUNE_HOST_DEVICE inline double philox_uniform_double(const Philox4x32& r) {
  const uint64_t bits = (static_cast<uint64_t>(r.v[0]) << 32 | r.v[1]) >> 11;
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}

}  // namespace fftune
