// Printing: tensor(shape=(2, 3), dtype=f32, device=cpu) followed by the values, nested by dim
// as numpy does; long dims show their first and last three entries around "...".
#include <iomanip>
#include <sstream>

#include "core/autograd/grad_mode.h"
#include "core/autograd/node.h"
#include "core/tensor/tensor.h"

namespace fftune {
namespace {

constexpr int64_t kEdgeItems = 3;
constexpr int64_t kSummariseAbove = 1000;

template <typename T>
void print_value(std::ostream& os, T v) {
  if constexpr (std::is_same_v<T, int64_t>) {
    os << v;
  } else if constexpr (std::is_same_v<T, c64_t> || std::is_same_v<T, c128_t>) {
    os << std::setprecision(4) << v.real() << (v.imag() < 0 ? "-" : "+") << std::abs(v.imag())
       << "j";
  } else {
    os << std::setprecision(4) << v;
  }
}

template <typename T>
void print_dim(std::ostream& os, const T* base, const Shape& shape, const Shape& strides, size_t d,
               bool summarise, int indent) {
  if (d == shape.size()) {
    print_value(os, *base);
    return;
  }
  os << "[";
  const int64_t n = shape[d];
  for (int64_t i = 0; i < n; ++i) {
    if (summarise && n > 2 * kEdgeItems && i == kEdgeItems) {
      os << "...";
      i = n - kEdgeItems - 1;
      os << (d + 1 == shape.size() ? ", " : ",\n" + std::string(indent + 1, ' '));
      continue;
    }
    print_dim(os, base + i * strides[d], shape, strides, d + 1, summarise, indent + 1);
    if (i + 1 < n) os << (d + 1 == shape.size() ? ", " : ",\n" + std::string(indent + 1, ' '));
  }
  os << "]";
}

}  // namespace

std::string Tensor::to_string() const {
  if (!defined()) return "tensor(undefined)";
  std::ostringstream os;
  os << "tensor(shape=" << shape() << ", dtype=" << dtype() << ", device=" << device();
  if (requires_grad()) os << ", requires_grad";
  if (grad_fn()) os << ", grad_fn=" << grad_fn()->name();
  os << ")\n";
  NoGradGuard no_grad;
  const Tensor host = to(Device::cpu());
  const bool summarise = numel() > kSummariseAbove;
  dispatch_all(dtype(), "print", [&]<typename T>() {
    print_dim(os, host.data<T>(), host.shape(), host.strides(), 0, summarise, 0);
  });
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  return os << t.to_string();
}

}  // namespace fftune
