// ops/index.cpp: index_select, gather, scatter_add — values (hand-computed, and against naive
// loops on sizes that take the threaded paths), repeated indices in backward, gradcheck, and
// errors that name the op, the bad index and the dim size.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::fake_device_tensor;
using testing::random_tensor;

Tensor idx(const std::vector<int64_t>& v, const Shape& shape) {
  return from_vector<int64_t>(v, shape);
}

// ---- index_select ----

TEST(IndexSelect, Values) {
  Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor y = index_select(x, 0, idx({2, 0, 2}, {3}));
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(to_vector<float>(y), (std::vector<float>{5, 6, 1, 2, 5, 6}));
  EXPECT_EQ(to_vector<float>(index_select(x, -1, idx({1}, {1}))), (std::vector<float>{2, 4, 6}));
  EXPECT_EQ(to_vector<float>(index_select(x.t(), 1, idx({1, 1}, {2}))),
            (std::vector<float>{3, 3, 4, 4}));
  EXPECT_EQ(index_select(x, 0, idx({}, {0})).shape(), (Shape{0, 2}));
  // Middle dim of a 3-D tensor, i64 data.
  Tensor z = arange(12).reshape({2, 3, 2});
  EXPECT_EQ(to_vector<int64_t>(index_select(z, 1, idx({2, 0}, {2}))),
            (std::vector<int64_t>{4, 5, 0, 1, 10, 11, 6, 7}));
}

TEST(IndexSelect, BackwardAddsRepeatedRows) {
  Tensor x = zeros({3, 2}, DType::f64).set_requires_grad(true);
  Tensor y = index_select(x, 0, idx({2, 0, 2}, {3}));
  y.backward(from_vector<double>({1, 2, 3, 4, 5, 6}, {3, 2}));
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{3, 4, 0, 0, 6, 8}));
}

TEST(IndexSelect, MatchesNaiveLoopsOnLargeSizes) {
  // (V, C) rows picked by many repeated indices: the embedding pattern, on the threaded paths.
  const int64_t V = 300, C = 64, N = 2000;
  Generator gen(3);
  Tensor x = randn({V, C}, DType::f32, Device::cpu(), &gen).set_requires_grad(true);
  Tensor index = randint(0, V, {N}, Device::cpu(), &gen);
  Tensor g = randn({N, C}, DType::f32, Device::cpu(), &gen);
  Tensor y = index_select(x, 0, index);
  y.backward(g);
  const auto xv = to_vector<float>(x), yv = to_vector<float>(y), gv = to_vector<float>(g);
  const auto iv = to_vector<int64_t>(index);
  std::vector<float> dx(V * C, 0.0f);
  for (int64_t j = 0; j < N; ++j)
    for (int64_t c = 0; c < C; ++c) {
      ASSERT_EQ(yv[j * C + c], xv[iv[j] * C + c]);
      dx[iv[j] * C + c] += gv[j * C + c];  // increasing j: the kernel's documented order
    }
  EXPECT_EQ(to_vector<float>(x.grad()), dx);  // bit-identical: deterministic order
}

TEST(IndexSelect, Gradcheck) {
  struct Case {
    Shape x;
    int64_t dim;
    std::vector<int64_t> index;
  };
  const std::vector<Case> cases = {{{5}, 0, {4, 0, 4, 2}},
                                   {{3, 4}, 0, {1, 1, 2}},
                                   {{3, 4}, 1, {3, 0, 3, 3, 1}},
                                   {{2, 3, 4}, 1, {2, 0}},
                                   {{2, 3, 4}, -1, {0, 0}}};
  for (const Case& c : cases) {
    SCOPED_TRACE(detail::str_cat("x ", c.x, " dim ", c.dim));
    const Tensor index = idx(c.index, {static_cast<int64_t>(c.index.size())});
    EXPECT_GRADCHECK(
        [&c, index](const std::vector<Tensor>& in) { return index_select(in[0], c.dim, index); },
        {random_tensor(c.x, DType::f64, 1)});
  }
  const Tensor index = idx({0, 2, 0}, {3});
  EXPECT_GRADCHECK(
      [index](const std::vector<Tensor>& in) { return index_select(in[0].t(), 1, index); },
      {random_tensor({3, 4}, DType::f64, 2)});
}

