// ops/reduce.cpp: sum, mean, var over dims with keepdim, and their gradients.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

TEST(Reduce, SumMeanVarValues) {
  Tensor x = arange(0.0, 24.0, 1.0, DType::f64).reshape({2, 3, 4});
  EXPECT_EQ(sum(x).item<double>(), 276);
  EXPECT_EQ(sum(x, {0, 2}).shape(), (Shape{3}));
  EXPECT_EQ(to_vector<double>(sum(x, {0, 2})), (std::vector<double>{60, 92, 124}));
  EXPECT_EQ(sum(x, {1}, true).shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(to_vector<double>(sum(x, {-1}))[0], 6);
  EXPECT_EQ(to_vector<double>(sum(x, {0}))[0], 12);  // leading-block path
  EXPECT_EQ(to_vector<double>(mean(x, {2}))[0], 1.5);
  EXPECT_NEAR(to_vector<double>(var(x, {2}))[0], 1.6666666666666667, 1e-12);
  EXPECT_NEAR(to_vector<double>(var(x, {2}, 0))[0], 1.25, 1e-12);
  EXPECT_EQ(sum(arange(5)).item<int64_t>(), 10);
  EXPECT_EQ(sum(x.permute({2, 0, 1}), {1}).shape(), (Shape{4, 3}));
  EXPECT_EQ(to_vector<double>(sum(x.permute({2, 0, 1}), {1}))[0], 12);  // non-contiguous path
  EXPECT_FFTUNE_ERROR(sum(x, {3}), "out of range");
  EXPECT_FFTUNE_ERROR(sum(x, {1, 1}), "appears twice");
  EXPECT_FFTUNE_ERROR(var(ones({1}), {}), "degrees of freedom");
}

TEST(Reduce, LongRowsSplitAcrossThreadsStayAccurate) {
  Tensor x = ones({1 << 20});
  EXPECT_EQ(sum(x).item<float>(), 1048576.f);
}

TEST(Reduce, Gradcheck) {
  Tensor x = random_tensor({2, 3, 4}, DType::f64, 9);
  for (std::vector<int64_t> dims : {std::vector<int64_t>{}, {0}, {1}, {2}, {0, 2}}) {
    for (bool keepdim : {false, true}) {
      EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return sum(in[0], dims, keepdim); },
                       {x});
      EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return mean(in[0], dims, keepdim); },
                       {x});
      EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return var(in[0], dims, 1, keepdim); },
                       {x});
    }
  }
  EXPECT_GRADCHECK([](const std::vector<Tensor>& in) { return sum(in[0].t(), {1}); },
                   {random_tensor({3, 5}, DType::f64, 10)});
}

TEST(Views, Gradcheck) {
  Tensor x = random_tensor({2, 3, 4}, DType::f64, 11);
  auto check = [&](std::function<Tensor(const Tensor&)> f) {
    EXPECT_GRADCHECK([f](const std::vector<Tensor>& in) { return mul(f(in[0]), f(in[0])); }, {x});
  };
  check([](const Tensor& t) { return t.reshape({6, 4}); });
  check([](const Tensor& t) { return t.permute({2, 0, 1}); });
  check([](const Tensor& t) { return t.transpose(0, 2).reshape({-1}); });
  check([](const Tensor& t) { return t.narrow(2, 1, 2); });
  check([](const Tensor& t) { return t.slice(1, 0, 3, 2); });
  check([](const Tensor& t) { return t.select(1, 2); });
  check([](const Tensor& t) { return t.unsqueeze(1).expand({2, 5, 3, 4}); });
  check([](const Tensor& t) { return t.unsqueeze(0).squeeze(0); });
  check([](const Tensor& t) { return t.contiguous().clone().to(DType::c128).to(DType::f64); });
}

}  // namespace
}  // namespace fftune
