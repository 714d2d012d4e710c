// cpu::gemm and cpu::gemm_batched against a naive triple loop: every transpose combination,
// non-square sizes, padded leading dimensions, alpha/beta, sizes of 1 and 0, broadcast batches,
// both library paths (small matrices go to BLIS, large f32 ones to oneDNN), float and double.
#include "ops/cpu/gemm.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/threading.h"

namespace fftune::cpu {
namespace {

struct Case {
  int64_t m, n, k;
};

// Small (BLIS), degenerate, and large enough for the threaded oneDNN path (m·n·k >= 2^21).
const Case kCases[] = {{1, 1, 1},    {1, 7, 5},    {7, 1, 5},      {5, 7, 1},
                       {37, 29, 53}, {64, 33, 17}, {160, 150, 130}};

template <typename T>
std::vector<T> random_vector(int64_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> v(static_cast<size_t>(size));
  for (auto& x : v) x = static_cast<T>(dist(gen));
  return v;
}

// Checks C against alpha·op(A)·op(B) + beta·C0 computed in double, with a tolerance scaled by
// the magnitudes summed (the rounding error of a length-k dot product).
template <typename T>
void expect_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
                 int64_t lda, const T* b, int64_t ldb, T beta, const T* c0, const T* c, int64_t ldc,
                 const std::string& what) {
  const double eps = std::numeric_limits<T>::epsilon();
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0.0, mag = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        double x = ta ? a[p * lda + i] : a[i * lda + p];
        double y = tb ? b[j * ldb + p] : b[p * ldb + j];
        sum += x * y;
        mag += std::abs(x * y);
      }
      double ref = double(alpha) * sum, scale = std::abs(double(alpha)) * mag;
      if (beta != T(0)) {
        ref += double(beta) * c0[i * ldc + j];
        scale += std::abs(double(beta) * c0[i * ldc + j]);
      }
      ASSERT_NEAR(c[i * ldc + j], ref, 4 * eps * (scale + 1) * std::sqrt(double(k) + 1))
          << what << " at (" << i << ", " << j << ")";
    }
  }
}

template <typename T>
void check_gemm(bool ta, bool tb, Case cs, int64_t pad, T alpha, T beta) {
  const auto [m, n, k] = cs;
  const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k;
  const int64_t b_rows = tb ? n : k, b_cols = tb ? k : n;
  const int64_t lda = a_cols + pad, ldb = b_cols + pad, ldc = n + pad;
  auto a = random_vector<T>(a_rows * lda, 1);
  auto b = random_vector<T>(b_rows * ldb, 2);
  auto c0 = random_vector<T>(m * ldc, 3);
  // beta == 0 must not read C: NaNs there must not leak into the result.
  if (beta == T(0)) c0.assign(c0.size(), std::numeric_limits<T>::quiet_NaN());
  auto c = c0;
  gemm(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
  std::string what = "ta=" + std::to_string(ta) + " tb=" + std::to_string(tb) +
                     " m=" + std::to_string(m) + " n=" + std::to_string(n) +
                     " k=" + std::to_string(k) + " pad=" + std::to_string(pad);
  expect_gemm(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c0.data(), c.data(), ldc,
              what);
  // The padding columns of C are never written.
  if (beta == T(0)) return;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = n; j < ldc; ++j) {
      ASSERT_EQ(c[i * ldc + j], c0[i * ldc + j]) << what;
    }
  }
}

template <typename T>
void check_all_cases() {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const Case& cs : kCases) {
        check_gemm<T>(ta, tb, cs, 0, T(1), T(0));
        check_gemm<T>(ta, tb, cs, 3, T(1.5), T(-0.5));
        check_gemm<T>(ta, tb, cs, 1, T(-2), T(0));
      }
}

TEST(Gemm, FloatMatchesNaive) {
  check_all_cases<float>();
}
TEST(Gemm, DoubleMatchesNaive) {
  check_all_cases<double>();
}

TEST(Gemm, KZeroScalesC) {
  std::vector<float> c = {1, 2, 3, 4, 5, 6};
  gemm(false, false, 2, 3, 0, 1.0f, nullptr, 1, nullptr, 3, 2.0f, c.data(), 3);
  EXPECT_EQ(c, (std::vector<float>{2, 4, 6, 8, 10, 12}));
  std::vector<double> d(6, std::numeric_limits<double>::quiet_NaN());
  gemm(true, true, 2, 3, 0, 1.0, nullptr, 2, nullptr, 1, 0.0, d.data(), 3);
  EXPECT_EQ(d, std::vector<double>(6, 0.0));
}

TEST(Gemm, EmptyOutputIsANoOp) {
  std::vector<float> c = {7};
  gemm(false, false, 0, 1, 4, 1.0f, nullptr, 4, nullptr, 1, 0.0f, c.data(), 1);
  gemm(false, false, 1, 0, 4, 1.0f, nullptr, 4, nullptr, 1, 0.0f, c.data(), 1);
  EXPECT_EQ(c[0], 7.0f);
}

