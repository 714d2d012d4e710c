// Element types. f32 is what models train in; f64 backs gradcheck and references; i64 holds
// indices and labels; c64/c128 hold spectra (c128 on the CPU, for gradcheck of the FFT ops).
#pragma once

#include <complex>
#include <cstdint>
#include <ostream>
#include <string>

#include "core/error.h"

namespace fftune {

enum class DType : uint8_t { f32, f64, i64, c64, c128 };

using c64_t = std::complex<float>;
using c128_t = std::complex<double>;

inline size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32:
      return 4;
    case DType::f64:
      return 8;
    case DType::i64:
      return 8;
    case DType::c64:
      return 8;
    case DType::c128:
      return 16;
  }
  return 0;
}

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32:
      return "f32";
    case DType::f64:
      return "f64";
    case DType::i64:
      return "i64";
    case DType::c64:
      return "c64";
    case DType::c128:
      return "c128";
  }
  return "?";
}

inline std::ostream& operator<<(std::ostream& os, DType t) {
  return os << dtype_name(t);
}

inline bool is_floating(DType t) {
  return t == DType::f32 || t == DType::f64;
}
inline bool is_complex(DType t) {
  return t == DType::c64 || t == DType::c128;
}
// Types that can carry a gradient.
inline bool is_differentiable(DType t) {
  return is_floating(t) || is_complex(t);
}

// The real type of a complex type (c64 -> f32), and the complex type of a real one.
inline DType real_dtype(DType t) {
  if (t == DType::c64) return DType::f32;
  if (t == DType::c128) return DType::f64;
  return t;
}
inline DType complex_dtype(DType t) {
  if (t == DType::f32) return DType::c64;
  if (t == DType::f64) return DType::c128;
  FFTUNE_CHECK(is_complex(t), "complex_dtype: no complex type for ", dtype_name(t));
  return t;
}

// C++ type <-> DType.
template <typename T>
struct dtype_of;
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::f32;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = DType::f64;
};
template <>
struct dtype_of<int64_t> {
  static constexpr DType value = DType::i64;
};
template <>
struct dtype_of<c64_t> {
  static constexpr DType value = DType::c64;
};
template <>
struct dtype_of<c128_t> {
  static constexpr DType value = DType::c128;
};

}  // namespace fftune

namespace fftune {

// dispatch_*(dtype, "op", [&]<typename T>() { ... }) calls the lambda with the C++ type of
// `dtype` (float, double, int64_t, c64_t, c128_t), or throws naming the op when the dtype is
// not one the op supports.
template <typename Fn>
decltype(auto) dispatch_float(DType t, const char* op, Fn&& fn) {
  if (t == DType::f32) return fn.template operator()<float>();
  if (t == DType::f64) return fn.template operator()<double>();
  FFTUNE_FAIL(op, ": expected a floating dtype (f32, f64), got ", dtype_name(t));
}

template <typename Fn>
decltype(auto) dispatch_real(DType t, const char* op, Fn&& fn) {
  if (t == DType::f32) return fn.template operator()<float>();
  if (t == DType::f64) return fn.template operator()<double>();
  if (t == DType::i64) return fn.template operator()<int64_t>();
  FFTUNE_FAIL(op, ": expected a real dtype (f32, f64, i64), got ", dtype_name(t));
}

template <typename Fn>
decltype(auto) dispatch_float_complex(DType t, const char* op, Fn&& fn) {
  if (t == DType::f32) return fn.template operator()<float>();
  if (t == DType::f64) return fn.template operator()<double>();
  if (t == DType::c64) return fn.template operator()<c64_t>();
  if (t == DType::c128) return fn.template operator()<c128_t>();
  FFTUNE_FAIL(op, ": expected a floating or complex dtype, got ", dtype_name(t));
}

template <typename Fn>
decltype(auto) dispatch_all(DType t, const char* op, Fn&& fn) {
  if (t == DType::f32) return fn.template operator()<float>();
  if (t == DType::f64) return fn.template operator()<double>();
  if (t == DType::i64) return fn.template operator()<int64_t>();
  if (t == DType::c64) return fn.template operator()<c64_t>();
  if (t == DType::c128) return fn.template operator()<c128_t>();
  FFTUNE_FAIL(op, ": unknown dtype ", static_cast<int>(t));
}

}  // namespace fftune
