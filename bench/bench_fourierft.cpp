// FourierFT's op and layer: fourierft_delta forward + backward at the paper's shapes (one layer,
// and 24 layers as the adapters run them: one transform each), the FourierFTLinear backward at
// the RoBERTa-base q/v shape by both coefficient-gradient paths, and the row-FFT coefficient
// gradient alone (row spectra of X and dY + row_fft_gather) at the RoBERTa-base and ViT-B q/v
// shapes. bench/reference/fourierft_torch.py
// times what HF peft does for the same work (dense complex spectrum, torch.fft.ifft2, .real,
// autograd); scripts/bench-compare fourierft prints the ratios.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "fourierft/fourierft_linear_op.h"
#include "fourierft/spectral_delta.h"
#include "ops/cpu/spectral_kernels.h"
#include "ops/ops.h"
#include "ops/spectral_math.h"

namespace fftune::fourierft {
namespace {

struct DeltaShape {
  int64_t d1, d2, n, layers;
};

// fourierft_delta forward, then backward of a fixed random gradient into the coefficients, for
// each of s.layers layers.
void bench_delta(benchmark::State& state, DeltaShape s) {
  const SpectralEntries e = uniform_entries(s.d1, s.d2, s.n, 2024);
  Generator gen(1);
  std::vector<Tensor> coeffs;
  for (int64_t l = 0; l < s.layers; ++l)
    coeffs.push_back(randn({s.n}, DType::f32, Device::cpu(), &gen).set_requires_grad(true));
  const Tensor grad = randn({s.d1, s.d2}, DType::f32, Device::cpu(), &gen);
  for (auto _ : state) {
    for (Tensor& c : coeffs) {
      Tensor delta = fourierft_delta(c, e, 300.0);
      delta.backward(grad);
      benchmark::DoNotOptimize(c.grad().raw_data());
      c.set_grad(Tensor());
    }
  }
}

// The layer's backward (forward excluded from the timing) at T tokens.
void bench_linear_backward(benchmark::State& state, int64_t tokens, int64_t d, int64_t n,
                           CoeffGradPath path) {
  const SpectralEntries e = uniform_entries(d, d, n, 2024);
  Generator gen(2);
  Tensor x = randn({tokens, d}, DType::f32, Device::cpu(), &gen).set_requires_grad(true);
  const Tensor w = randn({d, d}, DType::f32, Device::cpu(), &gen);
  const Tensor b = randn({d}, DType::f32, Device::cpu(), &gen);
  Tensor coeffs = randn({n}, DType::f32, Device::cpu(), &gen).set_requires_grad(true);
  const Tensor gy = randn({tokens, d}, DType::f32, Device::cpu(), &gen);
  for (auto _ : state) {
    state.PauseTiming();
    Tensor y = fourierft_linear(x, w, b, coeffs, e, 29.0, path);
    state.ResumeTiming();
    y.backward(gy);
    benchmark::DoNotOptimize(coeffs.grad().raw_data());
    state.PauseTiming();
    x.set_grad(Tensor());
    coeffs.set_grad(Tensor());
    state.ResumeTiming();
  }
}

// The coefficient gradient without G alone (Note [coefficient gradient without G]): the row
// spectra of X and dY, bins-major, and the gather, at T tokens of a d × d layer.
void bench_row_fft_gather(benchmark::State& state, int64_t tokens, int64_t d, int64_t n) {
  const SpectralEntries e = uniform_entries(d, d, n, 2024);
  Generator gen(3);
  const Tensor x = randn({tokens, d}, DType::f32, Device::cpu(), &gen);
  const Tensor gy = randn({tokens, d}, DType::f32, Device::cpu(), &gen);
  const Tensor a = empty({half_bins(d), tokens}, DType::c64);  // (⌊d/2⌋+1, T)
  const Tensor b = empty({half_bins(d), tokens}, DType::c64);
  const Tensor dcoeffs = empty({n}, DType::f32);
  for (auto _ : state) {
    cpu::row_spectra(a, x);
    cpu::row_spectra(b, gy);
    cpu::row_fft_gather(dcoeffs, a, b, e.rows.data(), e.cols.data(), d, d, 0.1);
    benchmark::DoNotOptimize(dcoeffs.raw_data());
  }
}

void register_all() {
  // The names are shared with bench/reference/fourierft_torch.py.
  const DeltaShape shapes[] = {{768, 768, 1000, 1},   {768, 3072, 1000, 1}, {1024, 1024, 1000, 1},
                               {4096, 4096, 2000, 1}, {768, 768, 1000, 24}, {768, 3072, 1000, 24},
                               {1024, 1024, 1000, 24}};
  for (const DeltaShape& s : shapes) {
    const std::string name = "delta_fwd_bwd/" + std::to_string(s.d1) + "x" + std::to_string(s.d2) +
                             "_n" + std::to_string(s.n) + "_L" + std::to_string(s.layers);
    benchmark::RegisterBenchmark(name.c_str(), bench_delta, s)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("linear_bwd/T1024_768_n1000_dense_gradient", bench_linear_backward,
                               1024, 768, 1000, CoeffGradPath::kDenseGradient)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("linear_bwd/T1024_768_n1000_row_fft", bench_linear_backward, 1024,
                               768, 1000, CoeffGradPath::kRowFFT)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("row_fft_gather/T1024_768_n1000", bench_row_fft_gather, 1024, 768,
                               1000)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("row_fft_gather/T1576_768_n3000", bench_row_fft_gather, 1576, 768,
                               3000)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace
}  // namespace fftune::fourierft

int main(int argc, char** argv) {
  fftune::fourierft::register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
