// The arithmetic of ops/cpu/fft: radix-2, 3, 4 and 5 Stockham passes on split-complex lanes
// buffers. Each pass is one function; see Note [Stockham passes and their twiddles] (fft_plan.cpp)
// for the index map they all share, and Note [Lanes layout] (fft_internal.h) for the buffers.
//
// Every pass has the same loop nest:
//   for each group p < m:                 load the R-1 twiddles W^(k*p), constant below
//     for each i < run = stride*lanes:    contiguous in input and output; vectorised
//       load R inputs x_j, butterfly, multiply output k by W^(k*p), store R outputs
#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "ops/cpu/fft_internal.h"

namespace fftune::cpu::fft::detail {
namespace {

// A complex number held in two registers. Small inline operators keep the butterflies readable;
// the compiler turns them into plain vertical SIMD on the split arrays.
template <typename T>
struct Cx {
  T re, im;
};
template <typename T>
inline Cx<T> operator+(Cx<T> a, Cx<T> b) {
  return {a.re + b.re, a.im + b.im};
}
template <typename T>
inline Cx<T> operator-(Cx<T> a, Cx<T> b) {
  return {a.re - b.re, a.im - b.im};
}
template <typename T>
inline Cx<T> operator*(Cx<T> a, Cx<T> w) {
  return {a.re * w.re - a.im * w.im, a.re * w.im + a.im * w.re};
}
template <typename T>
inline Cx<T> scale(Cx<T> a, T c) {
  return {a.re * c, a.im * c};
}
// -i * a
template <typename T>
inline Cx<T> times_minus_i(Cx<T> a) {
  return {a.im, -a.re};
}

template <typename T>
inline Cx<T> load(Split<const T> x, int64_t at) {
  return {x.re[at], x.im[at]};
}
template <typename T>
inline void store(Split<T> y, int64_t at, Cx<T> v) {
  y.re[at] = v.re;
  y.im[at] = v.im;
}

// The twiddle W^(k*p) of group p, k = 1..R-1 (Note [Stockham passes and their twiddles]).
template <typename T>
inline Cx<T> twiddle(const ComplexPlan<T>& plan, const Stage& stage, int64_t p, int k) {
  const int64_t at = stage.twiddle_offset + p * (stage.radix - 1) + (k - 1);
  return {plan.twiddle_re[at], plan.twiddle_im[at]};
}

// Radix 2:  y0 = x0 + x1,  y1 = (x0 - x1) * W^p.
template <typename T>
void radix2_pass(const ComplexPlan<T>& plan, const Stage& st, Split<const T> x, Split<T> y,
                 int64_t lanes) {
  const int64_t m = st.count, run = st.stride * lanes;
  for (int64_t p = 0; p < m; ++p) {
    const Cx<T> w1 = twiddle(plan, st, p, 1);
    const int64_t in0 = p * run, in1 = (p + m) * run;
    const int64_t out0 = 2 * p * run, out1 = out0 + run;
    FFTUNE_IVDEP
    for (int64_t i = 0; i < run; ++i) {
      const Cx<T> a = load(x, in0 + i), b = load(x, in1 + i);
      store(y, out0 + i, a + b);
      store(y, out1 + i, (a - b) * w1);
    }
  }
}

// Radix 3, with w3 = exp(-2*pi*i/3) = -1/2 - i*sqrt(3)/2:
//   y0 = x0 + (x1 + x2)
//   y1 = (x0 - (x1 + x2)/2 - i*(sqrt(3)/2)*(x1 - x2)) * W^p
//   y2 = (x0 - (x1 + x2)/2 + i*(sqrt(3)/2)*(x1 - x2)) * W^(2p)
template <typename T>
void radix3_pass(const ComplexPlan<T>& plan, const Stage& st, Split<const T> x, Split<T> y,
                 int64_t lanes) {
  const T kSin60 = static_cast<T>(0.866025403784438646763723170752936183L);
  const int64_t m = st.count, run = st.stride * lanes;
  for (int64_t p = 0; p < m; ++p) {
    const Cx<T> w1 = twiddle(plan, st, p, 1), w2 = twiddle(plan, st, p, 2);
    const int64_t in0 = p * run, in1 = (p + m) * run, in2 = (p + 2 * m) * run;
    const int64_t out0 = 3 * p * run, out1 = out0 + run, out2 = out1 + run;
    FFTUNE_IVDEP
    for (int64_t i = 0; i < run; ++i) {
      const Cx<T> a = load(x, in0 + i), b = load(x, in1 + i), c = load(x, in2 + i);
      const Cx<T> sum = b + c;
      const Cx<T> mid = a - scale(sum, T(0.5));
      const Cx<T> rot = times_minus_i(scale(b - c, kSin60));  // -i*(sqrt(3)/2)*(x1 - x2)
      store(y, out0 + i, a + sum);
      store(y, out1 + i, (mid + rot) * w1);
      store(y, out2 + i, (mid - rot) * w2);
    }
  }
}

// Radix 4, with w4 = -i:
//   y0 = (x0 + x2) + (x1 + x3)
//   y1 = ((x0 - x2) - i*(x1 - x3)) * W^p
//   y2 = ((x0 + x2) - (x1 + x3)) * W^(2p)
//   y3 = ((x0 - x2) + i*(x1 - x3)) * W^(3p)
template <typename T>
void radix4_pass(const ComplexPlan<T>& plan, const Stage& st, Split<const T> x, Split<T> y,
                 int64_t lanes) {
  const int64_t m = st.count, run = st.stride * lanes;
  for (int64_t p = 0; p < m; ++p) {
    const Cx<T> w1 = twiddle(plan, st, p, 1), w2 = twiddle(plan, st, p, 2),
                w3 = twiddle(plan, st, p, 3);
    const int64_t in0 = p * run, in1 = (p + m) * run, in2 = (p + 2 * m) * run,
                  in3 = (p + 3 * m) * run;
    const int64_t out0 = 4 * p * run, out1 = out0 + run, out2 = out1 + run, out3 = out2 + run;
    FFTUNE_IVDEP
    for (int64_t i = 0; i < run; ++i) {
      const Cx<T> a = load(x, in0 + i), b = load(x, in1 + i), c = load(x, in2 + i),
                  d = load(x, in3 + i);
      const Cx<T> ac_sum = a + c, ac_dif = a - c;
      const Cx<T> bd_sum = b + d, bd_rot = times_minus_i(b - d);  // -i*(x1 - x3)
      store(y, out0 + i, ac_sum + bd_sum);
      store(y, out1 + i, (ac_dif + bd_rot) * w1);
      store(y, out2 + i, (ac_sum - bd_sum) * w2);
      store(y, out3 + i, (ac_dif - bd_rot) * w3);
    }
  }
}

// Radix 5, with w5 = exp(-2*pi*i/5), c1 = cos(2pi/5), c2 = cos(4pi/5), s1 = sin(2pi/5),
// s2 = sin(4pi/5), and the symmetric sums/differences s14 = x1 + x4, d14 = x1 - x4,
// s23 = x2 + x3, d23 = x2 - x3:
//   y0 = x0 + s14 + s23
//   y1 = (x0 + c1*s14 + c2*s23  -  i*(s1*d14 + s2*d23)) * W^p
//   y4 = (x0 + c1*s14 + c2*s23  +  i*(s1*d14 + s2*d23)) * W^(4p)
//   y2 = (x0 + c2*s14 + c1*s23  -  i*(s2*d14 - s1*d23)) * W^(2p)
//   y3 = (x0 + c2*s14 + c1*s23  +  i*(s2*d14 - s1*d23)) * W^(3p)
template <typename T>
void radix5_pass(const ComplexPlan<T>& plan, const Stage& st, Split<const T> x, Split<T> y,
                 int64_t lanes) {
  const T c1 = static_cast<T>(0.309016994374947424102293417182819059L);
  const T c2 = static_cast<T>(-0.809016994374947424102293417182819059L);
  const T s1 = static_cast<T>(0.951056516295153572116439333379382143L);
  const T s2 = static_cast<T>(0.587785252292473129168705954639072769L);
  const int64_t m = st.count, run = st.stride * lanes;
  for (int64_t p = 0; p < m; ++p) {
    const Cx<T> w1 = twiddle(plan, st, p, 1), w2 = twiddle(plan, st, p, 2),
                w3 = twiddle(plan, st, p, 3), w4 = twiddle(plan, st, p, 4);
    const int64_t in0 = p * run, in1 = (p + m) * run, in2 = (p + 2 * m) * run,
                  in3 = (p + 3 * m) * run, in4 = (p + 4 * m) * run;
    const int64_t out0 = 5 * p * run, out1 = out0 + run, out2 = out1 + run, out3 = out2 + run,
                  out4 = out3 + run;
    FFTUNE_IVDEP
    for (int64_t i = 0; i < run; ++i) {
      const Cx<T> a = load(x, in0 + i), b = load(x, in1 + i), c = load(x, in2 + i),
                  d = load(x, in3 + i), e = load(x, in4 + i);
      const Cx<T> s14 = b + e, d14 = b - e, s23 = c + d, d23 = c - d;
      const Cx<T> real1 = a + scale(s14, c1) + scale(s23, c2);
      const Cx<T> real2 = a + scale(s14, c2) + scale(s23, c1);
      const Cx<T> rot1 = times_minus_i(scale(d14, s1) + scale(d23, s2));
      const Cx<T> rot2 = times_minus_i(scale(d14, s2) - scale(d23, s1));
      store(y, out0 + i, a + s14 + s23);
      store(y, out1 + i, (real1 + rot1) * w1);
      store(y, out2 + i, (real2 + rot2) * w2);
      store(y, out3 + i, (real2 - rot2) * w3);
      store(y, out4 + i, (real1 - rot1) * w4);
    }
  }
}

}  // namespace

template <typename T>
Split<T> stockham_lanes(const ComplexPlan<T>& plan, Split<T> a, Split<T> b, int64_t lanes) {
  Split<T> x = a, y = b;
  for (const Stage& stage : plan.stages) {
    const Split<const T> in{x.re, x.im};
    switch (stage.radix) {
      case 2:
        radix2_pass(plan, stage, in, y, lanes);
        break;
      case 3:
        radix3_pass(plan, stage, in, y, lanes);
        break;
      case 4:
        radix4_pass(plan, stage, in, y, lanes);
        break;
      case 5:
        radix5_pass(plan, stage, in, y, lanes);
        break;
      default:
        FFTUNE_FAIL("fft: internal error, no pass for radix ", stage.radix);
    }
    std::swap(x, y);
  }
  return x;
}

template Split<float> stockham_lanes<float>(const ComplexPlan<float>&, Split<float>, Split<float>,
                                            int64_t);
template Split<double> stockham_lanes<double>(const ComplexPlan<double>&, Split<double>,
                                              Split<double>, int64_t);

}  // namespace fftune::cpu::fft::detail
