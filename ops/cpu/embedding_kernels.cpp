#include "ops/cpu/embedding_kernels.h"

#include <algorithm>
#include <cstring>

#include "core/threading.h"
#include "ops/cpu/loops.h"

namespace fftune::cpu {

void embedding_forward(const Tensor& out, const Tensor& weight, const Tensor& indices) {
  dispatch_float(weight.dtype(), "embedding", [&]<typename T>() {
    const int64_t M = indices.numel(), C = weight.size(1);
    const int64_t* idx = indices.data<int64_t>();
    const T* pw = weight.data<T>();
    T* po = out.data<T>();
#pragma omp parallel for schedule(static) if (M > 1 && M * C >= kParallelGrain) \
    num_threads(num_threads())
    for (int64_t m = 0; m < M; ++m) std::memcpy(po + m * C, pw + idx[m] * C, C * sizeof(T));
  });
}

// Two tokens may share an index, so rows cannot be split across threads without races or
// atomics. Columns can: each thread owns a block of columns of every row and walks all tokens
// in order, which also makes the sum order (and the result) independent of the thread count.
void embedding_backward(const Tensor& dweight, const Tensor& g, const Tensor& indices) {
  dispatch_float(dweight.dtype(), "embedding_backward", [&]<typename T>() {
    const int64_t M = indices.numel(), C = dweight.size(1);
    const int64_t* idx = indices.data<int64_t>();
    const T* pg = g.data<T>();
    T* pd = dweight.data<T>();
    constexpr int64_t kMinColumns = 64;  // at least a few cache lines per thread and row
    const int64_t blocks =
        std::max<int64_t>(1, std::min<int64_t>(num_threads(), (C + kMinColumns - 1) / kMinColumns));
    const int64_t width = (C + blocks - 1) / blocks;
#pragma omp parallel for schedule(static) if (blocks > 1 && M * C >= kParallelGrain) \
    num_threads(num_threads())
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t c0 = b * width, c1 = std::min(C, c0 + width);
      for (int64_t m = 0; m < M; ++m) {
        T* row = pd + idx[m] * C;
        const T* gm = pg + m * C;
#pragma omp simd
        for (int64_t c = c0; c < c1; ++c) row[c] += gm[c];
      }
    }
  });
}

}  // namespace fftune::cpu
