// GPU benchmarks of the CUDA backend (issue 5, part 6), run by scripts/gpu_check.sh:
//   1. GEMM: fftune's linear and matmul at RoBERTa-base and ViT-B shapes, in GFLOP/s, against the
//      rate of a bare cuBLAS call on preallocated buffers (what the op adds: allocation, views,
//      dispatch) — and that same call with TF32, the opt-in.
//   2. Bandwidth of each hand-written fused kernel (the bytes it must read and write, over its
//      time) against a device-to-device copy of the same bytes.
//   3. The FourierFT op, forward + backward, at the RoBERTa-base and ViT-B shapes: the ΔW of
//      all adapted layers (one transform per layer, as the adapters run them), and the FourierFT
//      linear layer by both coefficient-gradient paths. bench/reference/fourierft_torch.py --device
//      cuda times HF peft's path for the same names; scripts/gpu_check.sh prints the two side by
//      side.
//
// A plain program rather than Google Benchmark: the GPU machine has no Google Benchmark and no
// network, and Debian packages it as binaries only (libbenchmark-dev has no source to build
// there, unlike GoogleTest's). GPU work is asynchronous, so every time is taken with CUDA events
// on the device stream around a batch of calls after a warm-up — what Google Benchmark would need
// manual timing for anyway. Each number is the median over 5 batches.
//
// Usage: bench_cuda [--quick] [--json FILE]   (--quick: fewer iterations, for a smoke test)
// Prints Markdown tables; --json also writes {"results": {name: {"ms": ...}}} for the comparison.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/determinism.h"
#include "fourierft/entries.h"
#include "fourierft/fourierft_linear_op.h"
#include "fourierft/spectral_delta.h"
#include "ops/cuda/check.h"
#include "ops/cuda/cublas_gemm.h"
#include "ops/cuda/device.h"
#include "ops/ops.h"

