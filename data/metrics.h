// Evaluation metrics of the GLUE tasks, with scikit-learn's and scipy's conventions
// (tests/fixture/test_metrics_ref.cpp compares them with both).
#pragma once

#include <cstdint>
#include <vector>

namespace fftune::data {

// Fraction of predictions equal to the label.
double accuracy(const std::vector<int64_t>& predicted, const std::vector<int64_t>& labels);

// F1 of the positive class 1: 2·TP / (2·TP + FP + FN); 0 when there is no positive prediction
// or label at all (sklearn's zero_division).
double f1_binary(const std::vector<int64_t>& predicted, const std::vector<int64_t>& labels);

// Matthews correlation coefficient (any number of classes, sklearn's formula from the confusion
// matrix); 0 when it is undefined (all predictions or all labels in one class).
double matthews_corrcoef(const std::vector<int64_t>& predicted, const std::vector<int64_t>& labels);

// Pearson's r. NaN when either input is constant (scipy.stats.pearsonr's answer).
double pearson(const std::vector<double>& x, const std::vector<double>& y);

// Spearman's rho: Pearson's r of the ranks, tied values sharing their average rank.
// NaN when either input is constant or holds a NaN.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// The 1-based ranks of `x`, ties given their average rank (scipy.stats.rankdata "average").
std::vector<double> average_ranks(const std::vector<double>& x);

}  // namespace fftune::data
