// Times the candidate CPU GEMM libraries directly (not through fftune::cpu::gemm) at the
// RoBERTa-base shapes, to choose the one behind ops/cpu/gemm.h. docs/perf.md "GEMM library
// choice" has the table and the command. Each library runs in its own process (scripts pass
// --benchmark_filter) so that one library's idle worker threads never steal cycles from another.
//
// Row-major throughout: C (m×n) = op(A) (m×k) · op(B) (k×n).
#include <benchmark/benchmark.h>
#include <blis.h>  // also declares the standard cblas_sgemm, which OpenBLAS provides here
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

// OpenBLAS's own extensions (its cblas.h would clash with BLIS's declarations).
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" char* openblas_get_config(void);

namespace {

constexpr int kThreads = 2;

struct Shape {
  const char* name;
  bool ta, tb;
  int64_t batch, m, n, k;
};

// Linear forward is X·Wᵀ (W stored out×in), dX = dY·W, dW = dYᵀ·X (trans_a, k = tokens).
const Shape kShapes[] = {
    {"fwd_768x768", false, true, 1, 4096, 768, 768},
    {"fwd_3072x768", false, true, 1, 4096, 3072, 768},
    {"dX_768x768", false, false, 1, 4096, 768, 768},
    {"dX_768x3072", false, false, 1, 4096, 768, 3072},
    {"dW_768x768", true, false, 1, 768, 768, 4096},
    {"dW_3072x768", true, false, 1, 3072, 768, 4096},
    {"attn_QKt_96x128x128x64", false, true, 96, 128, 128, 64},
    {"attn_PV_96x128x64x128", false, false, 96, 128, 64, 128},
};

struct Operands {
  std::vector<float> a, b, c;
  int64_t lda, ldb, ldc, sa, sb, sc;
};

Operands make_operands(const Shape& s) {
  Operands o;
  int64_t a_rows = s.ta ? s.k : s.m, a_cols = s.ta ? s.m : s.k;
  int64_t b_rows = s.tb ? s.n : s.k, b_cols = s.tb ? s.k : s.n;
  o.lda = a_cols;
  o.ldb = b_cols;
  o.ldc = s.n;
  o.sa = a_rows * a_cols;
  o.sb = b_rows * b_cols;
  o.sc = s.m * s.n;
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  o.a.resize(o.sa * s.batch);
  o.b.resize(o.sb * s.batch);
  o.c.assign(o.sc * s.batch, 0.0f);
  for (auto& v : o.a) v = dist(gen);
  for (auto& v : o.b) v = dist(gen);
  return o;
}

// Checks 64 sampled entries of every matrix against a double-precision dot product.
void check(const Shape& s, const Operands& o, benchmark::State& state) {
  std::mt19937 gen(7);
  for (int t = 0; t < 64; ++t) {
    int64_t bi = gen() % s.batch, i = gen() % s.m, j = gen() % s.n;
    const float* a = o.a.data() + bi * o.sa;
    const float* b = o.b.data() + bi * o.sb;
    double ref = 0.0, mag = 0.0;
    for (int64_t p = 0; p < s.k; ++p) {
      double x = s.ta ? a[p * o.lda + i] : a[i * o.lda + p];
      double y = s.tb ? b[j * o.ldb + p] : b[p * o.ldb + j];
      ref += x * y;
      mag += std::abs(x * y);
    }
    double got = o.c[bi * o.sc + i * o.ldc + j];
    if (std::abs(got - ref) > 1e-5 * mag + 1e-6) {
      state.SkipWithError("wrong result");
      std::fprintf(stderr, "%s: C[%ld][%ld][%ld] = %g, expected %g\n", s.name, long(bi), long(i),
                   long(j), got, ref);
      return;
    }
  }
}

enum class Lib { kOneDnn, kOpenBlas, kBlis };
// kLibraryThreads: one library call per matrix, the library using both threads.
// kBatchLoop: an OpenMP loop over the batch, each call single-threaded.
enum class Batch { kLibraryThreads, kBatchLoop };

void set_library_threads(Lib lib, int n) {
  if (lib == Lib::kOpenBlas) openblas_set_num_threads(n);
  if (lib == Lib::kBlis) bli_thread_set_num_threads(n);
  omp_set_num_threads(lib == Lib::kOneDnn ? n : kThreads);
}

void one_gemm(Lib lib, const Shape& s, const float* a, int64_t lda, const float* b, int64_t ldb,
              float* c, int64_t ldc) {
  float alpha = 1.0f, beta = 0.0f;
  switch (lib) {
    case Lib::kOneDnn:
      if (dnnl_sgemm(s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n, s.k, alpha, a, lda, b, ldb, beta,
                     c, ldc) != dnnl_success)
        std::abort();
      break;
    case Lib::kOpenBlas:
      cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans,
                  s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, c, ldc);
      break;
    case Lib::kBlis:
      bli_sgemm(s.ta ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                s.tb ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, s.m, s.n, s.k, &alpha,
                const_cast<float*>(a), lda, 1, const_cast<float*>(b), ldb, 1, &beta, c, ldc, 1);
      break;
  }
}

