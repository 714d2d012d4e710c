#include "ops/cpu/dropout_kernels.h"

#include "core/threading.h"
#include "ops/cpu/loops.h"
#include "ops/dropout_math.h"

namespace fftune::cpu {
namespace {

// Groups of four elements per block: the Philox words of a block fit in 4 KiB on the stack.
constexpr int64_t kBlockGroups = 256;

// Elements [4·g0, 4·g0 + 4·count) of the mask (Note [dropout mask]). Two loops that g++
// vectorises: the Philox calls, one per group, into four word arrays; then each element's
// keep test against its word.
template <typename T>
void dropout_block(T* po, const T* pi, int64_t g0, int64_t count, uint64_t key, uint64_t ctr,
                   float threshold, T s) {
  uint32_t words[4][kBlockGroups];
#pragma omp simd
  for (int64_t j = 0; j < count; ++j) {
    const Philox4x32 r = philox4x32(key, ctr, static_cast<uint64_t>(g0 + j));
    words[0][j] = r.v[0], words[1][j] = r.v[1], words[2][j] = r.v[2], words[3][j] = r.v[3];
  }
  for (int64_t j = 0; j < count; ++j) {
    for (int w = 0; w < 4; ++w) {
      const T x = pi[4 * (g0 + j) + w];
      po[4 * (g0 + j) + w] = dropout_keep_bits(words[w][j], threshold) ? x * s : T(0);
    }
  }
}

}  // namespace

void dropout_apply(const Tensor& out, const Tensor& in, float p, double scale, uint64_t seed,
                   uint64_t stream) {
  dispatch_float(in.dtype(), "dropout", [&]<typename T>() {
    const T* pi = in.data<T>();
    T* po = out.data<T>();
    const T s = static_cast<T>(scale);
    const int64_t n = in.numel();
    const int64_t groups = n / 4;
    const int64_t blocks = (groups + kBlockGroups - 1) / kBlockGroups;
#pragma omp parallel for schedule(static) if (n >= kParallelGrain) num_threads(num_threads())
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t g0 = b * kBlockGroups;
      dropout_block(po, pi, g0, std::min(kBlockGroups, groups - g0), seed, stream, p, s);
    }
    for (int64_t i = 4 * groups; i < n; ++i)  // the last n % 4 elements
      po[i] = dropout_keep(seed, stream, static_cast<uint64_t>(i), p) ? pi[i] * s : T(0);
  });
}

}  // namespace fftune::cpu
