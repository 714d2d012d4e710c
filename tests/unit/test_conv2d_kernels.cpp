// cpu::conv2d_* against a naive direct convolution (several strides, paddings, odd sizes, the ViT
// patch-embedding form, a batch split into im2col chunks), and a finite-difference check of the
// two backward kernels in double.
#include "ops/cpu/conv2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace fftune::cpu {
namespace {

template <typename T>
std::vector<T> random_vector(int64_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> v(static_cast<size_t>(size));
  for (auto& x : v) x = static_cast<T>(dist(gen));
  return v;
}

std::string describe(const Conv2dShape& s) {
  return "N=" + std::to_string(s.batch) + " C=" + std::to_string(s.in_channels) +
         " H=" + std::to_string(s.height) + " W=" + std::to_string(s.width) +
         " O=" + std::to_string(s.out_channels) + " K=" + std::to_string(s.kernel_h) + "x" +
         std::to_string(s.kernel_w) + " stride=" + std::to_string(s.stride_h) + "x" +
         std::to_string(s.stride_w) + " pad=" + std::to_string(s.pad_h) + "x" +
         std::to_string(s.pad_w);
}

int64_t in_size(const Conv2dShape& s) {
  return s.batch * s.in_channels * s.height * s.width;
}
int64_t out_size(const Conv2dShape& s) {
  return s.batch * s.out_channels * s.out_h() * s.out_w();
}
int64_t weight_size(const Conv2dShape& s) {
  return s.out_channels * s.in_channels * s.kernel_h * s.kernel_w;
}

// Naive direct convolution in double. Calls f(n, o, oh, ow, c, ih, iw, kh, kw) for every product
// term in[n,c,ih,iw] · weight[o,c,kh,kw] that contributes to out[n,o,oh,ow].
template <typename F>
void for_each_term(const Conv2dShape& s, F f) {
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t o = 0; o < s.out_channels; ++o)
      for (int64_t oh = 0; oh < s.out_h(); ++oh)
        for (int64_t ow = 0; ow < s.out_w(); ++ow)
          for (int64_t c = 0; c < s.in_channels; ++c)
            for (int64_t kh = 0; kh < s.kernel_h; ++kh)
              for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
                int64_t ih = oh * s.stride_h - s.pad_h + kh, iw = ow * s.stride_w - s.pad_w + kw;
                if (ih >= 0 && ih < s.height && iw >= 0 && iw < s.width)
                  f(((n * s.out_channels + o) * s.out_h() + oh) * s.out_w() + ow,
                    ((n * s.in_channels + c) * s.height + ih) * s.width + iw,
                    ((o * s.in_channels + c) * s.kernel_h + kh) * s.kernel_w + kw);
              }
}

template <typename T>
void expect_close(const std::vector<T>& got, const std::vector<double>& ref,
                  const std::vector<double>& mag, const std::string& what) {
  ASSERT_EQ(got.size(), ref.size());
  const double eps = std::numeric_limits<T>::epsilon();
  for (size_t i = 0; i < ref.size(); ++i)
    ASSERT_NEAR(got[i], ref[i], 16 * eps * (mag[i] + 1)) << what << " at " << i;
}

template <typename T>
void check_against_naive(const Conv2dShape& s, bool with_bias) {
  const std::string what = describe(s) + (with_bias ? " bias" : "");
  auto in = random_vector<T>(in_size(s), 1);
  auto weight = random_vector<T>(weight_size(s), 2);
  auto bias = random_vector<T>(s.out_channels, 3);
  auto dout = random_vector<T>(out_size(s), 4);
  const int64_t P = s.out_h() * s.out_w();

  std::vector<double> out_ref(out_size(s), 0.0), out_mag(out_size(s), 0.0);
  std::vector<double> din_ref(in_size(s), 0.0), din_mag(in_size(s), 0.0);
  std::vector<double> dw_ref(weight_size(s), 0.0), dw_mag(weight_size(s), 0.0);
  for_each_term(s, [&](int64_t oi, int64_t ii, int64_t wi) {
    out_ref[oi] += double(in[ii]) * weight[wi];
    out_mag[oi] += std::abs(double(in[ii]) * weight[wi]);
    din_ref[ii] += double(dout[oi]) * weight[wi];
    din_mag[ii] += std::abs(double(dout[oi]) * weight[wi]);
    dw_ref[wi] += double(dout[oi]) * in[ii];
    dw_mag[wi] += std::abs(double(dout[oi]) * in[ii]);
  });
  std::vector<double> db_ref(s.out_channels, 0.0), db_mag(s.out_channels, 0.0);
  for (int64_t i = 0; i < out_size(s); ++i) {
    const int64_t o = (i / P) % s.out_channels;
    if (with_bias) out_ref[i] += bias[o], out_mag[i] += std::abs(double(bias[o]));
    db_ref[o] += dout[i];
    db_mag[o] += std::abs(double(dout[i]));
  }

  // Outputs start as NaN: every kernel must overwrite, never accumulate into, its output.
  const T nan = std::numeric_limits<T>::quiet_NaN();
  std::vector<T> out(out_size(s), nan), din(in_size(s), nan), dw(weight_size(s), nan),
      db(s.out_channels, nan);
  conv2d_forward(out.data(), in.data(), weight.data(), with_bias ? bias.data() : nullptr, s);
  expect_close(out, out_ref, out_mag, "forward " + what);
  conv2d_backward_input(din.data(), dout.data(), weight.data(), s);
  expect_close(din, din_ref, din_mag, "backward_input " + what);
  conv2d_backward_weight(dw.data(), with_bias ? db.data() : nullptr, dout.data(), in.data(), s);
  expect_close(dw, dw_ref, dw_mag, "backward_weight " + what);
  if (with_bias) expect_close(db, db_ref, db_mag, "backward bias " + what);
}

