#include "ops/cpu/unary_kernels.h"

#include "ops/cpu/loops.h"

namespace fftune::cpu {
namespace {

// Turns the runtime op into a compile-time one, so each loop body is a single inlined formula.
template <typename Fn>
void with_op(UnaryOp op, Fn fn) {
  switch (op) {
#define FFTUNE_UNARY_CASE(k) \
  case UnaryOp::k:           \
    return fn.template operator()<UnaryOp::k>();
    FFTUNE_UNARY_CASE(kNeg)
    FFTUNE_UNARY_CASE(kExp)
    FFTUNE_UNARY_CASE(kLog)
    FFTUNE_UNARY_CASE(kSqrt)
    FFTUNE_UNARY_CASE(kRsqrt)
    FFTUNE_UNARY_CASE(kAbs)
    FFTUNE_UNARY_CASE(kTanh)
    FFTUNE_UNARY_CASE(kSigmoid)
    FFTUNE_UNARY_CASE(kRelu)
    FFTUNE_UNARY_CASE(kGelu)
    FFTUNE_UNARY_CASE(kGeluTanh)
    FFTUNE_UNARY_CASE(kPow)
#undef FFTUNE_UNARY_CASE
  }
}

}  // namespace

void unary_forward(const Tensor& y, const Tensor& x, UnaryOp op, double p) {
  dispatch_float(x.dtype(), "unary_forward", [&]<typename T>() {
    with_op(op, [&]<UnaryOp kOp>() {
      const T pt = static_cast<T>(p);
      map1(y.data<T>(), y.strides(), x.data<T>(), x.strides(), x.shape(),
           [pt](T v) { return apply_unary<kOp, T>(v, pt); });
    });
  });
}

void unary_backward(const Tensor& dx, const Tensor& g, const Tensor& s, UnaryOp op, double p) {
  dispatch_float(g.dtype(), "unary_backward", [&]<typename T>() {
    with_op(op, [&]<UnaryOp kOp>() {
      const T pt = static_cast<T>(p);
      if (!s.defined()) {  // kNeg needs nothing saved
        map1(dx.data<T>(), dx.strides(), g.data<T>(), g.strides(), g.shape(),
             [pt](T gv) { return apply_unary_grad<kOp, T>(gv, T(0), pt); });
        return;
      }
      map2(dx.data<T>(), dx.strides(), g.data<T>(), g.strides(), s.data<T>(), s.strides(),
           g.shape(), [pt](T gv, T sv) { return apply_unary_grad<kOp, T>(gv, sv, pt); });
    });
  });
}

}  // namespace fftune::cpu
