// Spectral entries: validation, torch generator / randperm internals, frequency-biased sampling.
// Bit-compatibility with torch and peft is checked in tests/fixture/test_peft_entries.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "fourierft/entries.h"
#include "fourierft/torch_generator.h"

namespace fftune::fourierft {
namespace {

// Runs `fn`, expects fftune::Error, and checks that the message contains each of `parts`.
template <typename Fn>
void expect_error(Fn fn, const std::vector<std::string>& parts) {
  try {
    fn();
    FAIL() << "expected fftune::Error";
  } catch (const Error& err) {
    const std::string what = err.what();
    for (const auto& part : parts) EXPECT_NE(what.find(part), std::string::npos) << what;
  }
}

bool is_permutation_of_iota(std::vector<int64_t> p) {
  std::sort(p.begin(), p.end());
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// Signed frequency distance D of cell (u, v), as entries.h defines it.
double distance(int64_t u, int64_t v, int64_t d1, int64_t d2) {
  const double su = static_cast<double>(2 * u < d1 ? u : u - d1);
  const double sv = static_cast<double>(2 * v < d2 ? v : v - d2);
  return std::sqrt(su * su + sv * sv);
}

// ---- TorchGenerator ----------------------------------------------------------------------------

TEST(TorchGenerator, IsTheReferenceMt19937OnTheLow32BitsOfTheSeed) {
  TorchGenerator gen(5489);
  gen.discard(9999);
  EXPECT_EQ(gen.random(), 4123659995u);  // the 10000th output of the reference MT19937(5489)

  TorchGenerator a(5), b((uint64_t{1} << 32) + 5);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.random(), b.random());
  EXPECT_EQ(b.initial_seed(), (uint64_t{1} << 32) + 5);
  EXPECT_EQ(TorchGenerator().initial_seed(), TorchGenerator::kDefaultSeed);
}

TEST(TorchGenerator, Random64IsTwoDrawsHighFirst) {
  TorchGenerator a(777), b(777);
  for (int i = 0; i < 10; ++i) {
    const uint64_t hi = a.random(), lo = a.random();
    EXPECT_EQ(b.random64(), (hi << 32) | lo);
  }
}

TEST(TorchGenerator, ManualSeedRestarts) {
  TorchGenerator gen(2024);
  const uint32_t first = gen.random();
  gen.random64();
  gen.manual_seed(2024);
  EXPECT_EQ(gen.random(), first);
}

// ---- torch_randperm ----------------------------------------------------------------------------

TEST(TorchRandperm, AlgorithmSwitchesAtUint32MaxOver20) {
  EXPECT_EQ(kTorchRandpermLargeN, 214748364);
  EXPECT_EQ(torch_randperm_algorithm(0), RandpermAlgorithm::kFisherYates32);
  EXPECT_EQ(torch_randperm_algorithm(214748363), RandpermAlgorithm::kFisherYates32);
  EXPECT_EQ(torch_randperm_algorithm(214748364), RandpermAlgorithm::kInsideOut64);
  EXPECT_EQ(torch_randperm_algorithm(int64_t{1} << 40), RandpermAlgorithm::kInsideOut64);
}

TEST(TorchRandperm, FisherYatesFollowsTorchsLoop) {
  // Spelled out: r = 0..n-1; for i < n-1: z = random() % (n-i); swap(r[i], r[i+z]).
  const int64_t n = 37;
  TorchGenerator gen(777), ref_gen(777);
  std::vector<int64_t> ref(n);
  for (int64_t i = 0; i < n; ++i) ref[i] = i;
  for (int64_t i = 0; i < n - 1; ++i) std::swap(ref[i], ref[i + ref_gen.random() % (n - i)]);
  EXPECT_EQ(torch_randperm(RandpermAlgorithm::kFisherYates32, n, gen), ref);
  EXPECT_EQ(gen.random(), ref_gen.random());  // n-1 draws, no more
}

TEST(TorchRandperm, InsideOutFollowsTorchsLoop) {
  // Spelled out: for i < n: z = random64() % (i+1); r[i] = r[z]; r[z] = i.
  const int64_t n = 41;
  TorchGenerator gen(2024), ref_gen(2024);
  std::vector<int64_t> ref(n);
  for (int64_t i = 0; i < n; ++i) {
    const auto z = static_cast<int64_t>(ref_gen.random64() % static_cast<uint64_t>(i + 1));
    ref[i] = ref[z];
    ref[z] = i;
  }
  const std::vector<int64_t> got = torch_randperm(RandpermAlgorithm::kInsideOut64, n, gen);
  EXPECT_EQ(got, ref);
  EXPECT_TRUE(is_permutation_of_iota(got));
  EXPECT_EQ(gen.random(), ref_gen.random());  // n random64 draws, no more
}

TEST(TorchRandperm, EdgeSizes) {
  TorchGenerator gen(0);
  EXPECT_TRUE(torch_randperm(0, gen).empty());
  EXPECT_EQ(torch_randperm(1, gen), std::vector<int64_t>{0});
  TorchGenerator fresh(0);
  EXPECT_EQ(gen.random(), fresh.random());  // n = 0 and n = 1 draw nothing
  expect_error([&] { torch_randperm(-1, gen); }, {"torch_randperm", "-1"});
  expect_error([&] { torch_randperm_prefix(5, 6, gen); }, {"torch_randperm_prefix", "6"});
  expect_error([&] { torch_randperm_prefix(5, -1, gen); }, {"torch_randperm_prefix", "-1"});
}

TEST(TorchRandperm, PrefixEqualsFullPermutationAndLeavesTheSameGeneratorState) {
  for (auto algorithm : {RandpermAlgorithm::kFisherYates32, RandpermAlgorithm::kInsideOut64}) {
    for (int64_t n : {1, 2, 3, 10, 100, 1000, 4096}) {
      for (int64_t k : {int64_t{0}, int64_t{1}, n / 3, n - 1, n}) {
        if (k < 0) continue;
        for (uint64_t seed : {uint64_t{0}, uint64_t{777}, uint64_t{123456789}}) {
          TorchGenerator full_gen(seed), prefix_gen(seed);
          std::vector<int64_t> full = torch_randperm(algorithm, n, full_gen);
          full.resize(k);
          EXPECT_EQ(torch_randperm_prefix(algorithm, n, k, prefix_gen), full)
              << "n=" << n << " k=" << k << " seed=" << seed;
          EXPECT_EQ(full_gen.random(), prefix_gen.random()) << "n=" << n << " k=" << k;
        }
      }
    }
  }
}

TEST(TorchRandperm, FisherYatesIsRoughlyUniform) {
  // Position 0 of a permutation of 8: each value about 1/8 of 16000 trials.
  TorchGenerator gen(1);
  std::vector<int> count(8, 0);
  for (int t = 0; t < 16000; ++t) ++count[torch_randperm(8, gen)[0]];
  for (int c : count) EXPECT_NEAR(c, 2000, 200);
}

// ---- uniform_entries and validate_entries ------------------------------------------------------

TEST(UniformEntries, RowsIndexD1ColsIndexD2) {
  const int64_t d1 = 30, d2 = 7, n = 50;
  const SpectralEntries e = uniform_entries(d1, d2, n, 777);
  EXPECT_EQ(e.d1, d1);
  EXPECT_EQ(e.d2, d2);
  ASSERT_EQ(e.size(), n);
  validate_entries(e);
  TorchGenerator gen(777);
  const std::vector<int64_t> idx = torch_randperm(d1 * d2, gen);
  for (int64_t l = 0; l < n; ++l) {
    EXPECT_EQ(e.rows[l], idx[l] / d2);
    EXPECT_EQ(e.cols[l], idx[l] % d2);
  }
}

TEST(UniformEntries, AllCellsWhenNIsD1TimesD2) {
  const SpectralEntries e = uniform_entries(5, 7, 35, 0);
  validate_entries(e);
  std::set<std::pair<int64_t, int64_t>> cells;
  for (int64_t l = 0; l < e.size(); ++l) cells.insert({e.rows[l], e.cols[l]});
  EXPECT_EQ(cells.size(), 35u);
}

TEST(UniformEntries, RejectsBadArguments) {
  expect_error([] { uniform_entries(0, 5, 1, 0); }, {"uniform_entries", "d1=0"});
  expect_error([] { uniform_entries(4, -1, 1, 0); }, {"uniform_entries", "d2=-1"});
  expect_error([] { uniform_entries(4, 5, 0, 0); }, {"uniform_entries", "n=0", "[1, 20]"});
  expect_error([] { uniform_entries(4, 5, 21, 0); }, {"uniform_entries", "n=21"});
  expect_error([] { uniform_entries(int64_t{1} << 40, int64_t{1} << 40, 1, 0); },
               {"uniform_entries", "overflow"});
}

TEST(ValidateEntries, AcceptsAValidSet) {
  SpectralEntries e{3, 4, {0, 2, 2}, {3, 0, 3}};
  EXPECT_NO_THROW(validate_entries(e));
}

TEST(ValidateEntries, NamesWhatIsWrong) {
  expect_error(
      [] {
        validate_entries(SpectralEntries{0, 4, {0}, {0}});
      },
      {"validate_entries", "d1=0"});
  expect_error(
      [] {
        validate_entries(SpectralEntries{3, 4, {0, 1}, {0}});
      },
      {"validate_entries", "rows.size()=2", "cols.size()=1"});
  expect_error(
      [] {
        validate_entries(SpectralEntries{3, 4, {}, {}});
      },
      {"validate_entries", "n=0"});
  expect_error(
      [] {
        validate_entries(SpectralEntries{1, 2, {0, 0, 0}, {0, 1, 1}});
      },
      {"validate_entries", "n=3", "[1, 2]"});
  expect_error(
      [] {
        validate_entries(SpectralEntries{3, 4, {0, 3}, {0, 0}});
      },
      {"validate_entries", "entry 1", "row 3", "[0, 3)"});
  expect_error(
      [] {
        validate_entries(SpectralEntries{3, 4, {0, -1}, {0, 0}});
      },
      {"validate_entries", "entry 1", "row -1"});
  expect_error(
      [] {
        validate_entries(SpectralEntries{3, 4, {0, 1}, {4, 0}});
      },
      {"validate_entries", "entry 0", "col 4", "[0, 4)"});
  expect_error(
      [] {
        validate_entries(SpectralEntries{3, 4, {1, 0, 1}, {2, 0, 2}});
      },
      {"validate_entries", "entries 0 and 2", "(1, 2)"});
}

// ---- frequency_bias_map ------------------------------------------------------------------------

TEST(FrequencyBiasMap, MatchesTheFormula) {
  const int64_t d1 = 9, d2 = 12;
  const double fc = 3.0, w = 2.5;
  const std::vector<double> p = frequency_bias_map(d1, d2, fc, w);
  ASSERT_EQ(p.size(), static_cast<size_t>(d1 * d2));
  for (int64_t u = 0; u < d1; ++u) {
    for (int64_t v = 0; v < d2; ++v) {
      const double d = distance(u, v, d1, d2);
      const double expected = d == 0 ? 0.0 : std::exp(-std::pow((d * d - fc * fc) / (d * w), 2));
      EXPECT_NEAR(p[u * d2 + v], expected, 1e-15) << u << "," << v;
    }
  }
  // Signed frequencies: u = 8 of d1 = 9 is frequency -1, v = 6 of d2 = 12 is -6 (Nyquist).
  EXPECT_DOUBLE_EQ(p[8 * d2 + 0], p[1 * d2 + 0]);
  EXPECT_NEAR(p[0 * d2 + 6], std::exp(-std::pow((36.0 - 9.0) / (6.0 * w), 2)), 1e-15);
}

TEST(FrequencyBiasMap, LimitAtZeroFrequency) {
  EXPECT_EQ(frequency_bias_map(4, 4, 0.0, 1.0)[0], 1.0);
  EXPECT_EQ(frequency_bias_map(4, 4, 0.5, 1.0)[0], 0.0);
  // With fc = 0 the map is exp(-(D/W)^2): a low-pass Gaussian peaking at (0, 0).
  const std::vector<double> p = frequency_bias_map(16, 16, 0.0, 4.0);
  EXPECT_EQ(*std::max_element(p.begin(), p.end()), p[0]);
  EXPECT_NEAR(p[1], std::exp(-1.0 / 16.0), 1e-15);
}

TEST(FrequencyBiasMap, SymmetricUnderNegation) {
  for (auto [d1, d2] : {std::pair<int64_t, int64_t>{8, 8}, {7, 10}, {9, 5}, {1, 6}}) {
    const std::vector<double> p = frequency_bias_map(d1, d2, 2.0, 1.5);
    for (int64_t u = 0; u < d1; ++u) {
      for (int64_t v = 0; v < d2; ++v) {
        const int64_t mu = (d1 - u) % d1, mv = (d2 - v) % d2;
        EXPECT_EQ(p[u * d2 + v], p[mu * d2 + mv]) << d1 << "x" << d2 << " " << u << "," << v;
      }
    }
  }
}

TEST(FrequencyBiasMap, PeaksOnTheBand) {
  // On a 768 x 768 map (the paper's Figure 3) the maximum lies on the ring D = fc.
  const int64_t d = 768;
  const std::vector<double> p = frequency_bias_map(d, d, 100.0, 200.0);
  const auto best = std::max_element(p.begin(), p.end()) - p.begin();
  EXPECT_NEAR(distance(best / d, best % d, d, d), 100.0, 1.0);
}

TEST(FrequencyBiasMap, RejectsBadBand) {
  expect_error([] { frequency_bias_map(4, 4, -1.0, 1.0); }, {"frequency_bias_map", "fc=-1"});
  expect_error([] { frequency_bias_map(4, 4, 1.0, 0.0); }, {"frequency_bias_map", "width=0"});
  expect_error([] { frequency_bias_map(4, 4, 1.0, -2.0); }, {"frequency_bias_map", "width=-2"});
  expect_error([] { frequency_bias_map(4, 4, NAN, 1.0); }, {"frequency_bias_map", "fc=nan"});
  expect_error([] { frequency_bias_map(0, 4, 1.0, 1.0); }, {"frequency_bias_map", "d1=0"});
}

// ---- frequency_biased_entries ------------------------------------------------------------------

TEST(FrequencyBiasedEntries, ExactlyNDistinctInRange) {
  for (auto [d1, d2, n] : {std::tuple<int64_t, int64_t, int64_t>{64, 48, 300},
                           {7, 5, 35},
                           {768, 768, 1000},
                           {1, 9, 3}}) {
    const SpectralEntries e = frequency_biased_entries(d1, d2, n, 0.0, 4.0, 777);
    EXPECT_EQ(e.d1, d1);
    EXPECT_EQ(e.d2, d2);
    EXPECT_EQ(e.size(), n);
    EXPECT_NO_THROW(validate_entries(e));
  }
}

TEST(FrequencyBiasedEntries, DeterministicPerSeedAndSeedsDiffer) {
  const SpectralEntries a = frequency_biased_entries(96, 80, 200, 20.0, 10.0, 2024);
  const SpectralEntries b = frequency_biased_entries(96, 80, 200, 20.0, 10.0, 2024);
  const SpectralEntries c = frequency_biased_entries(96, 80, 200, 20.0, 10.0, 2025);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.cols, b.cols);
  EXPECT_TRUE(a.rows != c.rows || a.cols != c.cols);
}

TEST(FrequencyBiasedEntries, PrefixOfALargerSampleIsTheSmallerSample) {
  // Entries come out in key order, so n = 50 is the first 50 of n = 200 for the same seed.
  const SpectralEntries small = frequency_biased_entries(40, 40, 50, 5.0, 3.0, 9);
  const SpectralEntries large = frequency_biased_entries(40, 40, 200, 5.0, 3.0, 9);
  EXPECT_TRUE(std::equal(small.rows.begin(), small.rows.end(), large.rows.begin()));
  EXPECT_TRUE(std::equal(small.cols.begin(), small.cols.end(), large.cols.begin()));
}

TEST(FrequencyBiasedEntries, ZeroFrequencyLimit) {
  // fc > 0: the D = 0 cell has probability 0 and is never drawn, even when n = d1*d2 - 1.
  const SpectralEntries e = frequency_biased_entries(6, 5, 29, 1.0, 1.0, 3);
  validate_entries(e);
  for (int64_t l = 0; l < e.size(); ++l) EXPECT_FALSE(e.rows[l] == 0 && e.cols[l] == 0);
  // fc = 0: (0, 0) has p = 1, the largest; as a single draw it comes up with probability
  // 1 / sum(p) (about 0.32 for this low-pass map).
  const std::vector<double> p = frequency_bias_map(32, 32, 0.0, 1.0);
  double total = 0;
  for (double x : p) total += x;
  const int trials = 4000;
  int hits = 0;
  for (int s = 0; s < trials; ++s) {
    const SpectralEntries f = frequency_biased_entries(32, 32, 1, 0.0, 1.0, s);
    hits += f.rows[0] == 0 && f.cols[0] == 0;
  }
  const double expected = trials / total;
  EXPECT_NEAR(hits, expected, 5 * std::sqrt(expected));
}

TEST(FrequencyBiasedEntries, ShortageIsAnError) {
  expect_error([] { frequency_biased_entries(6, 5, 30, 1.0, 1.0, 3); },
               {"frequency_biased_entries", "only 29 cells", "n=30"});
  EXPECT_NO_THROW(frequency_biased_entries(6, 5, 30, 0.0, 1.0, 3));  // fc = 0: all 30 non-zero
}

TEST(FrequencyBiasedEntries, RejectsBadArguments) {
  expect_error([] { frequency_biased_entries(8, 8, 4, -0.5, 1.0, 0); },
               {"frequency_biased_entries", "fc=-0.5"});
  expect_error([] { frequency_biased_entries(8, 8, 4, 1.0, 0.0, 0); },
               {"frequency_biased_entries", "width=0"});
  expect_error([] { frequency_biased_entries(8, 8, 0, 1.0, 1.0, 0); },
               {"frequency_biased_entries", "n=0"});
  expect_error([] { frequency_biased_entries(8, 8, 65, 1.0, 1.0, 0); },
               {"frequency_biased_entries", "n=65"});
  expect_error([] { frequency_biased_entries(8, 0, 1, 1.0, 1.0, 0); },
               {"frequency_biased_entries", "d2=0"});
}

TEST(FrequencyBiasedEntries, MassConcentratesOnTheBand) {
  // 128 x 128, band at fc = 30, width 8: near the ring (D² − fc²)/(D·W) ≈ 2(D − fc)/W, so p falls
  // to exp(−4) at |D − fc| = W and the band |D − fc| < W holds nearly all the mass, while it
  // covers only ~18% of the cells (the fraction uniform draws land in).
  const int64_t d = 128, n = 400;
  const double fc = 30.0, w = 8.0;
  auto in_band = [&](int64_t u, int64_t v) { return std::abs(distance(u, v, d, d) - fc) < w; };
  int64_t band_cells = 0;
  for (int64_t u = 0; u < d; ++u)
    for (int64_t v = 0; v < d; ++v) band_cells += in_band(u, v);
  const double uniform_fraction = static_cast<double>(band_cells) / (d * d);

  const SpectralEntries biased = frequency_biased_entries(d, d, n, fc, w, 777);
  const SpectralEntries uniform = uniform_entries(d, d, n, 777);
  int64_t biased_hits = 0, uniform_hits = 0;
  for (int64_t l = 0; l < n; ++l) {
    biased_hits += in_band(biased.rows[l], biased.cols[l]);
    uniform_hits += in_band(uniform.rows[l], uniform.cols[l]);
  }
  const double biased_fraction = static_cast<double>(biased_hits) / n;
  const double uniform_sample_fraction = static_cast<double>(uniform_hits) / n;
  EXPECT_GT(biased_fraction, 0.9);
  EXPECT_NEAR(uniform_sample_fraction, uniform_fraction, 0.07);
  EXPECT_GT(biased_fraction, 3.0 * uniform_sample_fraction);

  // And the mean |D - fc| of the biased draws is far smaller than that of uniform ones.
  double biased_dev = 0, uniform_dev = 0;
  for (int64_t l = 0; l < n; ++l) {
    biased_dev += std::abs(distance(biased.rows[l], biased.cols[l], d, d) - fc);
    uniform_dev += std::abs(distance(uniform.rows[l], uniform.cols[l], d, d) - fc);
  }
  EXPECT_LT(biased_dev, 0.25 * uniform_dev);
}

TEST(FrequencyBiasedEntries, FollowsTheMapFrequencies) {
  // Single draws (n = 1) over many seeds: the empirical distribution matches p / sum(p).
  const int64_t d1 = 4, d2 = 3;
  const std::vector<double> p = frequency_bias_map(d1, d2, 1.0, 1.0);
  double total = 0;
  for (double x : p) total += x;
  std::vector<int> count(d1 * d2, 0);
  const int trials = 20000;
  for (int s = 0; s < trials; ++s) {
    const SpectralEntries e = frequency_biased_entries(d1, d2, 1, 1.0, 1.0, s);
    ++count[e.rows[0] * d2 + e.cols[0]];
  }
  for (int64_t c = 0; c < d1 * d2; ++c) {
    const double expected = trials * p[c] / total;
    EXPECT_NEAR(count[c], expected, 5 * std::sqrt(expected + 1) + 1) << "cell " << c;
  }
}

}  // namespace
}  // namespace fftune::fourierft
