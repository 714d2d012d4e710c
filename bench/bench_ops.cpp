// The memory-bound ops of a transformer step at the RoBERTa-base FFN shape (4096 tokens ×
// 3072) — softmax, layer_norm, gelu, add, dropout (p = 0.1) — forward and backward, and a plain
// copy that measures the machine's memory bandwidth for the same bytes.
// bench/reference/ops_torch.py times the same calls in PyTorch; scripts/bench-compare ops prints
// the ratios.
#include <benchmark/benchmark.h>

#include <functional>
#include <string>

#include "ops/ops.h"

namespace fftune {
namespace {

constexpr int64_t kRows = 4096, kCols = 3072;

Tensor input(uint64_t seed, bool requires_grad = false) {
  Generator gen(seed);
  Tensor t = randn({kRows, kCols}, DType::f32, Device::cpu(), &gen);
  return requires_grad ? t.set_requires_grad(true) : t;
}

// Times f(x) with no graph.
void bench_forward(benchmark::State& state, std::function<Tensor(const Tensor&)> f) {
  NoGradGuard no_grad;
  const Tensor x = input(1);
  for (auto _ : state) benchmark::DoNotOptimize(f(x).raw_data());
  state.SetBytesProcessed(state.iterations() * 2 * kRows * kCols * 4);
}

// Times the backward of f (forward excluded).
void bench_backward(benchmark::State& state, std::function<Tensor(const Tensor&)> f) {
  Tensor x = input(1, true);
  const Tensor g = input(2);
  for (auto _ : state) {
    state.PauseTiming();
    Tensor y = f(x);
    state.ResumeTiming();
    y.backward(g);
    state.PauseTiming();
    x.set_grad(Tensor());
    state.ResumeTiming();
  }
}

void register_all() {
  const Tensor gamma = ones({kCols}), beta = zeros({kCols});
  const Tensor other = input(3);
  const std::pair<const char*, std::function<Tensor(const Tensor&)>> ops[] = {
      {"softmax", [](const Tensor& x) { return softmax(x, -1); }},
      {"layer_norm", [=](const Tensor& x) { return layer_norm(x, {kCols}, gamma, beta); }},
      {"gelu", [](const Tensor& x) { return gelu(x); }},
      {"add", [=](const Tensor& x) { return add(x, other); }},
      {"dropout", [](const Tensor& x) { return dropout(x, 0.1, /*training=*/true); }},
  };
  for (const auto& [name, f] : ops) {
    // The names are shared with bench/reference/ops_torch.py.
    benchmark::RegisterBenchmark((std::string(name) + "_fwd/4096x3072").c_str(), bench_forward, f)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(name) + "_bwd/4096x3072").c_str(), bench_backward, f)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("copy/4096x3072", bench_forward,
                               [](const Tensor& x) { return x.clone(); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace
}  // namespace fftune

int main(int argc, char** argv) {
  fftune::register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
