#include "ops/cpu/copy_kernels.h"

#include <complex>
#include <cstring>

#include "ops/cpu/loops.h"
#include "ops/op_utils.h"

namespace fftune::cpu {
namespace {

template <typename T>
constexpr bool kIsComplex = std::is_same_v<T, c64_t> || std::is_same_v<T, c128_t>;

// Value conversion between any two dtypes. Complex to real keeps the real part (as numpy).
template <typename TOut, typename TIn>
TOut convert(TIn v) {
  if constexpr (kIsComplex<TIn> && kIsComplex<TOut>)
    return TOut(static_cast<typename TOut::value_type>(v.real()),
                static_cast<typename TOut::value_type>(v.imag()));
  else if constexpr (kIsComplex<TIn>)
    return static_cast<TOut>(v.real());
  else if constexpr (kIsComplex<TOut>)
    return TOut(static_cast<typename TOut::value_type>(v));
  else
    return static_cast<TOut>(v);
}

}  // namespace

void copy(const Tensor& dst, const Tensor& src) {
  const Shape src_strides = broadcast_strides(src, dst.shape());
  // Same dtype, both contiguous, no broadcast: one memcpy.
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() &&
      src.shape() == dst.shape()) {
    std::memcpy(dst.raw_data(), src.raw_data(), dst.numel() * dtype_size(dst.dtype()));
    return;
  }
  dispatch_all(dst.dtype(), "copy", [&]<typename TOut>() {
    dispatch_all(src.dtype(), "copy", [&]<typename TIn>() {
      map1(dst.data<TOut>(), dst.strides(), src.data<TIn>(), src_strides, dst.shape(),
           [](TIn v) { return convert<TOut, TIn>(v); });
    });
  });
}

void fill(const Tensor& dst, double value) {
  dispatch_all(dst.dtype(), "fill", [&]<typename T>() {
    const T v = convert<T, double>(value);
    T* p = dst.data<T>();
    map1(p, dst.strides(), p, dst.strides(), dst.shape(), [v](T) { return v; });
  });
}

}  // namespace fftune::cpu