TEST(Gemm, BadArgumentsThrow) {
  std::vector<float> a(64), b(64), c(64);
  // A is 4×8 (m×k): lda must be at least 8.
  EXPECT_THROW(gemm(false, false, 4, 4, 8, 1.0f, a.data(), 7, b.data(), 4, 0.0f, c.data(), 4),
               Error);
  // trans_a: A is stored 8×4 (k×m), so lda = 4 is enough.
  EXPECT_NO_THROW(gemm(true, false, 4, 4, 8, 1.0f, a.data(), 4, b.data(), 4, 0.0f, c.data(), 4));
  EXPECT_THROW(gemm(false, true, 4, 4, 8, 1.0f, a.data(), 8, b.data(), 4, 0.0f, c.data(), 4),
               Error);
  EXPECT_THROW(gemm(false, false, 4, 4, 8, 1.0f, a.data(), 8, b.data(), 4, 0.0f, c.data(), 3),
               Error);
  EXPECT_THROW(gemm(false, false, -1, 4, 8, 1.0f, a.data(), 8, b.data(), 4, 0.0f, c.data(), 4),
               Error);
  EXPECT_THROW(gemm_batched(false, false, 2, 2, 2, 2, 1.0f, a.data(), 2, 4, b.data(), 2, 4, 0.0f,
                            c.data(), 2, 0),
               Error);
  try {
    gemm(false, false, 4, 4, 8, 1.0f, a.data(), 7, b.data(), 4, 0.0f, c.data(), 4);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gemm: lda=7"), std::string::npos) << e.what();
  }
}

// Batched: each matrix against the naive loop; stride 0 broadcasts A or B. Batches of 3 large
// matrices take the library-threaded path, the others the loop over the batch.
template <typename T>
void check_batched(bool ta, bool tb, int64_t batch, Case cs, bool broadcast_a, bool broadcast_b) {
  const auto [m, n, k] = cs;
  const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k;
  const int64_t b_rows = tb ? n : k, b_cols = tb ? k : n;
  const int64_t lda = a_cols + 1, ldb = b_cols, ldc = n + 2;
  const int64_t sa = broadcast_a ? 0 : a_rows * lda + 5, sb = broadcast_b ? 0 : b_rows * ldb;
  const int64_t sc = m * ldc + 3;
  auto a = random_vector<T>(a_rows * lda + (batch - 1) * sa, 4);
  auto b = random_vector<T>(b_rows * ldb + (batch - 1) * sb, 5);
  auto c0 = random_vector<T>(batch * sc, 6);
  auto c = c0;
  const T alpha = T(0.75), beta = T(0.25);
  gemm_batched(ta, tb, batch, m, n, k, alpha, a.data(), lda, sa, b.data(), ldb, sb, beta, c.data(),
               ldc, sc);
  for (int64_t i = 0; i < batch; ++i) {
    expect_gemm(ta, tb, m, n, k, alpha, a.data() + i * sa, lda, b.data() + i * sb, ldb, beta,
                c0.data() + i * sc, c.data() + i * sc, ldc,
                "batch item " + std::to_string(i) + " of " + std::to_string(batch));
    // The gap between consecutive C matrices is untouched.
    if (i + 1 == batch) continue;
    for (int64_t g = m * ldc; g < sc; ++g) {
      ASSERT_EQ(c[i * sc + g], c0[i * sc + g]);
    }
  }
}

template <typename T>
void check_all_batched() {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      check_batched<T>(ta, tb, 1, {5, 6, 7}, false, false);
      check_batched<T>(ta, tb, 16, {13, 9, 11}, false, false);
      check_batched<T>(ta, tb, 16, {13, 9, 11}, true, false);
      check_batched<T>(ta, tb, 9, {12, 10, 8}, false, true);
      check_batched<T>(ta, tb, 3, {140, 130, 120}, true, false);
      check_batched<T>(ta, tb, 10, {140, 130, 120}, false, false);
    }
}

TEST(GemmBatched, FloatMatchesNaive) {
  check_all_batched<float>();
}
TEST(GemmBatched, DoubleMatchesNaive) {
  check_all_batched<double>();
}

TEST(GemmBatched, ZeroBatchIsANoOp) {
  gemm_batched(false, false, 0, 2, 2, 2, 1.0f, nullptr, 2, 4, nullptr, 2, 4, 0.0f, nullptr, 2, 4);
}

// Calls from inside an OpenMP region (each thread its own GEMM) and with one thread.
TEST(Gemm, CorrectInsideParallelRegionAndOnOneThread) {
  const Case cs = {150, 140, 130};
  auto a = random_vector<float>(cs.m * cs.k, 7);
  auto b = random_vector<float>(cs.k * cs.n, 8);
  std::vector<float> c0(cs.m * cs.n, 0.0f);
  std::vector<std::vector<float>> cs_out(4, c0);
#pragma omp parallel for num_threads(2)
  for (int i = 0; i < 4; ++i)
    gemm(false, false, cs.m, cs.n, cs.k, 1.0f, a.data(), cs.k, b.data(), cs.n, 0.0f,
         cs_out[i].data(), cs.n);
  for (const auto& c : cs_out)
    expect_gemm(false, false, cs.m, cs.n, cs.k, 1.0f, a.data(), cs.k, b.data(), cs.n, 0.0f,
                c0.data(), c.data(), cs.n, "inside a parallel region");
  const int saved = num_threads();
  set_num_threads(1);
  std::vector<float> c(cs.m * cs.n);
  gemm(false, false, cs.m, cs.n, cs.k, 1.0f, a.data(), cs.k, b.data(), cs.n, 0.0f, c.data(), cs.n);
  set_num_threads(saved);
  expect_gemm(false, false, cs.m, cs.n, cs.k, 1.0f, a.data(), cs.k, b.data(), cs.n, 0.0f, c0.data(),
              c.data(), cs.n, "one thread");
}

TEST(Gemm, LibraryNameSaysWhatRuns) {
  EXPECT_NE(std::string(gemm_library_name()).find("oneDNN"), std::string::npos);
}

}  // namespace
}  // namespace fftune::cpu
