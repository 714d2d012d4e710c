// Helpers for the emulated CUDA kernel tests: NaN-poisoned outputs (an element the kernel does
// not write fails the comparison) and StridedLayouts built from tensors.
#pragma once

#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "ops/cuda/elementwise_kernels.h"
#include "ops/op_utils.h"
#include "tests/support/test_support.h"

namespace fftune::testing {

inline Tensor nan_tensor(const Shape& shape, DType dtype) {
  return full(shape, std::numeric_limits<double>::quiet_NaN(), dtype);
}

// The layout of out (operand 0) and the inputs broadcast to out's shape (operands 1, 2).
inline cuda::StridedLayout layout_of(const Tensor& out, std::initializer_list<Tensor> inputs) {
  cuda::StridedLayout layout;
  layout.ndim = static_cast<int>(out.dim());
  for (int d = 0; d < layout.ndim; ++d) {
    layout.shape[d] = out.shape()[d];
    layout.strides[0][d] = out.strides()[d];
  }
  int k = 1;
  for (const Tensor& t : inputs) {
    const Shape strides = broadcast_strides(t, out.shape());
    for (int d = 0; d < layout.ndim; ++d) layout.strides[k][d] = strides[d];
    ++k;
  }
  return layout;
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
