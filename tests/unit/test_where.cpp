// ops/where.cpp: where and masked_fill — values, broadcasting, gradient routing, gradcheck,
// and argument errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::fake_device_tensor;
using testing::random_tensor;

// A fixed 0/1 condition of the given shape (f64), about half ones.
Tensor random_cond(const Shape& shape, uint64_t seed) {
  NoGradGuard g;
  return gt(random_tensor(shape, DType::f64, seed, false), zeros({}, DType::f64));
}

TEST(Where, Values) {
  Tensor cond = from_vector<int64_t>({1, 0, 0, 7}, {4});
  Tensor a = from_vector<float>({1, 2, 3, 4}, {4});
  Tensor b = from_vector<float>({-1, -2, -3, -4}, {4});
  EXPECT_EQ(to_vector<float>(where(cond, a, b)), (std::vector<float>{1, -2, -3, 4}));
  // A floating condition: non-zero (also negative or NaN) is true.
  Tensor fcond = from_vector<double>({0.0, -0.5, NAN, 0.0}, {4});
  EXPECT_EQ(to_vector<float>(where(fcond, a, b)), (std::vector<float>{-1, 2, 3, -4}));
  // i64 values.
  EXPECT_EQ(to_vector<int64_t>(where(cond, arange(4), zeros({}, DType::i64))),
            (std::vector<int64_t>{0, 0, 0, 3}));
}

TEST(Where, BroadcastsAllThree) {
  Tensor cond = from_vector<double>({1, 0, 1}, {3, 1});  // (3, 1)
  Tensor a = from_vector<double>({10, 20}, {1, 2});      // (1, 2)
  Tensor b = scalar_tensor(-1, DType::f64);              // ()
  Tensor y = where(cond, a, b);                          // (3, 2)
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(to_vector<double>(y), (std::vector<double>{10, 20, -1, -1, 10, 20}));
  // cond alone decides the output's rank.
  Tensor y3 = where(ones({2, 1, 1}, DType::i64), a, b);
  EXPECT_EQ(y3.shape(), (Shape{2, 1, 2}));
  // Non-contiguous operands.
  Tensor m = from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor c = from_vector<double>({1, 0, 0, 1, 1, 0}, {3, 2});
  EXPECT_EQ(to_vector<double>(where(c.t(), m, zeros({2, 3}, DType::f64))),
            (std::vector<double>{1, 0, 3, 0, 5, 0}));
}

TEST(Where, Complex) {
  Tensor a = from_vector<c128_t>({{1, 2}, {3, 4}}, {2});
  Tensor b = from_vector<c128_t>({{0, -1}, {0, -2}}, {2});
  const auto y = to_vector<c128_t>(where(from_vector<double>({0, 1}, {2}), a, b));
  EXPECT_EQ(y[0], c128_t(0, -1));
  EXPECT_EQ(y[1], c128_t(3, 4));
}

TEST(Where, GradientRouting) {
  Tensor cond = from_vector<double>({1, 0, 1}, {3, 1});
  Tensor a = from_vector<double>({1, 2}, {1, 2}).set_requires_grad(true);
  Tensor b = from_vector<double>({5}, {}).set_requires_grad(true);
  sum(where(cond, a, b)).backward();
  // a feeds rows 0 and 2 (2 uses per column); b feeds the two cells of row 1.
  EXPECT_EQ(to_vector<double>(a.grad()), (std::vector<double>{2, 2}));
  EXPECT_EQ(to_vector<double>(b.grad()), (std::vector<double>{2}));
  // A condition that requires grad gets none (it only chooses).
  Tensor c2 = from_vector<double>({1, 0}, {2}).set_requires_grad(true);
  Tensor x = from_vector<double>({3, 4}, {2}).set_requires_grad(true);
  sum(where(c2, x, zeros({2}, DType::f64))).backward();
  EXPECT_FALSE(c2.grad().defined());
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{1, 0}));
}

