#include "core/tensor/shape.h"

#include <algorithm>

#include "core/error.h"

namespace fftune {

// Note [shape overflow]
// Sizes come from files (a safetensors header, a config), so every product of sizes is checked.
// A shape is valid when each size is >= 0 and the product of max(size, 1) fits in int64: that
// product bounds both the element count and every contiguous stride. Testing the element count
// alone is not enough — (0, 2^62, 4) has no elements, yet its contiguous strides overflow.
namespace {

int64_t checked_layout_size(const Shape& shape) {
  int64_t product = 1;
  for (int64_t s : shape) {
    FFTUNE_CHECK(s >= 0, "shape ", shape, ": sizes must be non-negative");
    FFTUNE_CHECK(!__builtin_mul_overflow(product, std::max<int64_t>(s, 1), &product), "shape ",
                 shape, " is too large: the product of its sizes overflows 64-bit indexing");
  }
  return product;
}

}  // namespace

int64_t numel_of(const Shape& shape) {
  const int64_t product = checked_layout_size(shape);
  return std::find(shape.begin(), shape.end(), 0) != shape.end() ? 0 : product;
}

Shape contiguous_strides(const Shape& shape) {
  checked_layout_size(shape);  // then no stride below overflows
  Shape strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    FFTUNE_CHECK(sa == sb || sa == 1 || sb == 1, what, ": shapes ", a, " and ", b,
                 " cannot be broadcast together (dim ", i, ": ", sa, " vs ", sb, ")");
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* what) {
  const int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  FFTUNE_CHECK(dim >= lo && dim <= hi, what, ": dim ", dim, " out of range for a tensor of ", ndim,
               " dims (expected ", lo, "..", hi, ")");
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) {
  os << "(";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) os << ",";
  return os << ")";
}

}  // namespace fftune
