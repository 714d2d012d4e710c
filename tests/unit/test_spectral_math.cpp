// ops/spectral_math.h: Note [half-spectrum index rule], tested directly. stored_cell against the
// full 2-D DFT of a real array (every cell read from the R2C half where the rule says),
// scatter_cells against stored_cell, on odd and even d1 and d2, including the self-mirrored
// columns and the self-conjugate cells.
#include <gtest/gtest.h>

#include <complex>

#include "ops/spectral_math.h"
#include "tests/support/test_support.h"

namespace fftune {
namespace {

const std::vector<std::pair<int64_t, int64_t>> kShapes = {{4, 6}, {5, 7}, {4, 7}, {5, 6},
                                                          {1, 1}, {1, 2}, {2, 1}, {3, 8}};

TEST(SpectralMath, StoredBinAndMirror) {
  EXPECT_EQ(half_bins(6), 4);
  EXPECT_EQ(half_bins(7), 4);
  EXPECT_EQ(half_bins(1), 1);
  EXPECT_EQ(mirror_bin(0, 6), 0);  // bin 0 is its own mirror
  EXPECT_EQ(mirror_bin(3, 6), 3);  // so is the Nyquist bin of an even length
  EXPECT_EQ(mirror_bin(2, 7), 5);
  for (int64_t d : {1, 2, 5, 6, 7, 8}) {
    for (int64_t k = 0; k < d; ++k) {
      SCOPED_TRACE(::testing::Message() << "d=" << d << " k=" << k);
      const StoredBin s = stored_bin(k, d);
      EXPECT_LT(s.bin, half_bins(d));
      EXPECT_EQ(s.conj, k > d / 2);
      EXPECT_EQ(s.bin, s.conj ? d - k : k);
      EXPECT_EQ(mirror_bin(mirror_bin(k, d), d), k);
    }
  }
}

TEST(SpectralMath, StoredCellReadsTheFullSpectrumOfARealArray) {
  for (auto [d1, d2] : kShapes) {
    SCOPED_TRACE(::testing::Message() << d1 << "x" << d2);
    const Tensor x = testing::random_tensor({d1, d2}, DType::f64, 11, false);
    const auto full = to_vector<c128_t>(fft2(x));   // (d1, d2)
    const auto half = to_vector<c128_t>(rfft2(x));  // (d1, ⌊d2/2⌋ + 1)
    ASSERT_EQ(static_cast<int64_t>(half.size()), d1 * half_bins(d2));
    for (int64_t j = 0; j < d1; ++j)
      for (int64_t k = 0; k < d2; ++k) {
        const StoredCell s = stored_cell(j, k, d1, d2);
        ASSERT_GE(s.cell, 0);
        ASSERT_LT(s.cell, d1 * half_bins(d2));
        const c128_t read = s.conj ? std::conj(half[s.cell]) : half[s.cell];
        EXPECT_NEAR(std::abs(read - full[j * d2 + k]), 0.0, 1e-12) << "cell " << j << ", " << k;
      }
  }
}

TEST(SpectralMath, ScatterCellsAreTheStoredCellsOfAValueAndItsMirror) {
  for (auto [d1, d2] : kShapes) {
    SCOPED_TRACE(::testing::Message() << d1 << "x" << d2);
    const int64_t h = half_bins(d2);
    for (int64_t j = 0; j < d1; ++j)
      for (int64_t k = 0; k < d2; ++k) {
        SCOPED_TRACE(::testing::Message() << "cell " << j << ", " << k);
        const ScatterCells c = scatter_cells(j, k, d1, d2);
        const StoredCell direct = stored_cell(j, k, d1, d2);
        const StoredCell mirror = stored_cell(mirror_bin(j, d1), mirror_bin(k, d2), d1, d2);
        // A target is written exactly when it is stored as itself (not as a conjugate).
        EXPECT_EQ(c.direct, direct.conj ? -1 : direct.cell);
        EXPECT_EQ(c.mirror, mirror.conj ? -1 : mirror.cell);
        EXPECT_TRUE(c.direct >= 0 || c.mirror >= 0);  // every value lands somewhere
        // In a self-mirrored column (0, and d2/2 for even d2) both targets are stored.
        const bool self_mirrored_column = k == 0 || 2 * k == d2;
        EXPECT_EQ(c.direct >= 0 && c.mirror >= 0, self_mirrored_column);
        // A self-conjugate cell is its own mirror: both contributions land on it.
        if (self_mirrored_column && (j == 0 || 2 * j == d1)) {
          EXPECT_EQ(c.direct, c.mirror);
        }
        if (c.direct >= 0) {
          EXPECT_EQ(c.direct, j * h + k);
        }
      }
  }
  // Hand-checked: 4 x 6 (stored columns 0..3). (1, 5) is stored only through its mirror (3, 1);
  // (1, 3) is on the Nyquist column, its mirror (3, 3) too.
  EXPECT_EQ(scatter_cells(1, 5, 4, 6).direct, -1);
  EXPECT_EQ(scatter_cells(1, 5, 4, 6).mirror, 3 * 4 + 1);
  EXPECT_EQ(scatter_cells(1, 3, 4, 6).direct, 1 * 4 + 3);
  EXPECT_EQ(scatter_cells(1, 3, 4, 6).mirror, 3 * 4 + 3);
  EXPECT_EQ(scatter_cells(2, 0, 4, 6).direct, scatter_cells(2, 0, 4, 6).mirror);
}

}  // namespace
}  // namespace fftune