// {N, C, H, W, O, KH, KW, stride_h, stride_w, pad_h, pad_w}
const Conv2dShape kShapes[] = {
    {2, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1},  // same-size 3×3
    {1, 2, 8, 8, 3, 3, 3, 2, 2, 0, 0},  // strided, kernel does not tile the image
    {3, 1, 5, 4, 2, 2, 3, 1, 2, 1, 0},  // rectangular kernel, mixed strides/paddings
    {2, 3, 6, 7, 5, 1, 1, 1, 1, 0, 0},  // 1×1
    {1, 2, 5, 5, 2, 5, 5, 1, 1, 2, 2},  // kernel as large as the image
    {2, 4, 9, 7, 3, 3, 2, 3, 2, 1, 1},  // odd sizes, stride 3
    {2, 2, 4, 5, 3, 3, 3, 1, 1, 3, 2},  // padding larger than needed: border outputs see zeros
    {2, 3, 32, 32, 16, 16, 16, 16, 16, 0, 0},  // the ViT patch embedding (3 → C, 16×16, stride 16)
};

TEST(Conv2dKernels, FloatMatchesNaive) {
  for (const auto& s : kShapes) {
    check_against_naive<float>(s, true);
    check_against_naive<float>(s, false);
  }
}

TEST(Conv2dKernels, DoubleMatchesNaive) {
  for (const auto& s : kShapes) {
    check_against_naive<double>(s, true);
    check_against_naive<double>(s, false);
  }
}

// One image's column matrix here has 256·129·129 > 2^22 elements, so the batch of 4 is processed
// in two im2col chunks (3 + 1 images).
TEST(Conv2dKernels, BatchSplitIntoChunks) {
  check_against_naive<float>({4, 4, 136, 136, 2, 8, 8, 1, 1, 0, 0}, true);
}

TEST(Conv2dKernels, OutputShape) {
  Conv2dShape s{1, 3, 224, 224, 768, 16, 16, 16, 16, 0, 0};
  EXPECT_EQ(s.out_h(), 14);
  EXPECT_EQ(s.out_w(), 14);
  Conv2dShape t{1, 1, 7, 9, 1, 3, 2, 2, 3, 1, 0};
  EXPECT_EQ(t.out_h(), 4);  // (7 + 2 - 3) / 2 + 1
  EXPECT_EQ(t.out_w(), 3);  // (9 - 2) / 3 + 1
}

TEST(Conv2dKernels, BadShapesThrow) {
  std::vector<float> buf(1024);
  Conv2dShape too_big{1, 1, 4, 4, 1, 5, 5, 1, 1, 0, 0};
  EXPECT_THROW(conv2d_forward(buf.data(), buf.data(), buf.data(),
                              static_cast<const float*>(nullptr), too_big),
               Error);
  Conv2dShape zero_stride{1, 1, 4, 4, 1, 3, 3, 0, 1, 0, 0};
  EXPECT_THROW(conv2d_backward_input(buf.data(), buf.data(), buf.data(), zero_stride), Error);
  Conv2dShape negative_pad{1, 1, 4, 4, 1, 3, 3, 1, 1, -1, 0};
  EXPECT_THROW(conv2d_backward_weight(buf.data(), buf.data(), buf.data(), buf.data(), negative_pad),
               Error);
}

// Finite differences in double: with L = Σ out ⊙ G, the backward kernels fed dout = G must give
// ∂L/∂in, ∂L/∂weight and ∂L/∂bias, compared with central differences on every element.
TEST(Conv2dKernels, BackwardMatchesFiniteDifferences) {
  const Conv2dShape shapes[] = {{2, 2, 5, 6, 3, 3, 2, 2, 1, 1, 1},
                                {1, 3, 8, 8, 2, 4, 4, 4, 4, 0, 0}};
  for (const auto& s : shapes) {
    auto in = random_vector<double>(in_size(s), 11);
    auto weight = random_vector<double>(weight_size(s), 12);
    auto bias = random_vector<double>(s.out_channels, 13);
    auto g = random_vector<double>(out_size(s), 14);
    auto loss = [&] {
      std::vector<double> out(out_size(s));
      conv2d_forward(out.data(), in.data(), weight.data(), bias.data(), s);
      double l = 0.0;
      for (size_t i = 0; i < out.size(); ++i) l += out[i] * g[i];
      return l;
    };
    std::vector<double> din(in_size(s)), dw(weight_size(s)), db(s.out_channels);
    conv2d_backward_input(din.data(), g.data(), weight.data(), s);
    conv2d_backward_weight(dw.data(), db.data(), g.data(), in.data(), s);
    const double h = 1e-6;
    auto check = [&](std::vector<double>& x, const std::vector<double>& grad, const char* name) {
      for (size_t i = 0; i < x.size(); ++i) {
        const double saved = x[i];
        x[i] = saved + h;
        const double up = loss();
        x[i] = saved - h;
        const double down = loss();
        x[i] = saved;
        ASSERT_NEAR(grad[i], (up - down) / (2 * h), 1e-5 + 1e-3 * std::abs(grad[i]))
            << name << "[" << i << "] " << describe(s);
      }
    };
    check(in, din, "din");
    check(weight, dw, "dweight");
    check(bias, db, "dbias");
  }
}

}  // namespace
}  // namespace fftune::cpu
