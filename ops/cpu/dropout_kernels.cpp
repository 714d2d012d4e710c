#include "ops/cpu/dropout_kernels.h"

#include "core/threading.h"
#include "ops/cpu/loops.h"
#include "ops/dropout_math.h"

namespace fftune::cpu {

void dropout_apply(const Tensor& out, const Tensor& in, float p, double scale, uint64_t seed,
                   uint64_t stream) {
  dispatch_float(in.dtype(), "dropout", [&]<typename T>() {
    const T* pi = in.data<T>();
    T* po = out.data<T>();
    // Locals, not lambda captures: the vectoriser needs loop-invariant values in registers.
    const T s = static_cast<T>(scale);
    const float threshold = p;
    const uint64_t key = seed, ctr = stream;
    const int64_t n = in.numel();
#pragma omp parallel for simd schedule(static) if (n >= kParallelGrain) num_threads(num_threads())
    for (int64_t i = 0; i < n; ++i)
      po[i] = dropout_keep(key, ctr, static_cast<uint64_t>(i), threshold) ? pi[i] * s : T(0);
  });
}

}  // namespace fftune::cpu
