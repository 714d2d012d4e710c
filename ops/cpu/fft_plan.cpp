// Plans for ops/cpu/fft: factorising the length into radix passes, the twiddle tables, the
// thread-safe plan cache and the per-thread scratch buffers.
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/error.h"
#include "ops/cpu/fft_internal.h"

namespace fftune::cpu::fft::detail {
namespace {

// exp(-2*pi*i*k/n) with the angle reduced exactly (k mod n) and evaluated in long double, so
// every twiddle is correctly rounded to T even for long transforms. Returns (cos, -sin).
std::pair<long double, long double> unit_root(int64_t k, int64_t n) {
  const long double kTwoPi = 6.283185307179586476925286766559L;
  const long double angle = kTwoPi * static_cast<long double>(k % n) / static_cast<long double>(n);
  return {std::cos(angle), -std::sin(angle)};
}

// The radices of a smooth n, in pass order: as many 4s as possible, then one 2 if left over, then
// 3s and 5s. Radix 4 is the sweet spot for split-complex AVX2: its butterfly keeps its 8 input
// registers plus twiddles within the 16 ymm registers. A radix-8 pass (fewer passes over memory)
// was slower (docs/perf.md, "FFT"): its 16 live input registers spill.
std::vector<int> factorise(int64_t n) {
  std::vector<int> radices;
  while (n % 4 == 0) {
    radices.push_back(4);
    n /= 4;
  }
  if (n % 2 == 0) {
    radices.push_back(2);
    n /= 2;
  }
  for (int r : {3, 5}) {
    while (n % r == 0) {
      radices.push_back(r);
      n /= r;
    }
  }
  FFTUNE_CHECK(n == 1, "fft: internal error, length has a prime factor > 5");
  return radices;
}

}  // namespace

bool is_smooth(int64_t n) {
  for (int64_t r : {2, 3, 5}) {
    while (n % r == 0) n /= r;
  }
  return n == 1;
}

// Note [Stockham passes and their twiddles]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// We use the Stockham autosort formulation of decimation in frequency. With n = R * m * s at a
// pass of radix R (s = product of the radices of earlier passes, the "stride"; R*m = the length
// of the sub-transforms still to be done), the pass maps buffer x to buffer y by
//
//     y[q + s*(R*p + k)] = W^(k*p) * sum_{j<R} x[q + s*(p + j*m)] * w_R^(j*k),
//     p < m, q < s, k < R,   w_R = exp(-2*pi*i/R),   W = exp(-2*pi*i/(R*m)).
//
// Each pass ping-pongs between two buffers and the output comes out in natural order: there is
// no bit-reversal permutation, which is why we chose Stockham over in-place Cooley-Tukey. The
// innermost index q (times the lanes of Note [Lanes layout]) is contiguous in x and in y, and
// the twiddle W^(k*p) is constant over it. The table holds, per pass, W^(k*p) for p < m and
// k = 1..R-1 at [twiddle_offset + p*(R-1) + (k-1)].
template <typename T>
std::shared_ptr<const ComplexPlan<T>> make_stockham_plan(int64_t n) {
  auto plan = std::make_shared<ComplexPlan<T>>();
  plan->n = n;
  int64_t stride = 1;
  for (int radix : factorise(n)) {
    const int64_t count = n / (stride * radix);
    Stage stage{radix, stride, count, static_cast<int64_t>(plan->twiddle_re.size())};
    for (int64_t p = 0; p < count; ++p) {
      for (int k = 1; k < radix; ++k) {
        auto [c, s] = unit_root(k * p, radix * count);
        plan->twiddle_re.push_back(static_cast<T>(c));
        plan->twiddle_im.push_back(static_cast<T>(s));
      }
    }
    plan->stages.push_back(stage);
    stride *= radix;
  }
  return plan;
}

template <typename T>
int64_t RealPlan<T>::buffer_length() const {
  // Even n: the half-length complex FFT's buffers, plus one row for bin n/2.
  if (uses_half_length()) return std::max(complex->buffer_length(), n / 2 + 1);
  return complex->buffer_length();
}

namespace {

template <typename T>
std::shared_ptr<const RealPlan<T>> make_real_plan(int64_t n) {
  auto plan = std::make_shared<RealPlan<T>>();
  plan->n = n;
  if (n % 2 == 0) {
    plan->complex = complex_plan<T>(n / 2);
    for (int64_t k = 0; k <= n / 2; ++k) {
      auto [c, s] = unit_root(k, n);
      plan->twiddle_re.push_back(static_cast<T>(c));
      plan->twiddle_im.push_back(static_cast<T>(s));
    }
  } else {
    plan->complex = complex_plan<T>(n);
  }
  return plan;
}

// Note [Plan cache]
// ~~~~~~~~~~~~~~~~~
// One cache per (plan kind, precision), keyed by length. Plans are immutable once built and held
// by shared_ptr, so readers need no lock after the lookup. A plan is built outside the lock (a
// Bluestein plan asks the cache for its convolution plan, which would deadlock under a
// non-recursive mutex); if two threads race to build the same length, the first insert wins and
// the other copy is dropped.
template <typename Plan, typename Make>
std::shared_ptr<const Plan> cached(std::map<int64_t, std::shared_ptr<const Plan>>& cache,
                                   std::mutex& mutex, int64_t n, Make make) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
  }
  std::shared_ptr<const Plan> plan = make(n);
  std::lock_guard<std::mutex> lock(mutex);
  return cache.emplace(n, std::move(plan)).first->second;
}

}  // namespace