namespace fftune {
namespace {

int g_iterations = 20;  // calls per timed batch (--quick: 3)

// Milliseconds per call of f: the median over 5 batches of g_iterations calls, after a warm-up,
// timed by CUDA events on the device stream (the host may queue ahead; the events see the GPU).
double ms_per_call(const std::function<void()>& f) {
  cudaEvent_t start, stop;
  FFTUNE_CUDA_CHECK(cudaEventCreate(&start));
  FFTUNE_CUDA_CHECK(cudaEventCreate(&stop));
  for (int i = 0; i < 3; ++i) f();
  std::vector<double> batches;
  for (int b = 0; b < 5; ++b) {
    FFTUNE_CUDA_CHECK(cudaEventRecord(start, cuda::stream()));
    for (int i = 0; i < g_iterations; ++i) f();
    FFTUNE_CUDA_CHECK(cudaEventRecord(stop, cuda::stream()));
    FFTUNE_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    FFTUNE_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    batches.push_back(ms / g_iterations);
  }
  FFTUNE_CUDA_CHECK(cudaEventDestroy(start));
  FFTUNE_CUDA_CHECK(cudaEventDestroy(stop));
  std::sort(batches.begin(), batches.end());
  return batches[2];
}

Tensor device_randn(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  return randn(shape, DType::f32, Device::cpu(), &gen).to(Device::cuda());
}

std::map<std::string, double> g_results;  // name -> ms, for --json

// ---- 1. GEMM ---------------------------------------------------------------------------------

struct GemmCase {
  const char* name;
  int64_t batch, m, n, k;  // batch > 1: a strided batched matmul (attention scores)
};

void bench_gemm() {
  // RoBERTa-base at batch 32 × 128 tokens (4096 rows), ViT-B/16 at batch 64 × 197 (12608 rows);
  // attention scores are (B·H, T, D)·(B·H, D, T) with H = 12, D = 64.
  const GemmCase cases[] = {
      {"roberta qkvo 4096x768x768", 1, 4096, 768, 768},
      {"roberta ffn up 4096x3072x768", 1, 4096, 3072, 768},
      {"roberta ffn down 4096x768x3072", 1, 4096, 768, 3072},
      {"roberta scores 384x(128x128x64)", 384, 128, 128, 64},
      {"vit qkvo 12608x768x768", 1, 12608, 768, 768},
      {"vit ffn up 12608x3072x768", 1, 12608, 3072, 768},
      {"vit scores 768x(197x197x64)", 768, 197, 197, 64},
  };
  std::printf("\n### GEMM (f32): the op against a bare cuBLAS call\n\n");
  std::printf(
      "| shape (batch x m x n x k) | op ms | op GFLOP/s | cuBLAS GFLOP/s | op / cuBLAS |"
      " cuBLAS TF32 GFLOP/s |\n|---|---|---|---|---|---|\n");
  NoGradGuard no_grad;
  for (const GemmCase& c : cases) {
    const double flops = 2.0 * c.batch * c.m * c.n * c.k;
    double op_ms = 0;
    Tensor a, b, out;
    if (c.batch == 1) {  // linear: x (m, k) · Wᵀ, W (n, k)
      a = device_randn({c.m, c.k}, 1);
      b = device_randn({c.n, c.k}, 2);
      op_ms = ms_per_call([&] { out = linear(a, b); });
    } else {  // matmul: (batch, m, k) · (batch, k, n), the second a transposed view
      a = device_randn({c.batch, c.m, c.k}, 1);
      b = device_randn({c.batch, c.n, c.k}, 2);
      op_ms = ms_per_call([&] { out = matmul(a, b.transpose(1, 2)); });
    }
    Tensor c_buf = empty({c.batch, c.m, c.n}, DType::f32, Device::cuda());
    auto bare = [&] {
      cuda::gemm_batched(false, true, c.batch, c.m, c.n, c.k, 1.0f, a.data<float>(), c.k, c.m * c.k,
                         b.data<float>(), c.k, c.n * c.k, 0.0f, c_buf.data<float>(), c.n,
                         c.m * c.n);
    };
    const double bare_ms = ms_per_call(bare);
    cuda::set_allow_tf32(true);
    const double tf32_ms = ms_per_call(bare);
    cuda::set_allow_tf32(false);
    g_results[std::string("gemm/") + c.name] = op_ms;
    std::printf("| %s | %.3f | %.0f | %.0f | %.2f | %.0f |\n", c.name, op_ms, flops / op_ms / 1e6,
                flops / bare_ms / 1e6, bare_ms / op_ms, flops / tf32_ms / 1e6);
  }
}

// ---- 2. fused kernels' bandwidth ----------------------------------------------------------

struct KernelCase {
  const char* name;
  double bytes;  // read + written
  std::function<void()> run;
};

void bench_bandwidth() {
  NoGradGuard no_grad;
  const int64_t rows = 4096, cols = 3072, n = rows * cols;  // RoBERTa's FFN activations
  const Tensor x = device_randn({rows, cols}, 3), y = device_randn({rows, cols}, 4);
  const Tensor bias = device_randn({cols}, 5);
  const Tensor scores = device_randn({384 * 128, 128}, 6);  // attention probabilities
  const Tensor hidden = device_randn({rows, 768}, 7), ln_w = device_randn({768}, 8),
               ln_b = device_randn({768}, 9);
  const Tensor spectra = zeros({24, 768, 385}, DType::c64, Device::cuda());  // half spectra
  const double f = sizeof(float);
  Tensor out;
  Generator gen(10);
  const std::vector<KernelCase> cases = {
      {"gelu (erf)", 2 * n * f, [&] { out = gelu(x); }},
      {"gelu (tanh)", 2 * n * f, [&] { out = gelu(x, GeluApproximation::kTanh); }},
      {"add, same shape", 3 * n * f, [&] { out = add(x, y); }},
      {"add bias (broadcast)", 2 * n * f, [&] { out = add(x, bias); }},
      {"dropout p=0.1", 2 * n * f, [&] { out = dropout(x, 0.1, true, &gen); }},
      {"transpose copy", 2 * n * f, [&] { out = x.t().contiguous(); }},
      {"sum over rows", n * f, [&] { out = sum(x, {1}); }},
      {"softmax 49152 x 128", 2.0 * scores.numel() * f, [&] { out = softmax(scores, -1); }},
      {"layer_norm 4096 x 768", 2.0 * hidden.numel() * f,
       [&] { out = layer_norm(hidden, {768}, ln_w, ln_b, 1e-5); }},
      {"complex mul c64", 3.0 * spectra.numel() * 2 * f, [&] { out = mul(spectra, spectra); }},
  };
  Tensor copy_dst = empty({rows, cols}, DType::f32, Device::cuda());
  std::printf("\n### Fused kernels: bandwidth against a device-to-device copy\n\n");
  std::printf("| kernel | ms | GB/s | copy GB/s (same bytes) | of copy |\n|---|---|---|---|---|\n");
  for (const KernelCase& c : cases) {
    const double ms = ms_per_call(c.run);
    // A copy moving the same bytes: half read, half written.
    const size_t copy_bytes = std::min<size_t>(static_cast<size_t>(c.bytes / 2), n * sizeof(float));
    const double copy_ms = ms_per_call([&] {
      FFTUNE_CUDA_CHECK(cudaMemcpyAsync(copy_dst.raw_data(), x.raw_data(), copy_bytes,
                                        cudaMemcpyDeviceToDevice, cuda::stream()));
    });
    const double gbs = c.bytes / ms / 1e6, copy_gbs = 2.0 * copy_bytes / copy_ms / 1e6;
    g_results[std::string("kernel/") + c.name] = ms;
    std::printf("| %s | %.4f | %.0f | %.0f | %.0f%% |\n", c.name, ms, gbs, copy_gbs,
                100.0 * gbs / copy_gbs);
  }
}

// ---- 3. the FourierFT op ------------------------------------------------------------------

// ΔW of all adapted layers of one shape, one transform per layer, forward + backward.
double bench_delta(int64_t d, int64_t n, int64_t layers, bool deterministic) {
  const bool before = deterministic_algorithms();
  set_deterministic_algorithms(deterministic);
  const fourierft::SpectralEntries e = fourierft::uniform_entries(d, d, n, 2024);
  std::vector<Tensor> coeffs;
  for (int64_t l = 0; l < layers; ++l)
    coeffs.push_back(device_randn({n}, 11 + 2 * l).set_requires_grad(true));
  const Tensor grad = device_randn({d, d}, 12);
  const double ms = ms_per_call([&] {
    for (Tensor& c : coeffs) {
      fourierft::fourierft_delta(c, e, 300.0).backward(grad);
      c.set_grad(Tensor());
    }
  });
  set_deterministic_algorithms(before);
  return ms;
}

// The FourierFT linear layer (W0 frozen, bias), forward + backward into x and the coefficients.
double bench_linear(int64_t tokens, int64_t d, int64_t n, fourierft::CoeffGradPath path) {
  const fourierft::SpectralEntries e = fourierft::uniform_entries(d, d, n, 2024);
  Tensor x = device_randn({tokens, d}, 13).set_requires_grad(true);
  const Tensor w0 = device_randn({d, d}, 14), b = device_randn({d}, 15);
  Tensor coeffs = device_randn({n}, 16).set_requires_grad(true);
  const Tensor gy = device_randn({tokens, d}, 17);
  return ms_per_call([&] {
    fourierft::fourierft_linear(x, w0, b, coeffs, e, 29.0, path).backward(gy);
    x.set_grad(Tensor());
    coeffs.set_grad(Tensor());
  });
}

void bench_fourierft() {
  std::printf("\n### FourierFT (f32), forward + backward\n\n| name | ms |\n|---|---|\n");
  auto row = [](const std::string& name, double ms) {
    g_results[name] = ms;
    std::printf("| %s | %.3f |\n", name.c_str(), ms);
  };
  // RoBERTa-base (q, v of 12 layers: 24 adapted 768 x 768 weights, n = 1000) and ViT-B
  // (the same 24 weights, n = 3000), as the paper's settings.
  row("delta_fwd_bwd/768x768_n1000_L1", bench_delta(768, 1000, 1, false));
  row("delta_fwd_bwd/768x768_n1000_L24", bench_delta(768, 1000, 24, false));
  row("delta_fwd_bwd/768x768_n3000_L24", bench_delta(768, 3000, 24, false));
  row("delta_fwd_bwd/768x768_n1000_L24_deterministic", bench_delta(768, 1000, 24, true));
  using fourierft::CoeffGradPath;
  row("linear_fwd_bwd/T4096_768_n1000_row_fft",
      bench_linear(4096, 768, 1000, CoeffGradPath::kRowFFT));
  row("linear_fwd_bwd/T4096_768_n1000_dense_gradient",
      bench_linear(4096, 768, 1000, CoeffGradPath::kDenseGradient));
  row("linear_fwd_bwd/T12608_768_n3000_row_fft",
      bench_linear(12608, 768, 3000, CoeffGradPath::kRowFFT));
  row("linear_fwd_bwd/T12608_768_n3000_dense_gradient",
      bench_linear(12608, 768, 3000, CoeffGradPath::kDenseGradient));
}

void write_json(const char* path) {
  std::ofstream out(path);
  out << "{\"results\": {";
  bool first = true;
  for (const auto& [name, ms] : g_results) {
    out << (first ? "" : ", ") << '"' << name << "\": {\"ms\": " << ms << '}';
    first = false;
  }
  out << "}}\n";
  FFTUNE_CHECK(out.good(), "bench_cuda: could not write ", path);
}

}  // namespace
}  // namespace fftune

int main(int argc, char** argv) {
  const char* json = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      fftune::g_iterations = 3;
    } else if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json = argv[++i];
    } else {
      std::fprintf(stderr, "usage: bench_cuda [--quick] [--json FILE]\n");
      return 2;
    }
  }
  try {
    fftune::cuda::require_device();
    cudaDeviceProp prop{};
    FFTUNE_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
    std::printf("## bench_cuda on %s (%d SMs, %.0f GiB)\n", prop.name, prop.multiProcessorCount,
                prop.totalGlobalMem / double(1 << 30));
    fftune::bench_gemm();
    fftune::bench_bandwidth();
    fftune::bench_fourierft();
    if (json) fftune::write_json(json);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_cuda: %s\n", e.what());
    return 1;
  }
  return 0;
}
