// ops/embedding.cpp: row lookup for indices of any shape, the scatter-add backward (repeated
// indices accumulate), gradcheck, a parallel-size backward against a serial reference, errors.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

using testing::random_tensor;

TEST(Embedding, LooksUpRows) {
  const Tensor w = from_vector<float>({0, 1, 10, 11, 20, 21, 30, 31}, {4, 2});  // (V, C) = (4, 2)
  const Tensor idx = from_vector<int64_t>({3, 0, 3, 1, 2, 2}, {2, 3});
  const Tensor y = embedding(w, idx);
  EXPECT_EQ(y.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(to_vector<float>(y),
            (std::vector<float>{30, 31, 0, 1, 30, 31, 10, 11, 20, 21, 20, 21}));
  // A 0-dim index gives one row of shape (C).
  EXPECT_EQ(to_vector<float>(embedding(w, scalar_tensor(2, DType::i64))),
            (std::vector<float>{20, 21}));
}

TEST(Embedding, BackwardAddsTheGradientOfEveryLookup) {
  const Tensor w = zeros({4, 2}, DType::f64).set_requires_grad(true);
  const Tensor idx = from_vector<int64_t>({3, 0, 3, 3}, {4});
  const Tensor g = from_vector<double>({1, 2, 3, 4, 5, 6, 7, 8}, {4, 2});
  embedding(w, idx).backward(g);
  // Row 3 collects tokens 0, 2, 3; row 0 token 1; rows 1 and 2 nothing.
  EXPECT_EQ(to_vector<double>(w.grad()), (std::vector<double>{3, 4, 0, 0, 0, 0, 13, 16}));
}

TEST(Embedding, ParallelBackwardMatchesSerialSum) {
  const int64_t V = 50, C = 300, M = 700;  // M·C above the parallel grain, C split in blocks
  const Tensor w = random_tensor({V, C}, DType::f32, 1);
  Generator gen(2);
  const Tensor idx = randint(0, V, {M}, Device::cpu(), &gen);
  const Tensor g = random_tensor({M, C}, DType::f32, 3, false);
  embedding(w, idx).backward(g);
  std::vector<double> expected(V * C, 0.0);
  const auto iv = to_vector<int64_t>(idx);
  const auto gv = to_vector<float>(g);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t c = 0; c < C; ++c) expected[iv[m] * C + c] += gv[m * C + c];
  EXPECT_ALL_CLOSE(w.grad(), from_vector<double>(expected, {V, C}), 1e-5, 1e-5);
  // And the forward rows.
  const Tensor y = embedding(w, idx);
  const auto yv = to_vector<float>(y), wv = to_vector<float>(w);
  for (int64_t m = 0; m < M; m += 37)
    for (int64_t c = 0; c < C; ++c) ASSERT_EQ(yv[m * C + c], wv[iv[m] * C + c]);
}

TEST(Embedding, Gradcheck) {
  const Tensor idx = from_vector<int64_t>({1, 4, 1, 0, 4, 4}, {2, 3});
  EXPECT_GRADCHECK([idx](const std::vector<Tensor>& in) { return embedding(in[0], idx); },
                   {random_tensor({5, 3}, DType::f64, 4)});
  // A non-contiguous weight (a transposed (C, V) leaf) and non-contiguous indices.
  const Tensor idx_t = from_vector<int64_t>({0, 1, 2, 3, 2, 1}, {2, 3}).t();
  EXPECT_GRADCHECK([idx_t](const std::vector<Tensor>& in) { return embedding(in[0].t(), idx_t); },
                   {random_tensor({3, 4}, DType::f64, 5)});
}

TEST(Embedding, Errors) {
  const Tensor w = zeros({5, 3});
  EXPECT_FFTUNE_ERROR(embedding(w, from_vector<int64_t>({0, 7, 1}, {3})),
                      "embedding: index 7 (at position 1 of the flattened indices) is out of "
                      "range for a table of 5 rows");
  EXPECT_FFTUNE_ERROR(embedding(w, from_vector<int64_t>({-1}, {1})), "index -1");
  EXPECT_FFTUNE_ERROR(embedding(w, zeros({2})), "embedding: 'indices' must be i64, got f32");
  EXPECT_FFTUNE_ERROR(embedding(zeros({5}), zeros({2}, DType::i64)),
                      "embedding: weight must be (V, C), got (5,)");
  EXPECT_FFTUNE_ERROR(embedding(zeros({5, 3}, DType::i64), zeros({2}, DType::i64)),
                      "embedding: weight must be a floating tensor");
}

}  // namespace
}  // namespace fftune
