#include "ops/cpu/binary_kernels.h"

#include <complex>

#include "ops/cpu/loops.h"
#include "ops/op_utils.h"

namespace fftune::cpu {
namespace {

template <typename T>
constexpr bool kIsComplex = std::is_same_v<T, c64_t> || std::is_same_v<T, c128_t>;

template <typename T, typename F>
void run(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  map2(out.data<T>(), out.strides(), a.data<T>(), broadcast_strides(a, out.shape()), b.data<T>(),
       broadcast_strides(b, out.shape()), out.shape(), f);
}

}  // namespace

void binary_forward(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op) {
  dispatch_all(a.dtype(), "binary_forward", [&]<typename T>() {
    switch (op) {
      case BinaryOp::kAdd:
        return run<T>(out, a, b, [](T x, T y) { return x + y; });
      case BinaryOp::kSub:
        return run<T>(out, a, b, [](T x, T y) { return x - y; });
      case BinaryOp::kMul:
        return run<T>(out, a, b, [](T x, T y) { return x * y; });
      case BinaryOp::kDiv:
        return run<T>(out, a, b, [](T x, T y) { return x / y; });
      default:
        break;
    }
    if constexpr (kIsComplex<T>) {
      FFTUNE_FAIL("binary_forward: comparisons and maximum are not defined for complex tensors");
    } else {
      switch (op) {
        case BinaryOp::kMaximum:
          return run<T>(out, a, b, [](T x, T y) { return x >= y ? x : y; });
        case BinaryOp::kEq:
          return run<T>(out, a, b, [](T x, T y) { return T(x == y); });
        case BinaryOp::kGt:
          return run<T>(out, a, b, [](T x, T y) { return T(x > y); });
        case BinaryOp::kLt:
          return run<T>(out, a, b, [](T x, T y) { return T(x < y); });
        case BinaryOp::kGe:
          return run<T>(out, a, b, [](T x, T y) { return T(x >= y); });
        default:
          break;
      }
    }
  });
}

void add_scaled_inplace(const Tensor& x, const Tensor& y, double alpha) {
  dispatch_all(x.dtype(), "add_", [&]<typename T>() {
    const T s = static_cast<T>(alpha);
    T* px = x.data<T>();
    map2(px, x.strides(), px, x.strides(), y.data<T>(), broadcast_strides(y, x.shape()), x.shape(),
         [s](T u, T v) { return u + s * v; });
  });
}

}  // namespace fftune::cpu
