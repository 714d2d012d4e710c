// Benchmarks of ops/cpu/fft on the shapes FourierFT uses: 2-D real transforms of weight-sized
// matrices (single, and batched x24 as for the 24 adapted q/v layers of RoBERTa-base), and
// row-wise real transforms of (tokens, channels) activations.
//
// Counter "GFLOP/s": the usual 5*N*log2(N) flop count of a complex FFT of N points, halved for
// real transforms (2.5*N*log2(N)), N = n0*n1 per 2-D transform or n per row; times the batch.
// Threads: fftune::num_threads() (FFTUNE_NUM_THREADS). Times are wall-clock.
// The PyTorch twin is bench/reference/fft_torch.py; scripts/bench-fft runs both and compares.
#include <benchmark/benchmark.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/threading.h"
#include "ops/cpu/fft.h"

namespace {

using fftune::cpu::fft::c2r;
using fftune::cpu::fft::c2r_2d;
using fftune::cpu::fft::r2c;
using fftune::cpu::fft::r2c_2d;

std::vector<float> random_floats(int64_t count) {
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(count);
  for (auto& v : x) v = u(gen);
  return x;
}

void set_counters(benchmark::State& state, int64_t points, int64_t batch) {
  const double flops = 2.5 * points * std::log2(static_cast<double>(points)) * batch;
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = fftune::num_threads();
}

// Args: n0, n1, batch.
void BM_r2c_2d(benchmark::State& state) {
  const int64_t n0 = state.range(0), n1 = state.range(1), batch = state.range(2);
  const auto x = random_floats(batch * n0 * n1);
  std::vector<std::complex<float>> y(batch * n0 * (n1 / 2 + 1));
  for (auto _ : state) {
    r2c_2d(x.data(), y.data(), batch, n0, n1);
    benchmark::DoNotOptimize(y.data());
  }
  set_counters(state, n0 * n1, batch);
}

void BM_c2r_2d(benchmark::State& state) {
  const int64_t n0 = state.range(0), n1 = state.range(1), batch = state.range(2);
  const auto x = random_floats(batch * n0 * n1);
  std::vector<std::complex<float>> spectrum(batch * n0 * (n1 / 2 + 1));
  r2c_2d(x.data(), spectrum.data(), batch, n0, n1);
  std::vector<float> y(batch * n0 * n1);
  for (auto _ : state) {
    c2r_2d(spectrum.data(), y.data(), batch, n0, n1);
    benchmark::DoNotOptimize(y.data());
  }
  set_counters(state, n0 * n1, batch);
}

// Row-wise rfft of a (rows, n) activation. Args: rows, n.
void BM_rows_r2c(benchmark::State& state) {
  const int64_t rows = state.range(0), n = state.range(1), bins = n / 2 + 1;
  const auto x = random_floats(rows * n);
  std::vector<std::complex<float>> y(rows * bins);
  for (auto _ : state) {
    r2c(x.data(), y.data(), n, rows, 1, n, 1, bins);
    benchmark::DoNotOptimize(y.data());
  }
  set_counters(state, n, rows);
}

// Batched 4096x4096 (x24) is left out: 1.6 GB in and 1.6 GB out per call, seconds per run.
void shapes_2d(benchmark::internal::Benchmark* b) {
  const int64_t shapes[][2] = {{768, 768}, {768, 3072}, {1024, 1024}, {3072, 768}, {4096, 4096}};
  for (const auto& s : shapes) {
    b->Args({s[0], s[1], 1});
    if (s[0] * s[1] < 4096 * 4096) b->Args({s[0], s[1], 24});
  }
}

BENCHMARK(BM_r2c_2d)->Apply(shapes_2d)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_c2r_2d)->Apply(shapes_2d)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_rows_r2c)
    ->Args({1024, 768})
    ->Args({4096, 768})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
