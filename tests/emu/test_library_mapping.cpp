// The argument mapping of the cuBLAS / cuFFT / cuDNN wrappers (ops/cuda/library_mapping.h),
// checked on the CPU: the column-major GEMM call a row-major GEMM becomes, computed by a plain
// column-major reference, must equal cpu::gemm; plan keys and descriptor dims must match the
// shapes the CPU backend produces.
#include <gtest/gtest.h>

#include "ops/cpu/conv2d.h"
#include "ops/cpu/gemm.h"
#include "ops/cuda/library_mapping.h"
#include "tests/support/test_support.h"

namespace fftune {
namespace {

// BLAS semantics, column-major: C (m×n, ldc) = alpha·op(A)·op(B) + beta·C, X(i,j) = x[i + j·ld].
void column_major_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha,
                       const double* a, int64_t lda, const double* b, int64_t ldb, double beta,
                       double* c, int64_t ldc) {
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double av = ta ? a[p + i * lda] : a[i + p * lda];
        const double bv = tb ? b[j + p * ldb] : b[p + j * ldb];
        acc += av * bv;
      }
      c[i + j * ldc] = alpha * acc + beta * c[i + j * ldc];
    }
}

TEST(LibraryMapping, RowMajorGemmThroughColumnMajorCall) {
  const int64_t m = 5, n = 7, k = 3, pad = 2;
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      // Stored shapes (row-major, with padded row strides to catch a wrong leading dimension).
      const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k;
      const int64_t b_rows = tb ? n : k, b_cols = tb ? k : n;
      const int64_t lda = a_cols + pad, ldb = b_cols + pad, ldc = n + pad;
      const Tensor a = testing::random_tensor({a_rows, lda}, DType::f64, 1);
      const Tensor b = testing::random_tensor({b_rows, ldb}, DType::f64, 2);
      const Tensor c0 = testing::random_tensor({m, ldc}, DType::f64, 3);
      Tensor expected = c0.clone(), got = c0.clone();
      cpu::gemm(ta, tb, m, n, k, 1.5, a.data<double>(), lda, b.data<double>(), ldb, 0.5,
                expected.data<double>(), ldc);
      const cuda::ColumnMajorGemm g = cuda::to_column_major(ta, tb, m, n, k, lda, ldb, ldc);
      column_major_gemm(g.trans_first, g.trans_second, g.m, g.n, g.k, 1.5, b.data<double>(),
                        g.ld_first, a.data<double>(), g.ld_second, 0.5, got.data<double>(), g.ldc);
      EXPECT_ALL_CLOSE(got, expected, 1e-12, 1e-12) << "trans_a=" << ta << " trans_b=" << tb;
    }
}

TEST(LibraryMapping, BatchedGemmStridesFollowTheOperands) {
  const cuda::ColumnMajorGemm g = cuda::to_column_major(false, true, 4, 6, 8, 8, 8, 6, 32, 48, 24);
  EXPECT_EQ(g.stride_first, 48);   // B's
  EXPECT_EQ(g.stride_second, 32);  // A's
  EXPECT_EQ(g.stride_c, 24);
  EXPECT_TRUE(g.trans_first);
  EXPECT_FALSE(g.trans_second);
  EXPECT_EQ(g.m, 6);
  EXPECT_EQ(g.n, 4);
}

TEST(LibraryMapping, FftPlanKeys) {
  // A batched 2-D C2R of a (3, 4, 6, 10) real output: batch 12, sizes 6 x 10, 6 x 6 bins in.
  const cuda::FftPlanKey c2r = cuda::fft_plan_key(cuda::FftKind::kC2R, false, {3, 4, 6, 10}, 2);
  EXPECT_EQ(c2r.rank, 2);
  EXPECT_EQ(c2r.n[0], 6);
  EXPECT_EQ(c2r.n[1], 10);
  EXPECT_EQ(c2r.batch, 12);
  EXPECT_EQ(cuda::fft_input_distance(c2r), 6 * 6);
  EXPECT_EQ(cuda::fft_output_distance(c2r), 60);
  // Row-wise R2C of (T, d) with odd d: d/2+1 bins per row.
  const cuda::FftPlanKey r2c = cuda::fft_plan_key(cuda::FftKind::kR2C, true, {5, 7}, 1);
  EXPECT_EQ(r2c.batch, 5);
  EXPECT_EQ(cuda::fft_input_distance(r2c), 7);
  EXPECT_EQ(cuda::fft_output_distance(r2c), 4);
  // Keys differ by kind, precision and batch, so a cache never hands out the wrong plan.
  EXPECT_FALSE(r2c == cuda::fft_plan_key(cuda::FftKind::kR2C, false, {5, 7}, 1));
  EXPECT_FALSE(r2c == cuda::fft_plan_key(cuda::FftKind::kR2C, true, {6, 7}, 1));
  EXPECT_TRUE(r2c == cuda::fft_plan_key(cuda::FftKind::kR2C, true, {5, 7}, 1));
  const cuda::FftPlanKey c2c = cuda::fft_plan_key(cuda::FftKind::kC2C, false, {8, 9}, 2);
  EXPECT_EQ(cuda::fft_input_distance(c2c), 72);
  EXPECT_EQ(cuda::fft_output_distance(c2c), 72);
  EXPECT_FFTUNE_ERROR(cuda::fft_plan_key(cuda::FftKind::kC2C, false, {8}, 2), "2-D transform");
}

TEST(LibraryMapping, Conv2dDescriptorDimsMatchTheCpuShapes) {
  struct Case {
    int64_t n, c, h, w, oc, kh, kw, sh, sw, ph, pw;
  };
  for (const Case& t :
       {Case{2, 3, 32, 32, 8, 16, 16, 16, 16, 0, 0}, Case{1, 4, 7, 9, 5, 3, 2, 2, 1, 1, 0},
        Case{3, 1, 5, 5, 2, 5, 5, 1, 1, 2, 2}}) {
    const cpu::Conv2dShape s{t.n, t.c, t.h, t.w, t.oc, t.kh, t.kw, t.sh, t.sw, t.ph, t.pw};
    const cuda::ConvDescriptorDims d =
        cuda::conv2d_descriptor_dims(t.n, t.c, t.h, t.w, t.oc, t.kh, t.kw, t.sh, t.sw, t.ph, t.pw);
    EXPECT_EQ(d.x[0], t.n);
    EXPECT_EQ(d.x[1], t.c);
    EXPECT_EQ(d.x[2], t.h);
    EXPECT_EQ(d.x[3], t.w);
    EXPECT_EQ(d.w[0], t.oc);
    EXPECT_EQ(d.w[1], t.c);
    EXPECT_EQ(d.w[2], t.kh);
    EXPECT_EQ(d.w[3], t.kw);
    EXPECT_EQ(d.y[0], t.n);
    EXPECT_EQ(d.y[1], t.oc);
    EXPECT_EQ(d.y[2], s.out_h());
    EXPECT_EQ(d.y[3], s.out_w());
    EXPECT_EQ(d.pad[0], t.ph);
    EXPECT_EQ(d.pad[1], t.pw);
    EXPECT_EQ(d.stride[0], t.sh);
    EXPECT_EQ(d.stride[1], t.sw);
  }
  EXPECT_FFTUNE_ERROR(cuda::conv2d_descriptor_dims(int64_t{1} << 33, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0),
                      "does not fit");
}

}  // namespace
}  // namespace fftune
