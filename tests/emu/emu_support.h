// Helpers for the emulated CUDA kernel tests: NaN-poisoned outputs (an element the kernel does
// not write fails the comparison), random indices, and (from ops/cuda/tensor_args.h) the
// StridedLayout of tensors, built as the entry points build it.
#pragma once

#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "ops/cuda/tensor_args.h"
#include "ops/op_utils.h"
#include "tests/support/test_support.h"

namespace fftune::testing {

inline Tensor nan_tensor(const Shape& shape, DType dtype) {
  return full(shape, std::numeric_limits<double>::quiet_NaN(), dtype);
}

// i64 indices of the given shape, uniform in [0, size), seeded.
inline Tensor random_indices(const Shape& shape, int64_t size, uint64_t seed) {
  Tensor t = empty(shape, DType::i64);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> pick(0, size - 1);
  int64_t* p = t.data<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = pick(rng);
  return t;
}

// A shape as text, for SCOPED_TRACE (GoogleTest's Message cannot find Shape's operator<<: Shape
// is a std::vector).
inline std::string shape_string(const Shape& shape) {
  std::ostringstream os;
  os << shape;
  return os.str();
}

}  // namespace fftune::testing
