// Math functions written so that the compiler can vectorise a loop that calls them.
//
// std::exp is a library call: a `#pragma omp simd` loop around it runs one element at a time
// (glibc's vector versions are only declared under -ffast-math). exp_vectorizable is a short
// polynomial with no calls and no branches (only selects), so the loops of softmax and cross
// entropy run 8 floats per AVX2 instruction. Its relative error is below 1.5 ulp on the whole
// f32 range; the fftune library is compiled with -fno-trapping-math, which lets gcc turn its
// selects into blends (see CMakeLists.txt).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace fftune::cpu {

// eˣ for f32 (Cephes' expf): x = n·ln2 + r with |r| ≤ ln2/2, eʳ by a degree-7 polynomial,
// 2ⁿ by writing n into the exponent bits. x < -87 gives 0 (eˣ is then below the smallest
// normal float), x > 88.3 gives +inf, NaN stays NaN.
inline float exp_vectorizable(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln2 = hi + lo, exactly
  constexpr float kMin = -87.0f, kMax = 88.3f;
  float xc = x < kMin ? kMin : x;
  xc = xc > kMax ? kMax : xc;
  const float n = std::nearbyint(xc * kLog2e);
  const float r = xc - n * kLn2Hi - n * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const float two_to_n = std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
  const float e = p * two_to_n;
  const float out = x < kMin ? 0.0f : (x > kMax ? std::numeric_limits<float>::infinity() : e);
  return x != x ? x : out;  // NaN in, NaN out
}

// erf for f32 (Abramowitz & Stegun 7.1.26): erf|x| = 1 − t·P(t)·e^{−x²}, t = 1/(1 + 0.3275911|x|),
// absolute error below 1.5e-7 — what GELU needs, since it uses 1 + erf, where that error is
// relative to a number near 1 (or, for very negative x, to a GELU value below 1e-5).
inline float erf_vectorizable(float x) {
  const float ax = std::fabs(x);
  const float t = 1.0f / (1.0f + 0.3275911f * ax);
  const float poly =
      t * (0.254829592f +
           t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  return std::copysign(1.0f - poly * exp_vectorizable(-ax * ax), x);
}

// tanh for f32 as 1 − 2/(e^{2x} + 1), on the vectorisable exp (saturates to ±1 cleanly).
inline float tanh_vectorizable(float x) {
  return 1.0f - 2.0f / (exp_vectorizable(2.0f * x) + 1.0f);
}

// f64 is the reference and gradcheck precision: keep the correctly rounded library exp.
inline double exp_vectorizable(double x) {
  return std::exp(x);
}

}  // namespace fftune::cpu
