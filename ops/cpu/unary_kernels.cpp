#include "ops/cpu/unary_kernels.h"

#include "ops/cpu/loops.h"
#include "ops/cpu/vec_math.h"

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

// GELU in f32 with erf/tanh/exp the compiler can vectorise (ops/cpu/vec_math.h); the same
// formulas as ops/elementwise_math.h. f64 (references, gradcheck) keeps the library functions.
[[gnu::always_inline]] inline float gelu_f32(float x) {
  return 0.5f * x * (1.0f + erf_vectorizable(x * float(M_SQRT1_2)));
}
[[gnu::always_inline]] inline float gelu_tanh_f32(float x) {
  const float k = 0.7978845608028654f;
  return 0.5f * x * (1.0f + tanh_vectorizable(k * (x + 0.044715f * x * x * x)));
}
[[gnu::always_inline]] inline float gelu_grad_f32(float g, float x) {
  const float cdf = 0.5f * (1.0f + erf_vectorizable(x * float(M_SQRT1_2)));
  const float pdf = exp_vectorizable(-0.5f * x * x) * 0.3989422804014327f;
  return g * (cdf + x * pdf);
}
[[gnu::always_inline]] inline float gelu_tanh_grad_f32(float g, float x) {
  const float k = 0.7978845608028654f;
  const float th = tanh_vectorizable(k * (x + 0.044715f * x * x * x));
  const float dinner = k * (1.0f + 3.0f * 0.044715f * x * x);
  return g * (0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * dinner);
}

// Runs the f32 GELU kernels; false when (op, T) is not one of them.
template <typename T>
bool gelu_forward_f32(const Tensor& y, const Tensor& x, UnaryOp op) {
  if constexpr (!std::is_same_v<T, float>) {
    return false;
  } else {
    if (op == UnaryOp::kGelu)
      map1(y.data<float>(), y.strides(), x.data<float>(), x.strides(), x.shape(),
           [](float v) { return gelu_f32(v); });
    else if (op == UnaryOp::kGeluTanh)
      map1(y.data<float>(), y.strides(), x.data<float>(), x.strides(), x.shape(),
           [](float v) { return gelu_tanh_f32(v); });
    else
      return false;
    return true;
  }
}

template <typename T>
bool gelu_backward_f32(const Tensor& dx, const Tensor& g, const Tensor& s, UnaryOp op) {
  if constexpr (!std::is_same_v<T, float>) {
    return false;
  } else {
    if (op != UnaryOp::kGelu && op != UnaryOp::kGeluTanh) return false;
    if (op == UnaryOp::kGelu)
      map2(dx.data<float>(), dx.strides(), g.data<float>(), g.strides(), s.data<float>(),
           s.strides(), g.shape(), [](float gv, float xv) { return gelu_grad_f32(gv, xv); });
    else
      map2(dx.data<float>(), dx.strides(), g.data<float>(), g.strides(), s.data<float>(),
           s.strides(), g.shape(), [](float gv, float xv) { return gelu_tanh_grad_f32(gv, xv); });
    return true;
  }
}

}  // namespace

void unary_forward(const Tensor& y, const Tensor& x, UnaryOp op, double p) {
  dispatch_float(x.dtype(), "unary_forward", [&]<typename T>() {
    if (gelu_forward_f32<T>(y, x, op)) return;
    with_op(op, [&]<UnaryOp kOp>() {
      const T pt = static_cast<T>(p);
      map1(y.data<T>(), y.strides(), x.data<T>(), x.strides(), x.shape(),
           [pt](T v) { return apply_unary<kOp, T>(v, pt); });
    });
  });
}

void unary_backward(const Tensor& dx, const Tensor& g, const Tensor& s, UnaryOp op, double p) {
  dispatch_float(g.dtype(), "unary_backward", [&]<typename T>() {
    if (s.defined() && gelu_backward_f32<T>(dx, g, s, op)) return;
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
