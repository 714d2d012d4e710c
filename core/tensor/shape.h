// Shapes, strides and NumPy broadcasting.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

namespace fftune {

using Shape = std::vector<int64_t>;

int64_t numel_of(const Shape& shape);
// Row-major strides, in elements. Both throw on overflow (Note [shape overflow], shape.cpp).
Shape contiguous_strides(const Shape& shape);
// NumPy broadcasting: align from the right; each pair of sizes must be equal or one of them 1.
// `what` names the op in the error message.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what);
// A negative dim counts from the end; checks the range and names `what` in the error.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* what);

std::ostream& operator<<(std::ostream& os, const Shape& shape);

}  // namespace fftune