template <typename T>
std::shared_ptr<const ComplexPlan<T>> complex_plan(int64_t n) {
  FFTUNE_CHECK(n >= 1, "fft: length must be >= 1, got ", n);
  static std::map<int64_t, std::shared_ptr<const ComplexPlan<T>>> cache;
  static std::mutex mutex;
  return cached(cache, mutex, n, [](int64_t len) {
    return is_smooth(len) ? make_stockham_plan<T>(len) : make_bluestein_plan<T>(len);
  });
}

template <typename T>
std::shared_ptr<const RealPlan<T>> real_plan(int64_t n) {
  FFTUNE_CHECK(n >= 1, "fft: length must be >= 1, got ", n);
  static std::map<int64_t, std::shared_ptr<const RealPlan<T>>> cache;
  static std::mutex mutex;
  return cached(cache, mutex, n, make_real_plan<T>);
}

template <typename T>
Split<T> forward_lanes(const ComplexPlan<T>& plan, Split<T> a, Split<T> b, int64_t lanes) {
  if (plan.uses_bluestein()) return bluestein_lanes(plan, a, b, lanes);
  return stockham_lanes(plan, a, b, lanes);
}

// Note [Scratch array spacing]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The four arrays (a.re, a.im, b.re, b.im) are placed 64-byte aligned but deliberately NOT a
// multiple of 4 KiB apart: with power-of-two lengths a multiple-of-4 KiB spacing puts the
// re and im streams of a pass, and the loads of one buffer and the stores of the other, on the
// same L1 sets and the same low address bits (4K aliasing), which measurably slows the passes.
template <typename T>
Workspace<T> thread_workspace(int64_t elements) {
  constexpr int64_t kLine = 64 / sizeof(T);
  const int64_t spacing = ((elements + kLine - 1) / kLine + 5) * kLine;  // + 5 lines: 320 B
  thread_local std::vector<T> storage;
  if (static_cast<int64_t>(storage.size()) < 4 * spacing + kLine) {
    storage.assign(4 * spacing + kLine, T(0));
  }
  const auto address = reinterpret_cast<std::uintptr_t>(storage.data());
  T* base = storage.data() + (64 - address % 64) % 64 / sizeof(T);
  return Workspace<T>{{base, base + spacing}, {base + 2 * spacing, base + 3 * spacing}};
}

#define FFTUNE_FFT_INSTANTIATE(T)                                                         \
  template std::shared_ptr<const ComplexPlan<T>> make_stockham_plan<T>(int64_t);          \
  template std::shared_ptr<const ComplexPlan<T>> complex_plan<T>(int64_t);                \
  template std::shared_ptr<const RealPlan<T>> real_plan<T>(int64_t);                      \
  template struct RealPlan<T>;                                                            \
  template Split<T> forward_lanes<T>(const ComplexPlan<T>&, Split<T>, Split<T>, int64_t); \
  template Workspace<T> thread_workspace<T>(int64_t);
FFTUNE_FFT_INSTANTIATE(float)
FFTUNE_FFT_INSTANTIATE(double)
#undef FFTUNE_FFT_INSTANTIATE

}  // namespace fftune::cpu::fft::detail
