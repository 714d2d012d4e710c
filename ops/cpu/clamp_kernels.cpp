#include "ops/cpu/clamp_kernels.h"

#include "ops/cpu/loops.h"

namespace fftune::cpu {

void clamp_forward(const Tensor& y, const Tensor& x, double lo, double hi) {
  dispatch_float(x.dtype(), "clamp", [&]<typename T>() {
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    map1(y.data<T>(), y.strides(), x.data<T>(), x.strides(), x.shape(), [=](T v) {
      // A NaN x, or a NaN (missing) bound, compares false: it passes the test unchanged.
      const T r = v < l ? l : v;
      return r > h ? h : r;
    });
  });
}

void clamp_backward(const Tensor& dx, const Tensor& g, const Tensor& x, double lo, double hi) {
  dispatch_float(x.dtype(), "clamp backward", [&]<typename T>() {
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    map2(dx.data<T>(), dx.strides(), g.data<T>(), g.strides(), x.data<T>(), x.strides(), x.shape(),
         [=](T gv, T v) {
           // l != l: the bound is NaN, i.e. missing. A NaN x fails both comparisons: 0.
           const bool inside = (v > l || l != l) && (v < h || h != h);
           return inside ? gv : T(0);
         });
  });
}

}  // namespace fftune::cpu