void run(benchmark::State& state, Lib lib, Batch mode, const Shape& s) {
  Operands o = make_operands(s);
  auto body = [&] {
    if (mode == Batch::kBatchLoop) {
#pragma omp parallel for num_threads(kThreads) schedule(static)
      for (int64_t i = 0; i < s.batch; ++i)
        one_gemm(lib, s, o.a.data() + i * o.sa, o.lda, o.b.data() + i * o.sb, o.ldb,
                 o.c.data() + i * o.sc, o.ldc);
    } else {
      for (int64_t i = 0; i < s.batch; ++i)
        one_gemm(lib, s, o.a.data() + i * o.sa, o.lda, o.b.data() + i * o.sb, o.ldb,
                 o.c.data() + i * o.sc, o.ldc);
    }
  };
  set_library_threads(lib, mode == Batch::kBatchLoop ? 1 : kThreads);
  body();
  check(s, o, state);
  for (auto _ : state) {
    body();
    benchmark::DoNotOptimize(o.c.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * s.batch * s.m * s.n * s.k * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

int register_all() {
  const std::pair<Lib, const char*> libs[] = {
      {Lib::kOneDnn, "oneDNN"}, {Lib::kOpenBlas, "OpenBLAS"}, {Lib::kBlis, "BLIS"}};
  for (auto [lib, lib_name] : libs) {
    for (const Shape& s : kShapes) {
      std::vector<Batch> modes = {Batch::kLibraryThreads};
      if (s.batch > 1) modes.push_back(Batch::kBatchLoop);
      for (Batch mode : modes) {
        std::string name = std::string(lib_name) + "/" + s.name +
                           (mode == Batch::kBatchLoop ? "/omp_batch_loop" : "");
        benchmark::RegisterBenchmark(
            name.c_str(), [lib = lib, mode, s](benchmark::State& st) { run(st, lib, mode, s); })
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond)
            ->MinTime(0.2);
      }
    }
  }
  return 0;
}

const int registered = register_all();

}  // namespace

int main(int argc, char** argv) {
  std::printf("oneDNN %d.%d.%d; %s; BLIS %s (arch %s)\n", dnnl_version()->major,
              dnnl_version()->minor, dnnl_version()->patch, openblas_get_config(),
              bli_info_get_version_str(), bli_arch_string(bli_arch_query_id()));
  // OpenBLAS and BLIS both export cblas_sgemm: make sure the OpenBLAS one is what runs here.
  Dl_info info{};
  dladdr(reinterpret_cast<void*>(&cblas_sgemm), &info);
  std::printf("cblas_sgemm comes from %s\n", info.dli_fname);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return registered;
}
