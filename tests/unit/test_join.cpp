// ops/join.cpp: cat and stack — values (also of views and i64), gradient slicing, gradcheck,
// and errors that name the offending tensor.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::fake_device_tensor;
using testing::random_tensor;

TEST(Cat, Values) {
  Tensor a = from_vector<float>({1, 2, 3, 4}, {2, 2});
  Tensor b = from_vector<float>({5, 6}, {1, 2});
  Tensor c = from_vector<float>({7, 8, 9, 10, 11, 12}, {2, 3});
  Tensor y0 = cat({a, b}, 0);
  EXPECT_EQ(y0.shape(), (Shape{3, 2}));
  EXPECT_EQ(to_vector<float>(y0), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  Tensor y1 = cat({a, c}, -1);
  EXPECT_EQ(y1.shape(), (Shape{2, 5}));
  EXPECT_EQ(to_vector<float>(y1), (std::vector<float>{1, 2, 7, 8, 9, 3, 4, 10, 11, 12}));
  // A transposed view, a single tensor, an empty one, i64.
  EXPECT_EQ(to_vector<float>(cat({a.t(), b}, 0)), (std::vector<float>{1, 3, 2, 4, 5, 6}));
  EXPECT_EQ(to_vector<float>(cat({a}, 1)), to_vector<float>(a));
  EXPECT_EQ(to_vector<float>(cat({a, zeros({0, 2}), b}, 0)), to_vector<float>(y0));
  EXPECT_EQ(to_vector<int64_t>(cat({arange(2), arange(3)}, 0)),
            (std::vector<int64_t>{0, 1, 0, 1, 2}));
  // The output is a new tensor: writing into an input afterwards does not change it.
  Tensor x = from_vector<float>({1, 2}, {2});
  Tensor y = cat({x, x}, 0);
  x.fill_(0);
  EXPECT_EQ(to_vector<float>(y), (std::vector<float>{1, 2, 1, 2}));
}

TEST(Stack, Values) {
  Tensor a = from_vector<float>({1, 2, 3}, {3});
  Tensor b = from_vector<float>({4, 5, 6}, {3});
  Tensor y0 = stack({a, b}, 0);
  EXPECT_EQ(y0.shape(), (Shape{2, 3}));
  EXPECT_EQ(to_vector<float>(y0), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  Tensor y1 = stack({a, b}, -1);
  EXPECT_EQ(y1.shape(), (Shape{3, 2}));
  EXPECT_EQ(to_vector<float>(y1), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  // 0-dim tensors stack into a vector.
  Tensor s = stack({scalar_tensor(7), scalar_tensor(8)}, 0);
  EXPECT_EQ(s.shape(), (Shape{2}));
  EXPECT_EQ(to_vector<float>(s), (std::vector<float>{7, 8}));
  Tensor m = from_vector<float>({1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(to_vector<float>(stack({m, m.t()}, 1)), (std::vector<float>{1, 2, 1, 3, 3, 4, 2, 4}));
}

TEST(Cat, GradientIsTheMatchingSlice) {
  Tensor a = from_vector<double>({1, 2}, {1, 2}).set_requires_grad(true);
  Tensor b = from_vector<double>({3, 4, 5, 6}, {2, 2}).set_requires_grad(true);
  Tensor frozen = zeros({1, 2}, DType::f64);
  Tensor y = cat({a, frozen, b}, 0);  // (4, 2)
  EXPECT_TRUE(y.requires_grad());
  y.backward(from_vector<double>({10, 11, 12, 13, 14, 15, 16, 17}, {4, 2}));
  EXPECT_EQ(to_vector<double>(a.grad()), (std::vector<double>{10, 11}));
  EXPECT_EQ(to_vector<double>(b.grad()), (std::vector<double>{14, 15, 16, 17}));
  EXPECT_FALSE(frozen.grad().defined());
  EXPECT_FALSE(cat({frozen, frozen}, 0).requires_grad());
}

TEST(Cat, Gradcheck) {
  for (int64_t d : {0, 1, 2, -1}) {
    SCOPED_TRACE(detail::str_cat("dim ", d));
    Shape sa{2, 3, 4}, sb{2, 3, 4}, sc{2, 3, 4};
    const int64_t k = d < 0 ? d + 3 : d;
    sa[k] = 1;
    sb[k] = 2;
    sc[k] = 3;
    EXPECT_GRADCHECK(
        [d](const std::vector<Tensor>& in) {
          return cat({in[0], in[1], in[2]}, d);
        },
        {random_tensor(sa, DType::f64, 1), random_tensor(sb, DType::f64, 2),
         random_tensor(sc, DType::f64, 3)});
  }
  // Non-contiguous inputs, one frozen, an input used twice.
  const Tensor frozen = random_tensor({3, 2}, DType::f64, 4, /*requires_grad=*/false);
  EXPECT_GRADCHECK(
      [frozen](const std::vector<Tensor>& in) {
        return cat({in[0].t(), frozen, in[0].t(), in[1].slice(0, 0, 3)}, 1);
      },
      {random_tensor({4, 3}, DType::f64, 5), random_tensor({6, 5}, DType::f64, 6)});
  // Complex.
  EXPECT_GRADCHECK(
      [](const std::vector<Tensor>& in) {
        return cat({in[0], in[1]}, 0);
      },
      {random_tensor({2}, DType::c128, 7), random_tensor({3}, DType::c128, 8)});
}

TEST(Stack, Gradcheck) {
  for (int64_t d : {0, 1, 2, -1, -3}) {
    SCOPED_TRACE(detail::str_cat("dim ", d));
    EXPECT_GRADCHECK(
        [d](const std::vector<Tensor>& in) {
          return stack({in[0], in[1]}, d);
        },
        {random_tensor({2, 3}, DType::f64, 1), random_tensor({2, 3}, DType::f64, 2)});
  }
  EXPECT_GRADCHECK(
      [](const std::vector<Tensor>& in) {
        return stack({in[0].t(), in[1]}, 1);
      },
      {random_tensor({3, 2}, DType::f64, 3), random_tensor({2, 3}, DType::f64, 4)});
}

TEST(Cat, Errors) {
  EXPECT_FFTUNE_ERROR(cat({}, 0), "cat: expected a non-empty list of tensors");
  EXPECT_FFTUNE_ERROR(cat({zeros({2}), Tensor()}, 0), "cat: tensor 1 is undefined");
  EXPECT_FFTUNE_ERROR(cat({zeros({2}), scalar_tensor(1)}, 0), "cat: tensor 1 is 0-dim");
  EXPECT_FFTUNE_ERROR(cat({zeros({2}), zeros({2}), zeros({2}, DType::f64)}, 0),
                      "cat: tensor 2 has dtype f64 but tensor 0 has dtype f32");
  EXPECT_FFTUNE_ERROR(cat({zeros({2}), fake_device_tensor({2}, DType::f32, Device::cuda())}, 0),
                      "cat: tensor 1 is on cuda:0 but tensor 0 is on cpu");
  EXPECT_FFTUNE_ERROR(cat({zeros({2, 3}), zeros({2, 4})}, 0),
                      "cat: tensor 1 has shape (2, 4) but tensor 0 has shape (2, 3); shapes must "
                      "match except at dim 0");
  EXPECT_FFTUNE_ERROR(cat({zeros({2, 3}), zeros({6})}, 0),
                      "cat: tensor 1 has shape (6,) but tensor 0 has shape (2, 3)");
  EXPECT_FFTUNE_ERROR(cat({zeros({2, 3}), zeros({2, 3})}, 2), "cat: dim 2 out of range");
  EXPECT_FFTUNE_ERROR(cat({zeros({2, 3}), zeros({2, 3})}, -3), "cat: dim -3 out of range");
}

TEST(Stack, Errors) {
  EXPECT_FFTUNE_ERROR(stack({}, 0), "stack: expected a non-empty list of tensors");
  EXPECT_FFTUNE_ERROR(stack({zeros({2}), Tensor()}, 0), "stack: tensor 1 is undefined");
  EXPECT_FFTUNE_ERROR(stack({zeros({2, 3}), zeros({2, 3}), zeros({3, 2})}, 0),
                      "stack: tensor 2 has shape (3, 2) but tensor 0 has shape (2, 3)");
  EXPECT_FFTUNE_ERROR(stack({zeros({2}), zeros({2}, DType::i64)}, 0),
                      "stack: tensor 1 has dtype i64 but tensor 0 has dtype f32");
  EXPECT_FFTUNE_ERROR(stack({zeros({2}), fake_device_tensor({2}, DType::f32, Device::cuda())}, 0),
                      "stack: tensor 1 is on cuda:0");
  EXPECT_FFTUNE_ERROR(stack({zeros({2}), zeros({2})}, 2), "stack: dim 2 out of range");
  EXPECT_FFTUNE_ERROR(stack({zeros({2}), zeros({2})}, -3), "stack: dim -3 out of range");
}

}  // namespace
}  // namespace fftune