TEST(IndexSelect, Errors) {
  const Tensor x = zeros({3, 2});
  EXPECT_FFTUNE_ERROR(index_select(x, 0, idx({0, 3}, {2})),
                      "index_select: index 3 is out of range for dim 0 of size 3");
  EXPECT_FFTUNE_ERROR(index_select(x, 1, idx({-1}, {1})),
                      "index_select: index -1 is out of range for dim 1 of size 2");
  EXPECT_FFTUNE_ERROR(index_select(x, 0, zeros({2})), "index_select: 'index' must be i64, got f32");
  EXPECT_FFTUNE_ERROR(index_select(x, 0, idx({0, 1}, {1, 2})),
                      "index_select: index must be 1-D, got shape (1, 2)");
  EXPECT_FFTUNE_ERROR(index_select(x, 2, idx({0}, {1})), "index_select: dim 2 out of range");
  EXPECT_FFTUNE_ERROR(index_select(x, -3, idx({0}, {1})), "index_select: dim -3 out of range");
  EXPECT_FFTUNE_ERROR(index_select(scalar_tensor(1), 0, idx({0}, {1})),
                      "index_select: x must have at least one dim");
  EXPECT_FFTUNE_ERROR(index_select(x, 0, fake_device_tensor({1}, DType::i64, Device::cuda())),
                      "index_select: expected all tensors on one device");
  EXPECT_FFTUNE_ERROR(index_select(x, 0, Tensor()), "index_select: argument 'index'");
}

// ---- gather ----

TEST(Gather, Values) {
  // torch.gather's documented example.
  Tensor t = from_vector<float>({1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(to_vector<float>(gather(t, 1, idx({0, 0, 1, 0}, {2, 2}))),
            (std::vector<float>{1, 1, 4, 3}));
  EXPECT_EQ(to_vector<float>(gather(t, 0, idx({0, 1, 1, 0}, {2, 2}))),
            (std::vector<float>{1, 4, 3, 2}));
  // The index may be smaller than x off dim, and larger along dim.
  Tensor x = from_vector<float>({0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}, {3, 4});
  Tensor y = gather(x, 1, idx({3, 3, 3, 0, 1, 2}, {2, 3}));
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(to_vector<float>(y), (std::vector<float>{3, 3, 3, 10, 11, 12}));
  // A transposed x and a transposed index.
  EXPECT_EQ(to_vector<float>(gather(x.t(), 0, idx({2, 0, 1, 1}, {2, 2}))),
            (std::vector<float>{2, 10, 1, 11}));
  EXPECT_EQ(to_vector<float>(gather(t, 1, idx({1, 0, 1, 1}, {2, 2}).t())),
            (std::vector<float>{2, 2, 3, 4}));
  EXPECT_EQ(gather(x, 0, idx({}, {0, 4})).shape(), (Shape{0, 4}));
}

TEST(Gather, BackwardScatterAddsRepeatedPositions) {
  Tensor x = zeros({2, 3}, DType::f64).set_requires_grad(true);
  Tensor y = gather(x, 1, idx({2, 2, 0, 1, 1, 1}, {2, 3}));
  y.backward(from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{3, 0, 3, 0, 15, 0}));
}

TEST(Gather, Gradcheck) {
  Generator gen(5);
  struct Case {
    Shape x, index;
    int64_t dim;
  };
  const std::vector<Case> cases = {{{5}, {8}, 0},
                                   {{3, 4}, {3, 4}, 0},
                                   {{3, 4}, {2, 6}, 1},
                                   {{2, 3, 4}, {2, 5, 3}, 1},
                                   {{2, 3, 4}, {1, 2, 4}, -1}};
  for (const Case& c : cases) {
    SCOPED_TRACE(detail::str_cat("x ", c.x, " index ", c.index, " dim ", c.dim));
    const int64_t size = c.x[c.dim < 0 ? c.dim + c.x.size() : c.dim];
    const Tensor index = randint(0, size, c.index, Device::cpu(), &gen);  // with repeats
    EXPECT_GRADCHECK(
        [&c, index](const std::vector<Tensor>& in) { return gather(in[0], c.dim, index); },
        {random_tensor(c.x, DType::f64, 1)});
  }
  const Tensor index = randint(0, 3, {4, 2}, Device::cpu(), &gen);
  EXPECT_GRADCHECK([index](const std::vector<Tensor>& in) { return gather(in[0].t(), 1, index); },
                   {random_tensor({3, 4}, DType::f64, 2)});
}

TEST(Gather, Errors) {
  const Tensor x = zeros({2, 3});
  EXPECT_FFTUNE_ERROR(gather(x, 1, idx({0, 5}, {1, 2})),
                      "gather: index 5 is out of range for dim 1 of size 3");
  EXPECT_FFTUNE_ERROR(gather(x, 0, idx({-2}, {1, 1})),
                      "gather: index -2 is out of range for dim 0 of size 2");
  EXPECT_FFTUNE_ERROR(gather(x, 1, idx({0, 1}, {2})),
                      "gather: index must have as many dims as x (2), got index of shape (2,)");
  EXPECT_FFTUNE_ERROR(gather(x, 1, idx({0, 0, 0}, {3, 1})),
                      "gather: index of shape (3, 1) is larger than x of shape (2, 3) at dim 0");
  EXPECT_FFTUNE_ERROR(gather(x, 1, zeros({1, 1}, DType::f64)),
                      "gather: 'index' must be i64, got f64");
  EXPECT_FFTUNE_ERROR(gather(x, 2, idx({0}, {1, 1})), "gather: dim 2 out of range");
  EXPECT_FFTUNE_ERROR(gather(x, 0, fake_device_tensor({1, 1}, DType::i64, Device::cuda())),
                      "gather: expected all tensors on one device");
}

// ---- scatter_add ----

TEST(ScatterAdd, Values) {
  // Each column of index sends its two ones to two different rows.
  Tensor src = ones({2, 5});
  Tensor index = idx({0, 1, 2, 0, 0, 2, 0, 0, 1, 2}, {2, 5});
  Tensor x = zeros({3, 5});
  Tensor y = scatter_add(x, 0, index, src);
  EXPECT_EQ(to_vector<float>(y), (std::vector<float>{1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}));
  // Repeated targets accumulate (torch's documented example, both rows of index alike).
  EXPECT_EQ(to_vector<float>(scatter_add(x, 0, idx({0, 1, 2, 0, 0, 0, 1, 2, 0, 0}, {2, 5}), src)),
            (std::vector<float>{2, 0, 0, 2, 2, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0}));
  EXPECT_EQ(to_vector<float>(x), std::vector<float>(15, 0.0f));  // out of place
  // An index smaller than src: only src's leading block is read.
  Tensor s = from_vector<float>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {2, 5});
  Tensor y2 = scatter_add(ones({2, 3}), 1, idx({2, 2, 0}, {1, 3}), s);
  EXPECT_EQ(to_vector<float>(y2), (std::vector<float>{4, 1, 4, 1, 1, 1}));
  // Transposed src and x; i64.
  Tensor xi = arange(6).reshape({3, 2});
  Tensor si = from_vector<int64_t>({10, 20, 30, 40, 50, 60}, {2, 3});
  EXPECT_EQ(to_vector<int64_t>(scatter_add(xi.t(), 1, idx({0, 0, 2, 1, 1, 1}, {2, 3}), si)),
            (std::vector<int64_t>{30, 2, 34, 1, 153, 5}));
}

