#include "ops/cpu/loss_kernels.h"

#include <cmath>
#include <limits>

#include "core/threading.h"
#include "ops/cpu/loops.h"
#include "ops/cpu/vec_math.h"

namespace fftune::cpu {

// Three passes per row, as Note [softmax passes] (ops/cpu/softmax_kernels.cpp): max; Σ exp
// and Σ x together; then one read of the target logit. Accumulation in double.
void cross_entropy_forward(const Tensor& loss, const Tensor& row_max, const Tensor& log_sum,
                           const Tensor& logits, const Tensor& target, int64_t ignore_index,
                           double smoothing) {
  dispatch_float(logits.dtype(), "cross_entropy", [&]<typename T>() {
    const int64_t M = logits.size(0), C = logits.size(1);
    const T* px = logits.data<T>();
    const int64_t* pt = target.data<int64_t>();
    T* ploss = loss.data<T>();
    T* pmax = row_max.data<T>();
    T* plog_sum = log_sum.data<T>();
#pragma omp parallel for schedule(static) if (M > 1 && M * C >= kParallelGrain) \
    num_threads(num_threads())
    for (int64_t r = 0; r < M; ++r) {
      if (pt[r] == ignore_index) {
        ploss[r] = pmax[r] = plog_sum[r] = T(0);
        continue;
      }
      const T* x = px + r * C;
      T m = -std::numeric_limits<T>::infinity();
#pragma omp simd reduction(max : m)
      for (int64_t c = 0; c < C; ++c) m = x[c] > m ? x[c] : m;
      double s = 0, sum_x = 0;
#pragma omp simd reduction(+ : s, sum_x)
      for (int64_t c = 0; c < C; ++c) {
        s += exp_vectorizable(x[c] - m);
        sum_x += x[c];
      }
      const double lse = static_cast<double>(m) + std::log(s);
      const double nll = lse - static_cast<double>(x[pt[r]]);
      const double smooth = lse - sum_x / static_cast<double>(C);
      ploss[r] = static_cast<T>((1.0 - smoothing) * nll + smoothing * smooth);
      pmax[r] = m;
      plog_sum[r] = static_cast<T>(std::log(s));
    }
  });
}

void cross_entropy_backward(const Tensor& dlogits, const Tensor& grad, int64_t grad_stride,
                            double scale, const Tensor& logits, const Tensor& row_max,
                            const Tensor& log_sum, const Tensor& target, int64_t ignore_index,
                            double smoothing) {
  dispatch_float(logits.dtype(), "cross_entropy_backward", [&]<typename T>() {
    const int64_t M = logits.size(0), C = logits.size(1);
    const T* px = logits.data<T>();
    const T* pmax = row_max.data<T>();
    const T* plog_sum = log_sum.data<T>();
    const T* pg = grad.data<T>();
    const int64_t* pt = target.data<int64_t>();
    T* pd = dlogits.data<T>();
#pragma omp parallel for schedule(static) if (M > 1 && M * C >= kParallelGrain) \
    num_threads(num_threads())
    for (int64_t r = 0; r < M; ++r) {
      T* d = pd + r * C;
      if (pt[r] == ignore_index) {
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) d[c] = T(0);
        continue;
      }
      const T* x = px + r * C;
      const T g = static_cast<T>(static_cast<double>(pg[r * grad_stride]) * scale);
      const T m = pmax[r], log_s = plog_sum[r];
      const T off = static_cast<T>(smoothing / static_cast<double>(C));  // ε/C, every class
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) d[c] = g * (exp_vectorizable((x[c] - m) - log_s) - off);
      d[pt[r]] -= g * static_cast<T>(1.0 - smoothing);
    }
  });
}

}  // namespace fftune::cpu
