#include "data/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "core/error.h"

namespace fftune::data {
namespace {

template <typename T>
void check_sizes(const char* metric, const std::vector<T>& a, const std::vector<T>& b) {
  FFTUNE_CHECK(a.size() == b.size(), metric, ": ", a.size(), " predictions for ", b.size(),
               " labels");
  FFTUNE_CHECK(!a.empty(), metric, ": no examples");
}

}  // namespace

double accuracy(const std::vector<int64_t>& predicted, const std::vector<int64_t>& labels) {
  check_sizes("accuracy", predicted, labels);
  int64_t correct = 0;
  for (size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == labels[i];
  return static_cast<double>(correct) / static_cast<double>(predicted.size());
}

double f1_binary(const std::vector<int64_t>& predicted, const std::vector<int64_t>& labels) {
  check_sizes("f1", predicted, labels);
  int64_t tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < predicted.size(); ++i) {
    tp += predicted[i] == 1 && labels[i] == 1;
    fp += predicted[i] == 1 && labels[i] != 1;
    fn += predicted[i] != 1 && labels[i] == 1;
  }
  if (tp + fp + fn == 0) return 0.0;
  return 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
}

double matthews_corrcoef(const std::vector<int64_t>& predicted,
                         const std::vector<int64_t>& labels) {
  check_sizes("matthews_corrcoef", predicted, labels);
  // With the confusion matrix C (s samples, c correct, t_k true and p_k predicted counts of
  // class k):  MCC = (c·s − Σ t_k p_k) / sqrt((s² − Σ p_k²)(s² − Σ t_k²)).
  std::map<int64_t, double> t, p;
  double c = 0;
  for (size_t i = 0; i < predicted.size(); ++i) {
    t[labels[i]] += 1;
    p[predicted[i]] += 1;
    c += predicted[i] == labels[i];
  }
  const double s = static_cast<double>(predicted.size());
  double tp_sum = 0, pp = 0, tt = 0;
  for (const auto& [k, n] : t) {
    tt += n * n;
    auto it = p.find(k);
    if (it != p.end()) tp_sum += n * it->second;
  }
  for (const auto& [k, n] : p) pp += n * n;
  const double denominator = (s * s - pp) * (s * s - tt);
  if (denominator == 0) return 0.0;
  return (c * s - tp_sum) / std::sqrt(denominator);
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  check_sizes("pearson", x, y);
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx == 0 || syy == 0) return std::numeric_limits<double>::quiet_NaN();
  // Rounding can push |r| a hair past 1; scipy clips too.
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::vector<double> average_ranks(const std::vector<double>& x) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> ranks(x.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
    // Positions i..j-1 (ranks i+1..j) hold equal values: each gets the mean rank (i+1+j)/2.
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  check_sizes("spearman", x, y);
  const auto has_nan = [](const std::vector<double>& v) {
    return std::any_of(v.begin(), v.end(), [](double a) { return std::isnan(a); });
  };
  if (has_nan(x) || has_nan(y)) return std::numeric_limits<double>::quiet_NaN();
  return pearson(average_ranks(x), average_ranks(y));
}

}  // namespace fftune::data
