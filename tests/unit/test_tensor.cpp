// core/tensor: storage, views, contiguous, broadcasting, factories, random, printing.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>

#include "tests/support/test_support.h"

#if FFTUNE_WITH_CUDA
#include "ops/cuda/device.h"
#endif

namespace fftune {
namespace {

TEST(Tensor, FactoriesHaveShapeDtypeAndValues) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dtype(), DType::f32);
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(to_vector<float>(z), std::vector<float>(6, 0.f));
  EXPECT_EQ(to_vector<double>(full({2}, 2.5, DType::f64)), (std::vector<double>{2.5, 2.5}));
  EXPECT_EQ(to_vector<int64_t>(arange(4)), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(to_vector<float>(arange(0.0, 1.0, 0.25)), (std::vector<float>{0, .25f, .5f, .75f}));
  EXPECT_EQ(scalar_tensor(3.0).dim(), 0);
  EXPECT_EQ(scalar_tensor(3.0).item<float>(), 3.f);
  EXPECT_FFTUNE_ERROR(from_vector<float>({1, 2, 3}, {2, 2}), "do not fill shape");
  EXPECT_FFTUNE_ERROR(zeros({2}).item(), "one element");
  EXPECT_FFTUNE_ERROR(zeros({2}).data<double>(), "dtype f32");
}

TEST(Tensor, StorageIs64ByteAligned) {
  for (int n : {1, 3, 17, 1000}) {
    Tensor t = empty({n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
  }
}

TEST(Tensor, ViewsShareStorageAndVersion) {
  Tensor x = from_vector<float>({0, 1, 2, 3, 4, 5}, {2, 3});
  Tensor t = x.t();
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(to_vector<float>(t), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(t.storage(), x.storage());
  const uint64_t v = x.version();
  t.fill_(7);
  EXPECT_EQ(x.version(), v + 1);
  EXPECT_EQ(to_vector<float>(x), std::vector<float>(6, 7.f));
}

TEST(Tensor, ReshapeViewAndCopy) {
  Tensor x = arange(24).reshape({2, 3, 4});
  EXPECT_EQ(x.reshape({6, -1}).shape(), (Shape{6, 4}));
  EXPECT_EQ(x.reshape({6, -1}).storage(), x.storage());  // a view
  Tensor p = x.permute({2, 1, 0});                       // (4, 3, 2), strides (1, 4, 12)
  EXPECT_FFTUNE_ERROR(p.view({4, 6}), "not compatible");
  Tensor r = p.reshape({4, 6});  // needs a copy
  EXPECT_NE(r.storage(), x.storage());
  EXPECT_EQ(to_vector<int64_t>(r)[1], 12);  // element (0, 0, 1) of p is x[1, 0, 0]
  // Merging dims that stay contiguous among themselves is still a view.
  EXPECT_EQ(x.permute({2, 0, 1}).view({4, 6}).storage(), x.storage());
  EXPECT_FFTUNE_ERROR(x.reshape({5, -1}), "invalid for a tensor of 24");
  EXPECT_FFTUNE_ERROR(x.reshape({-1, -1}), "only one dimension");
  // A view of a transposed tensor that keeps the split dims intact needs no copy.
  Tensor q = arange(24).reshape({4, 6}).t();  // (6, 4), strides (1, 6)
  EXPECT_EQ(q.view({2, 3, 4}).storage(), q.storage());
}

TEST(Tensor, SliceNarrowSelectExpandSqueeze) {
  Tensor x = arange(12).reshape({3, 4});
  EXPECT_EQ(to_vector<int64_t>(x.narrow(1, 1, 2)), (std::vector<int64_t>{1, 2, 5, 6, 9, 10}));
  EXPECT_EQ(to_vector<int64_t>(x.slice(1, 0, 4, 2)), (std::vector<int64_t>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(to_vector<int64_t>(x.slice(0, -1, 3)), (std::vector<int64_t>{8, 9, 10, 11}));
  EXPECT_EQ(to_vector<int64_t>(x.select(1, -1)), (std::vector<int64_t>{3, 7, 11}));
  EXPECT_EQ(to_vector<int64_t>(arange(3).reshape({3, 1}).expand({3, 2})),
            (std::vector<int64_t>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(arange(3).expand({2, -1}).strides(), (Shape{0, 1}));
  EXPECT_EQ(x.unsqueeze(0).shape(), (Shape{1, 3, 4}));
  EXPECT_EQ(x.unsqueeze(-1).shape(), (Shape{3, 4, 1}));
  EXPECT_EQ(x.unsqueeze(0).squeeze(0).shape(), (Shape{3, 4}));
  EXPECT_FFTUNE_ERROR(x.narrow(1, 3, 2), "outside dim 1");
  EXPECT_FFTUNE_ERROR(x.select(0, 3), "out of range");
  EXPECT_FFTUNE_ERROR(x.expand({3, 5}), "cannot expand");
  EXPECT_FFTUNE_ERROR(x.transpose(0, 2), "out of range");
  EXPECT_FFTUNE_ERROR(x.permute({0, 0}), "appears twice");
}

TEST(Tensor, ContiguousCloneAndConversions) {
  Tensor x = from_vector<float>({1.5f, -2.f, 3.f, 4.f}, {2, 2});
  Tensor t = x.t().contiguous();
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(to_vector<float>(t), (std::vector<float>{1.5f, 3.f, -2.f, 4.f}));
  EXPECT_TRUE(x.contiguous().is_same(x));
  Tensor c = x.clone();
  EXPECT_NE(c.storage(), x.storage());
  EXPECT_EQ(to_vector<double>(x.to(DType::f64)), (std::vector<double>{1.5, -2, 3, 4}));
  EXPECT_EQ(to_vector<int64_t>(x.to(DType::i64)), (std::vector<int64_t>{1, -2, 3, 4}));
  EXPECT_EQ(to_vector<c64_t>(x.to(DType::c64))[1], c64_t(-2.f, 0.f));
  Tensor dst = zeros({2, 2});
  dst.copy_(from_vector<double>({1, 2}, {2}));  // broadcast and convert
  EXPECT_EQ(to_vector<float>(dst), (std::vector<float>{1, 2, 1, 2}));
  EXPECT_FFTUNE_ERROR(dst.copy_(zeros({3})), "copy_: shapes");
#if FFTUNE_WITH_CUDA
  // Built with CUDA, on a machine without a GPU (CI): the error says exactly that.
  if (!cuda::device_present())
    EXPECT_FFTUNE_ERROR(zeros({2}).to(Device::cuda()), "no CUDA device present");
#else
  EXPECT_FFTUNE_ERROR(zeros({2}).to(Device::cuda()), "no allocator for device cuda:0");
#endif
}

TEST(Tensor, Broadcasting) {
  EXPECT_EQ(broadcast_shapes({3, 1, 5}, {4, 1}, "t"), (Shape{3, 4, 5}));
  EXPECT_EQ(broadcast_shapes({}, {2, 3}, "t"), (Shape{2, 3}));
  EXPECT_FFTUNE_ERROR(broadcast_shapes({3, 2}, {3}, "myop"), "myop: shapes (3, 2) and (3,)");
}

TEST(Random, PhiloxIsDeterministicPerSeedAndStream) {
  Generator a(42), b(42), c(43);
  Tensor x = rand({1000}, DType::f32, Device::cpu(), &a);
  Tensor y = rand({1000}, DType::f32, Device::cpu(), &b);
  Tensor z = rand({1000}, DType::f32, Device::cpu(), &c);
  EXPECT_EQ(to_vector<float>(x), to_vector<float>(y));
  EXPECT_NE(to_vector<float>(x), to_vector<float>(z));
  // The next draw from the same generator uses a fresh stream.
  EXPECT_NE(to_vector<float>(rand({1000}, DType::f32, Device::cpu(), &a)), to_vector<float>(x));
  for (float v : to_vector<float>(x)) {
    EXPECT_GE(v, 0.f);
    EXPECT_LT(v, 1.f);
  }
}

TEST(Random, DistributionsHaveTheRightMoments) {
  Generator g(7);
  const std::vector<double> n = to_vector<double>(randn({200000}, DType::f64, Device::cpu(), &g));
  double m = 0, s = 0;
  for (double v : n) m += v;
  m /= n.size();
  for (double v : n) s += (v - m) * (v - m);
  s /= n.size();
  EXPECT_NEAR(m, 0.0, 0.01);
  EXPECT_NEAR(s, 1.0, 0.01);
  const std::vector<int64_t> r = to_vector<int64_t>(randint(-3, 5, {10000}, Device::cpu(), &g));
  std::set<int64_t> seen(r.begin(), r.end());
  EXPECT_EQ(seen, (std::set<int64_t>{-3, -2, -1, 0, 1, 2, 3, 4}));
  std::vector<int64_t> perm = to_vector<int64_t>(randperm(100, Device::cpu(), &g));
  std::set<int64_t> uniq(perm.begin(), perm.end());
  EXPECT_EQ(uniq.size(), 100u);
  EXPECT_EQ(*uniq.begin(), 0);
  EXPECT_EQ(*uniq.rbegin(), 99);
}

TEST(Tensor, Printing) {
  const std::string s = from_vector<float>({1, 2, 3, 4}, {2, 2}).to_string();
  EXPECT_NE(s.find("shape=(2, 2)"), std::string::npos) << s;
  EXPECT_NE(s.find("[[1, 2],\n [3, 4]]"), std::string::npos) << s;
  const std::string big = zeros({2000}).to_string();
  EXPECT_NE(big.find("..."), std::string::npos);
  EXPECT_LT(big.size(), 200u);
}

}  // namespace
}  // namespace fftune