TEST(Where, Gradcheck) {
  struct Case {
    Shape cond, a, b;
  };
  const std::vector<Case> cases = {{{3, 4}, {3, 4}, {3, 4}},
                                   {{3, 1}, {4}, {1, 4}},
                                   {{2, 3, 4}, {3, 1}, {}},
                                   {{4}, {2, 3, 4}, {2, 1, 1}},
                                   {{}, {2, 2}, {2, 2}}};
  uint64_t seed = 10;
  for (const Case& c : cases) {
    SCOPED_TRACE(detail::str_cat("cond ", c.cond, " a ", c.a, " b ", c.b));
    const Tensor cond = random_cond(c.cond, seed++);
    EXPECT_GRADCHECK(
        [cond](const std::vector<Tensor>& in) { return where(cond, in[0], in[1]); },
        {random_tensor(c.a, DType::f64, seed++), random_tensor(c.b, DType::f64, seed++)});
  }
  // Non-contiguous inputs, one operand frozen.
  const Tensor cond = random_cond({3, 4}, 40);
  const Tensor b = random_tensor({4, 3}, DType::f64, 41, /*requires_grad=*/false);
  EXPECT_GRADCHECK(
      [cond, b](const std::vector<Tensor>& in) { return where(cond, in[0].t(), b.t()); },
      {random_tensor({4, 3}, DType::f64, 42)});
  // Complex operands.
  const Tensor cc = random_cond({2, 3}, 43);
  EXPECT_GRADCHECK([cc](const std::vector<Tensor>& in) { return where(cc, in[0], in[1]); },
                   {random_tensor({2, 3}, DType::c128, 44), random_tensor({3}, DType::c128, 45)});
}

TEST(Where, Errors) {
  const Tensor f = zeros({3});
  EXPECT_FFTUNE_ERROR(where(f, f, zeros({3}, DType::f64)), "where: expected tensors of one dtype");
  EXPECT_FFTUNE_ERROR(where(zeros({3}, DType::c64), f, f), "where: the condition must be a real");
  EXPECT_FFTUNE_ERROR(where(zeros({2}), f, f), "where: shapes (2,) and (3,) cannot be broadcast");
  EXPECT_FFTUNE_ERROR(where(f, f, zeros({4})), "where: shapes");
  EXPECT_FFTUNE_ERROR(where(Tensor(), f, f), "where: argument 'cond' is an undefined tensor");
  EXPECT_FFTUNE_ERROR(where(f, fake_device_tensor({3}, DType::f32, Device::cuda()), f),
                      "where: expected all tensors on one device");
}

TEST(MaskedFill, Values) {
  Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor mask = from_vector<int64_t>({0, 1, 0}, {3});  // broadcasts over rows
  EXPECT_EQ(to_vector<float>(masked_fill(x, mask, -9)), (std::vector<float>{1, -9, 3, 4, -9, 6}));
  EXPECT_EQ(masked_fill(x, mask, 0).shape(), x.shape());
  // -inf: the usual attention mask.
  const auto y = to_vector<double>(
      masked_fill(zeros({2}, DType::f64), from_vector<double>({1, 0}, {2}), -INFINITY));
  EXPECT_TRUE(std::isinf(y[0]) && y[0] < 0);
  EXPECT_EQ(y[1], 0.0);
  EXPECT_EQ(to_vector<int64_t>(masked_fill(arange(3), from_vector<int64_t>({1, 0, 1}, {3}), 7)),
            (std::vector<int64_t>{7, 1, 7}));
}

TEST(MaskedFill, Gradcheck) {
  for (const auto& [xs, ms] : std::vector<std::pair<Shape, Shape>>{
           {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{2, 3, 4}, {3, 1}}, {{5}, {}}}) {
    SCOPED_TRACE(detail::str_cat("x ", xs, " mask ", ms));
    const Tensor mask = random_cond(ms, 50);
    EXPECT_GRADCHECK(
        [mask](const std::vector<Tensor>& in) { return masked_fill(in[0], mask, 2.5); },
        {random_tensor(xs, DType::f64, 51)});
  }
  const Tensor mask = random_cond({3, 4}, 52);
  EXPECT_GRADCHECK(
      [mask](const std::vector<Tensor>& in) { return masked_fill(in[0].t(), mask.t(), -1); },
      {random_tensor({3, 4}, DType::f64, 53)});
  // The filled cells get no gradient.
  Tensor x = from_vector<double>({1, 2, 3}, {3}).set_requires_grad(true);
  sum(masked_fill(x, from_vector<double>({0, 1, 0}, {3}), 4)).backward();
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{1, 0, 1}));
}

TEST(MaskedFill, Errors) {
  EXPECT_FFTUNE_ERROR(masked_fill(zeros({3}), zeros({2, 3}), 1),
                      "masked_fill: mask of shape (2, 3) does not broadcast to x's shape (3,)");
  EXPECT_FFTUNE_ERROR(masked_fill(zeros({3}), zeros({2}), 1), "masked_fill: shapes");
  EXPECT_FFTUNE_ERROR(masked_fill(zeros({3}), zeros({3}, DType::c64), 1),
                      "masked_fill: the mask must be a real tensor");
  EXPECT_FFTUNE_ERROR(
      masked_fill(zeros({3}), fake_device_tensor({3}, DType::f32, Device::cuda()), 1),
      "masked_fill: expected all tensors on one device");
  EXPECT_FFTUNE_ERROR(masked_fill(Tensor(), zeros({3}), 1), "masked_fill: argument 'x'");
}

}  // namespace
}  // namespace fftune
