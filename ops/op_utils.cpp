#include "ops/op_utils.h"

#include <algorithm>

namespace fftune {

void check_defined(const char* op, const Tensor& t, const char* arg) {
  FFTUNE_CHECK(t.defined(), op, ": argument '", arg, "' is an undefined tensor");
}

void check_same_device(const char* op, std::initializer_list<Tensor> tensors) {
  const Tensor* first = nullptr;
  for (const Tensor& t : tensors) {
    FFTUNE_CHECK(t.defined(), op, ": got an undefined tensor");
    if (!first) first = &t;
    FFTUNE_CHECK(t.device() == first->device(), op, ": expected all tensors on one device, got ",
                 first->device(), " and ", t.device());
  }
}

void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  FFTUNE_CHECK(a.dtype() == b.dtype(), op, ": expected tensors of one dtype, got ", a.dtype(),
               " and ", b.dtype(), " (convert one with .to(dtype))");
}

void check_dtype(const char* op, const Tensor& t, const char* arg, DType expected) {
  FFTUNE_CHECK(t.dtype() == expected, op, ": '", arg, "' must be ", expected, ", got ", t.dtype());
}

Shape broadcast_strides(const Tensor& t, const Shape& shape) {
  const size_t n = shape.size(), m = static_cast<size_t>(t.dim());
  Shape strides(n, 0);
  for (size_t i = 0; i < m; ++i) {
    const size_t d = n - m + i;
    strides[d] = t.shape()[i] == 1 ? 0 : t.strides()[i];
  }
  return strides;
}

std::vector<int64_t> normalize_dims(const std::vector<int64_t>& dims, int64_t ndim,
                                    const char* op) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) out.push_back(wrap_dim(d, ndim, op));
  std::sort(out.begin(), out.end());
  FFTUNE_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), op,
               ": a dim appears twice in the list");
  return out;
}

}  // namespace fftune

namespace fftune {
void no_kernel(const char* op, Device device) {
  FFTUNE_FAIL(op, ": no kernel for device ", device,
              device.is_cuda() ? " (this build has no CUDA backend)" : "");
}
}  // namespace fftune