TEST(ScatterAdd, MatchesNaiveLoopsOnLargeSizes) {
  // Many collisions on the threaded path; the result must equal a serial loop in increasing
  // index position bit for bit (deterministic, no atomics).
  const int64_t B = 64, N = 3000, M = 37;
  Generator gen(9);
  for (int64_t dim : {0, 1}) {
    SCOPED_TRACE(detail::str_cat("dim ", dim));
    const Shape xs = dim == 1 ? Shape{B, M} : Shape{M, B};
    const Shape is = dim == 1 ? Shape{B, N} : Shape{N, B};
    Tensor x = randn(xs, DType::f32, Device::cpu(), &gen);
    Tensor src = randn(is, DType::f32, Device::cpu(), &gen);
    Tensor index = randint(0, M, is, Device::cpu(), &gen);
    const Tensor y = scatter_add(x, dim, index, src);
    std::vector<float> ref = to_vector<float>(x);
    const auto sv = to_vector<float>(src);
    const auto iv = to_vector<int64_t>(index);
    for (int64_t p = 0; p < N * B; ++p) {  // row-major over index: increasing position at dim
      const int64_t r = p / is[1], c = p % is[1];
      const int64_t target = dim == 1 ? r * M + iv[p] : iv[p] * B + c;
      ref[target] += sv[p];
    }
    EXPECT_EQ(to_vector<float>(y), ref);
    // gather reads back what was indexed (also threaded).
    const auto gv = to_vector<float>(gather(y, dim, index));
    const auto yv = to_vector<float>(y);
    for (int64_t p = 0; p < N * B; p += 97) {
      const int64_t r = p / is[1], c = p % is[1];
      ASSERT_EQ(gv[p], yv[dim == 1 ? r * M + iv[p] : iv[p] * B + c]);
    }
  }
}

