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
      for_each_row<4>(
          shape,
          {out.strides(), broadcast_strides(cond, shape), broadcast_strides(a, shape),
           broadcast_strides(b, shape)},
          [&](const std::array<int64_t, 4>& off, int64_t n, const std::array<int64_t, 4>& st) {
            T* o = po + off[0];
            const C* c = pc + off[1];
            const T* x = pa + off[2];
            const T* y = pb + off[3];
            for (int64_t i = 0; i < n; ++i)
              o[i * st[0]] = c[i * st[1]] != C(0) ? x[i * st[2]] : y[i * st[3]];
          });
    });
  });
}

}  // namespace fftune::cpu
