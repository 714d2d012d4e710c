// Metrics: hand-computed small cases and the edge cases (ties, constant inputs, size errors).
// tests/fixture/test_metrics_ref.cpp compares with scikit-learn and scipy at scale.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "data/metrics.h"
#include "tests/support/test_support.h"

namespace fftune::data {
namespace {

TEST(Metrics, HandComputedBinary) {
  // TP = 2 (i 0, 3), FP = 1 (i 1), FN = 1 (i 4), TN = 1 (i 2).
  const std::vector<int64_t> predicted = {1, 1, 0, 1, 0}, labels = {1, 0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(accuracy(predicted, labels), 3.0 / 5.0);
  EXPECT_DOUBLE_EQ(f1_binary(predicted, labels), 4.0 / 6.0);
  // (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (2 − 1) / sqrt(3·3·2·2)
  EXPECT_DOUBLE_EQ(matthews_corrcoef(predicted, labels), 1.0 / 6.0);
}

TEST(Metrics, UndefinedMatthewsAndF1AreZero) {
  EXPECT_EQ(matthews_corrcoef({1, 1, 1}, {0, 1, 0}), 0.0);
  EXPECT_EQ(f1_binary({0, 0}, {0, 0}), 0.0);
}

TEST(Metrics, AverageRanksShareTies) {
  EXPECT_EQ(average_ranks({10, 20, 10, 30, 20, 20}), (std::vector<double>{1.5, 4, 1.5, 6, 4, 4}));
}

TEST(Metrics, Correlations) {
  EXPECT_NEAR(pearson({1, 2, 3}, {2, 4, 7}), 0.9933992677987828, 1e-15);
  // Monotone but not linear: Spearman 1, Pearson below.
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {1, 4, 9, 100}), 1.0);
  EXPECT_LT(pearson({1, 2, 3, 4}, {1, 4, 9, 100}), 0.9);
  EXPECT_TRUE(std::isnan(pearson({1, 1, 1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {2, 2, 2})));
  EXPECT_TRUE(std::isnan(spearman({1, std::numeric_limits<double>::quiet_NaN(), 3}, {1, 2, 3})));
}

TEST(Metrics, SizeMismatchAndEmptyAreErrors) {
  EXPECT_FFTUNE_ERROR(accuracy({1, 0}, {1}), "accuracy: 2 predictions for 1 labels");
  EXPECT_FFTUNE_ERROR(f1_binary({}, {}), "f1: no examples");
  EXPECT_FFTUNE_ERROR(pearson({1.0}, {1.0, 2.0}), "pearson: 1 predictions for 2 labels");
}

}  // namespace
}  // namespace fftune::data
