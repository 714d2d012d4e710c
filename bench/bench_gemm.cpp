// fftune::cpu::gemm / gemm_batched at the RoBERTa-base shapes (batch 32 × 128 tokens = 4096 rows,
// hidden 768, FFN 3072, 12 heads of 64), and the ViT-B patch-embedding conv2d next to the plain
// GEMM of the same size. bench/reference/gemm_torch.py times the same work in PyTorch;
// scripts/bench-gemm runs both and prints the ratios.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/threading.h"
#include "ops/cpu/conv2d.h"
#include "ops/cpu/gemm.h"

namespace {

struct Shape {
  const char* name;
  bool ta, tb;
  int64_t batch, m, n, k;
};

// The names are shared with gemm_torch.py. Linear forward is X·Wᵀ (W stored out×in).
const Shape kShapes[] = {
    {"fwd_768x768", false, true, 1, 4096, 768, 768},
    {"fwd_3072x768", false, true, 1, 4096, 3072, 768},
    {"dX_768x768", false, false, 1, 4096, 768, 768},
    {"dX_768x3072", false, false, 1, 4096, 768, 3072},
    {"dW_768x768", true, false, 1, 768, 768, 4096},
    {"dW_3072x768", true, false, 1, 3072, 768, 4096},
    {"attn_QKt_96x128x128x64", false, true, 96, 128, 128, 64},
    {"attn_PV_96x128x64x128", false, false, 96, 128, 64, 128},
    // The patch-embedding conv as a GEMM: 8 images × (768 × 196 patches × 768).
    {"patch_gemm_8x768x196x768", false, false, 8, 768, 196, 768},
};

std::vector<float> random_vector(int64_t size) {
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(size));
  for (auto& x : v) x = dist(gen);
  return v;
}

void bench_gemm(benchmark::State& state, const Shape& s) {
  const int64_t lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
  const int64_t sa = s.m * s.k, sb = s.k * s.n, sc = s.m * s.n;
  auto a = random_vector(sa * s.batch), b = random_vector(sb * s.batch);
  std::vector<float> c(sc * s.batch);
  for (auto _ : state) {
    if (s.batch == 1)
      fftune::cpu::gemm(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f,
                        c.data(), s.n);
    else
      fftune::cpu::gemm_batched(s.ta, s.tb, s.batch, s.m, s.n, s.k, 1.0f, a.data(), lda, sa,
                                b.data(), ldb, sb, 0.0f, c.data(), s.n, sc);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * s.batch * s.m * s.n * s.k * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

// ViT-B/16 patch embedding: 8 images 3×224×224 → 768 × 14×14 (im2col + the GEMM above).
void bench_patch_embed(benchmark::State& state) {
  const fftune::cpu::Conv2dShape s{8, 3, 224, 224, 768, 16, 16, 16, 16, 0, 0};
  auto in = random_vector(s.batch * 3 * 224 * 224), weight = random_vector(768 * 3 * 16 * 16);
  auto bias = random_vector(768);
  std::vector<float> out(s.batch * 768 * 196);
  for (auto _ : state) {
    fftune::cpu::conv2d_forward(out.data(), in.data(), weight.data(), bias.data(), s);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * 8 * 768 * 196 * 768 * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

int register_all() {
  for (const Shape& s : kShapes)
    benchmark::RegisterBenchmark((std::string("gemm/") + s.name).c_str(),
                                 [s](benchmark::State& st) { bench_gemm(st, s); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("conv2d/patch_embed_fwd_8x3x224x224_768", bench_patch_embed)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  return 0;
}

const int registered = register_all();

}  // namespace

int main(int argc, char** argv) {
  std::fprintf(stderr, "fftune::cpu::gemm: %s, %d threads\n", fftune::cpu::gemm_library_name(),
               fftune::num_threads());
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return registered;
}
