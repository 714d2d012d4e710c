#include "fourierft/entries.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>
#include <utility>

#include "core/error.h"
#include "fourierft/torch_generator.h"

namespace fftune::fourierft {
namespace {

// d1 * d2, checked for d1, d2 > 0 and no overflow; `fn` names the caller.
int64_t checked_cells(const char* fn, int64_t d1, int64_t d2) {
  FFTUNE_CHECK(d1 > 0 && d2 > 0, fn, ": d1 and d2 must be positive, got d1=", d1, " d2=", d2);
  FFTUNE_CHECK(d1 <= std::numeric_limits<int64_t>::max() / d2, fn,
               ": d1 * d2 overflows int64 (d1=", d1, " d2=", d2, ")");
  return d1 * d2;
}

void check_n(const char* fn, int64_t d1, int64_t d2, int64_t n) {
  const int64_t cells = checked_cells(fn, d1, d2);
  FFTUNE_CHECK(n > 0 && n <= cells, fn, ": n must be in [1, d1*d2] = [1, ", cells, "] for d1=", d1,
               " d2=", d2, ", got n=", n);
}

void check_band(const char* fn, double fc, double width) {
  FFTUNE_CHECK(std::isfinite(fc) && fc >= 0.0, fn, ": fc must be finite and >= 0, got fc=", fc);
  FFTUNE_CHECK(std::isfinite(width) && width > 0.0, fn,
               ": width must be finite and > 0, got width=", width);
}

// The signed frequency of index u along an axis of length d: u for u < d/2, else u - d.
int64_t signed_frequency(int64_t u, int64_t d) {
  return 2 * u < d ? u : u - d;
}

// log p for cell (u, v) of the band-pass map (frequency_bias_map in entries.h); -inf where p = 0.
double log_frequency_bias(int64_t u, int64_t v, int64_t d1, int64_t d2, double fc, double width) {
  const double su = static_cast<double>(signed_frequency(u, d1));
  const double sv = static_cast<double>(signed_frequency(v, d2));
  const double d_sq = su * su + sv * sv;  // D², exact: integers well below 2^53
  if (d_sq == 0.0) return fc == 0.0 ? 0.0 : -std::numeric_limits<double>::infinity();
  const double x = (d_sq - fc * fc) / (std::sqrt(d_sq) * width);
  return -x * x;
}

}  // namespace

SpectralEntries uniform_entries(int64_t d1, int64_t d2, int64_t n, uint64_t seed) {
  check_n("uniform_entries", d1, d2, n);
  // See Note [peft permutation].
  TorchGenerator gen(seed);
  const std::vector<int64_t> idx = torch_randperm_prefix(d1 * d2, n, gen);  // (N,)
  SpectralEntries e;
  e.d1 = d1;
  e.d2 = d2;
  e.rows.resize(static_cast<size_t>(n));
  e.cols.resize(static_cast<size_t>(n));
  for (int64_t l = 0; l < n; ++l) {
    e.rows[l] = idx[l] / d2;
    e.cols[l] = idx[l] % d2;
  }
  return e;
}

std::vector<double> frequency_bias_map(int64_t d1, int64_t d2, double fc, double width) {
  const int64_t cells = checked_cells("frequency_bias_map", d1, d2);
  check_band("frequency_bias_map", fc, width);
  std::vector<double> p(static_cast<size_t>(cells));  // (d1, d2) row-major
  for (int64_t u = 0; u < d1; ++u) {
    for (int64_t v = 0; v < d2; ++v) {
      p[u * d2 + v] = std::exp(log_frequency_bias(u, v, d1, d2, fc, width));
    }
  }
  return p;
}

SpectralEntries frequency_biased_entries(int64_t d1, int64_t d2, int64_t n, double fc, double width,
                                         uint64_t seed) {
  check_n("frequency_biased_entries", d1, d2, n);
  check_band("frequency_biased_entries", fc, width);

  // The exponential race (see entries.h): keep the n smallest (key, cell) pairs in a max-heap.
  using Keyed = std::pair<double, int64_t>;  // (log E − log p, row-major cell index)
  std::priority_queue<Keyed> heap;           // top = the largest kept key
  TorchGenerator gen(seed);
  int64_t nonzero = 0;
  for (int64_t u = 0; u < d1; ++u) {
    for (int64_t v = 0; v < d2; ++v) {
      // One draw per cell, also for p = 0 cells, so cell c always uses the c-th draw.
      const uint64_t bits = gen.random64();
      const double log_p = log_frequency_bias(u, v, d1, d2, fc, width);
      if (log_p == -std::numeric_limits<double>::infinity()) continue;
      ++nonzero;
      const double uniform = (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;  // (0, 1)
      const Keyed keyed{std::log(-std::log(uniform)) - log_p, u * d2 + v};
      if (static_cast<int64_t>(heap.size()) < n) {
        heap.push(keyed);
      } else if (keyed < heap.top()) {  // equal keys: the earlier cell (already kept) wins
        heap.pop();
        heap.push(keyed);
      }
    }
  }
  FFTUNE_CHECK(nonzero >= n, "frequency_biased_entries: only ", nonzero,
               " cells have non-zero probability for d1=", d1, " d2=", d2, " fc=", fc,
               " width=", width, ", fewer than n=", n);

  SpectralEntries e;
  e.d1 = d1;
  e.d2 = d2;
  e.rows.resize(static_cast<size_t>(n));
  e.cols.resize(static_cast<size_t>(n));
  for (int64_t l = n - 1; l >= 0; --l) {  // the heap pops the largest key first
    const int64_t cell = heap.top().second;
    heap.pop();
    e.rows[l] = cell / d2;
    e.cols[l] = cell % d2;
  }
  return e;
}

void validate_entries(const SpectralEntries& e) {
  checked_cells("validate_entries", e.d1, e.d2);
  FFTUNE_CHECK(e.rows.size() == e.cols.size(),
               "validate_entries: rows and cols must have the same "
               "length, got rows.size()=",
               e.rows.size(), " cols.size()=", e.cols.size());
  const int64_t n = e.size();
  FFTUNE_CHECK(n > 0 && n <= e.d1 * e.d2, "validate_entries: n must be in [1, d1*d2] = [1, ",
               e.d1 * e.d2, "] for d1=", e.d1, " d2=", e.d2, ", got n=", n);
  std::vector<int64_t> cell(static_cast<size_t>(n));  // (N,) row-major cell of each entry
  for (int64_t l = 0; l < n; ++l) {
    FFTUNE_CHECK(e.rows[l] >= 0 && e.rows[l] < e.d1, "validate_entries: entry ", l, " has row ",
                 e.rows[l], ", outside [0, d1) = [0, ", e.d1, ")");
    FFTUNE_CHECK(e.cols[l] >= 0 && e.cols[l] < e.d2, "validate_entries: entry ", l, " has col ",
                 e.cols[l], ", outside [0, d2) = [0, ", e.d2, ")");
    cell[l] = e.rows[l] * e.d2 + e.cols[l];
  }
  std::vector<int64_t> order(static_cast<size_t>(n));  // (N,) entries sorted by cell
  std::iota(order.begin(), order.end(), int64_t{0});
  std::sort(order.begin(), order.end(),
            [&](int64_t a, int64_t b) { return cell[a] != cell[b] ? cell[a] < cell[b] : a < b; });
  for (int64_t i = 1; i < n; ++i) {
    const int64_t a = order[i - 1], b = order[i];
    FFTUNE_CHECK(cell[a] != cell[b], "validate_entries: entries ", a, " and ", b,
                 " are both (row, col) = (", e.rows[a], ", ", e.cols[a], ")");
  }
}

}  // namespace fftune::fourierft