TEST(ScatterAdd, Gradient) {
  Tensor x = zeros({2, 3}, DType::f64).set_requires_grad(true);
  Tensor src = zeros({2, 4}, DType::f64).set_requires_grad(true);
  Tensor y = scatter_add(x, 1, idx({2, 2, 0, 1, 0, 0}, {2, 3}), src);
  y.backward(from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_EQ(to_vector<double>(x.grad()), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // gather(g) where index reaches, zero in src's column 3 (never read).
  EXPECT_EQ(to_vector<double>(src.grad()), (std::vector<double>{3, 3, 1, 0, 5, 4, 4, 0}));
}

TEST(ScatterAdd, Gradcheck) {
  Generator gen(11);
  struct Case {
    Shape x, index, src;
    int64_t dim;
  };
  const std::vector<Case> cases = {{{5}, {8}, {8}, 0},
                                   {{3, 4}, {5, 4}, {5, 4}, 0},
                                   {{3, 4}, {2, 6}, {3, 7}, 1},
                                   {{2, 3, 4}, {2, 5, 3}, {2, 5, 4}, 1},
                                   {{2, 3, 4}, {1, 2, 6}, {2, 2, 6}, -1}};
  for (const Case& c : cases) {
    SCOPED_TRACE(detail::str_cat("x ", c.x, " index ", c.index, " src ", c.src, " dim ", c.dim));
    const int64_t size = c.x[c.dim < 0 ? c.dim + c.x.size() : c.dim];
    const Tensor index = randint(0, size, c.index, Device::cpu(), &gen);  // with repeats
    EXPECT_GRADCHECK(
        [&c, index](const std::vector<Tensor>& in) {
          return scatter_add(in[0], c.dim, index, in[1]);
        },
        {random_tensor(c.x, DType::f64, 1), random_tensor(c.src, DType::f64, 2)});
  }
  // Non-contiguous x and src; one frozen.
  const Tensor index = randint(0, 3, {2, 4}, Device::cpu(), &gen);
  EXPECT_GRADCHECK(
      [index](const std::vector<Tensor>& in) {
        return scatter_add(in[0].t(), 0, index, in[1].t());
      },
      {random_tensor({4, 3}, DType::f64, 3), random_tensor({4, 2}, DType::f64, 4)});
  const Tensor frozen = random_tensor({3, 4}, DType::f64, 5, /*requires_grad=*/false);
  EXPECT_GRADCHECK(
      [index, frozen](const std::vector<Tensor>& in) {
        return scatter_add(frozen, 0, index, in[0]);
      },
      {random_tensor({2, 4}, DType::f64, 6)});
}

TEST(ScatterAdd, Errors) {
  const Tensor x = zeros({2, 3}), src = ones({2, 3});
  EXPECT_FFTUNE_ERROR(scatter_add(x, 1, idx({0, 3}, {1, 2}), src),
                      "scatter_add: index 3 is out of range for dim 1 of size 3");
  EXPECT_FFTUNE_ERROR(scatter_add(x, 0, idx({-1}, {1, 1}), src),
                      "scatter_add: index -1 is out of range for dim 0 of size 2");
  EXPECT_FFTUNE_ERROR(scatter_add(x, 0, idx({0}, {1, 1}), ones({2, 3}, DType::f64)),
                      "scatter_add: expected tensors of one dtype, got f32 and f64");
  EXPECT_FFTUNE_ERROR(
      scatter_add(x, 0, idx({0, 0, 0}, {3, 1}), ones({2, 3})),
      "scatter_add: index of shape (3, 1) is larger than src of shape (2, 3) at dim 0");
  EXPECT_FFTUNE_ERROR(
      scatter_add(x, 1, idx({0, 0, 0, 0}, {1, 4}), ones({1, 3})),
      "scatter_add: index of shape (1, 4) is larger than src of shape (1, 3) at dim 1");
  EXPECT_FFTUNE_ERROR(
      scatter_add(x, 1, idx({0}, {1, 1}), ones({3})),
      "scatter_add: src must have as many dims as index (2), got src of shape (3,)");
  EXPECT_FFTUNE_ERROR(scatter_add(x, 1, zeros({1, 1}), src), "scatter_add: 'index' must be i64");
  EXPECT_FFTUNE_ERROR(scatter_add(x, -3, idx({0}, {1, 1}), src),
                      "scatter_add: dim -3 out of range");
  EXPECT_FFTUNE_ERROR(
      scatter_add(x, 0, idx({0}, {1, 1}), fake_device_tensor({2, 3}, DType::f32, Device::cuda())),
      "scatter_add: expected all tensors on one device");
  EXPECT_FFTUNE_ERROR(scatter_add(x, 0, idx({0}, {1, 1}), Tensor()), "scatter_add: argument 'src'");
}

}  // namespace
}  // namespace fftune
