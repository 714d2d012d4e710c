// Per-element math shared by the CPU loops and the CUDA kernels: the forward of each unary op
// and the local derivative its backward multiplies the incoming gradient by.
#pragma once

#include <cmath>

#include "core/tensor/philox.h"  // FFTUNE_HOST_DEVICE

namespace fftune {

enum class UnaryOp {
  kNeg,
  kExp,
  kLog,
  kSqrt,
  kRsqrt,
  kAbs,
  kTanh,
  kSigmoid,
  kRelu,
  kGelu,
  kGeluTanh,
  kPow
};

// Forward: y = f(x); `p` is the exponent of kPow and unused otherwise.
template <UnaryOp op, typename T>
FFTUNE_HOST_DEVICE inline T apply_unary(T x, T p) {
  using std::abs, std::exp, std::log, std::sqrt, std::tanh, std::erf, std::pow;
  if constexpr (op == UnaryOp::kNeg) return -x;
  if constexpr (op == UnaryOp::kExp) return exp(x);
  if constexpr (op == UnaryOp::kLog) return log(x);
  if constexpr (op == UnaryOp::kSqrt) return sqrt(x);
  if constexpr (op == UnaryOp::kRsqrt) return T(1) / sqrt(x);
  if constexpr (op == UnaryOp::kAbs) return abs(x);
  if constexpr (op == UnaryOp::kTanh) return tanh(x);
  if constexpr (op == UnaryOp::kSigmoid) return T(1) / (T(1) + exp(-x));
  if constexpr (op == UnaryOp::kRelu) return x > T(0) ? x : T(0);
  // GELU exact: x·Φ(x) = x/2·(1 + erf(x/√2)).
  if constexpr (op == UnaryOp::kGelu) return T(0.5) * x * (T(1) + erf(x * T(M_SQRT1_2)));
  // GELU tanh approximation: x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
  if constexpr (op == UnaryOp::kGeluTanh) {
    const T k = T(0.7978845608028654);  // √(2/π)
    return T(0.5) * x * (T(1) + tanh(k * (x + T(0.044715) * x * x * x)));
  }
  if constexpr (op == UnaryOp::kPow) return pow(x, p);
  return x;
}

// Which value the backward needs saved: the input x or the output y.
template <UnaryOp op>
constexpr bool backward_uses_output() {
  return op == UnaryOp::kExp || op == UnaryOp::kSqrt || op == UnaryOp::kRsqrt ||
         op == UnaryOp::kTanh || op == UnaryOp::kSigmoid;
}

// Backward: dx = g · f'(x), written in terms of the saved value s (x or y, see above).
template <UnaryOp op, typename T>
FFTUNE_HOST_DEVICE inline T apply_unary_grad(T g, T s, T p) {
  using std::exp, std::tanh, std::pow;
  if constexpr (op == UnaryOp::kNeg) return -g;
  if constexpr (op == UnaryOp::kExp) return g * s;                                  // s = y = eˣ
  if constexpr (op == UnaryOp::kLog) return g / s;                                  // s = x
  if constexpr (op == UnaryOp::kSqrt) return g * T(0.5) / s;                        // s = y = √x
  if constexpr (op == UnaryOp::kRsqrt) return T(-0.5) * g * s * s * s;              // s = y = x^-½
  if constexpr (op == UnaryOp::kAbs) return s > T(0) ? g : (s < T(0) ? -g : T(0));  // sign(x)
  if constexpr (op == UnaryOp::kTanh) return g * (T(1) - s * s);                    // s = y
  if constexpr (op == UnaryOp::kSigmoid) return g * s * (T(1) - s);                 // s = y
  if constexpr (op == UnaryOp::kRelu) return s > T(0) ? g : T(0);                   // s = x
  if constexpr (op == UnaryOp::kGelu) {
    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
    const T cdf = T(0.5) * (T(1) + std::erf(s * T(M_SQRT1_2)));
    const T pdf = exp(T(-0.5) * s * s) * T(0.3989422804014327);  // 1/√(2π)
    return g * (cdf + s * pdf);
  }
  if constexpr (op == UnaryOp::kGeluTanh) {
    const T k = T(0.7978845608028654);
    const T inner = k * (s + T(0.044715) * s * s * s);
    const T th = tanh(inner);
    const T dinner = k * (T(1) + T(3) * T(0.044715) * s * s);
    return g * (T(0.5) * (T(1) + th) + T(0.5) * s * (T(1) - th * th) * dinner);
  }
  if constexpr (op == UnaryOp::kPow) return g * p * pow(s, p - T(1));  // s = x
  return g;
}

enum class BinaryOp { kAdd, kSub, kMul, kDiv, kMaximum, kEq, kGt, kLt, kGe };

// out = a ∘ b for the real dtypes (comparisons give 1 or 0 in the input dtype).
template <BinaryOp op, typename T>
FFTUNE_HOST_DEVICE inline T apply_binary(T a, T b) {
  if constexpr (op == BinaryOp::kAdd) return a + b;
  if constexpr (op == BinaryOp::kSub) return a - b;
  if constexpr (op == BinaryOp::kMul) return a * b;
  if constexpr (op == BinaryOp::kDiv) return a / b;
  if constexpr (op == BinaryOp::kMaximum) return a >= b ? a : b;
  if constexpr (op == BinaryOp::kEq) return T(a == b);
  if constexpr (op == BinaryOp::kGt) return T(a > b);
  if constexpr (op == BinaryOp::kLt) return T(a < b);
  if constexpr (op == BinaryOp::kGe) return T(a >= b);
  return a;
}

}  // namespace fftune
