#include "ops/cpu/where_kernels.h"

#include "ops/cpu/loops.h"
#include "ops/op_utils.h"

namespace fftune::cpu {

void where_forward(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  if (out.numel() == 0) return;
  const Shape& shape = out.shape();
  dispatch_real(cond.dtype(), "where", [&]<typename C>() {
    dispatch_all(out.dtype(), "where", [&]<typename T>() {
      T* po = out.data<T>();
      const C* pc = cond.data<C>();
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      const std::array<Shape, 4> strides = {out.strides(), broadcast_strides(cond, shape),
                                            broadcast_strides(a, shape),
                                            broadcast_strides(b, shape)};
      for_each_row<4>(
          shape, strides,
          [&](const std::array<int64_t, 4>& off, int64_t n, const std::array<int64_t, 4>& st) {
            T* o = po + off[0];
            const C* c = pc + off[1];
            const T* x = pa + off[2];
            const T* y = pb + off[3];
            // Both values are loaded and one is kept: no data-dependent branch (a random mask
            // would mispredict half the time), and the contiguous case vectorises.
            if (st[0] == 1 && st[1] == 1 && st[2] == 1 && st[3] == 1) {
#pragma omp simd
              for (int64_t i = 0; i < n; ++i) {
                const T xv = x[i], yv = y[i];
                o[i] = c[i] != C(0) ? xv : yv;
              }
            } else {
              for (int64_t i = 0; i < n; ++i) {
                const T xv = x[i * st[2]], yv = y[i * st[3]];
                o[i * st[0]] = c[i * st[1]] != C(0) ? xv : yv;
              }
            }
          });
    });
  });
}

}  // namespace fftune::cpu
