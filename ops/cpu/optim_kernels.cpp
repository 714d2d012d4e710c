#include "ops/cpu/optim_kernels.h"

#include <cmath>

#include "ops/cpu/loops.h"

namespace fftune::cpu {

void adamw_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                const Tensor& exp_avg_sq, const AdamWStepScalars& s) {
  dispatch_float(param.dtype(), "adamw_step", [&]<typename T>() {
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* m = exp_avg.data<T>();
    T* v = exp_avg_sq.data<T>();
    const int64_t n = param.numel();
    // Scalars rounded to T once, as torch does for a Python number used with a T tensor.
    const T decay = static_cast<T>(s.decay);
    const T one_minus_beta1 = static_cast<T>(1.0 - s.beta1);
    const T beta2 = static_cast<T>(s.beta2);
    const T one_minus_beta2 = static_cast<T>(1.0 - s.beta2);
    const T neg_step_size = static_cast<T>(-s.step_size);
    const T bc2_sqrt = static_cast<T>(s.bias_correction2_sqrt);
    const T eps = static_cast<T>(s.eps);
    const bool decays = s.decay != 1.0;
#pragma omp parallel for simd schedule(static) if (n >= kParallelGrain) num_threads(num_threads())
    for (int64_t i = 0; i < n; ++i) {
      T pi = p[i];
      if (decays) pi = pi * decay;  // p ← p·(1 − lr·wd)
      const T gi = g[i];
      // m ← lerp(m, g, 1 − β1) = m + (1 − β1)(g − m)
      const T mi = m[i] + one_minus_beta1 * (gi - m[i]);
      // v ← β2·v + (1 − β2)·g²
      const T vb = v[i] * beta2;
      const T vi = vb + one_minus_beta2 * gi * gi;
      // p ← p − step_size · m / (√v / √(1 − β2^t) + ε)
      const T denom = std::sqrt(vi) / bc2_sqrt + eps;
      p[i] = pi + neg_step_size * mi / denom;
      m[i] = mi;
      v[i] = vi;
    }
  });
}

void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
              const SGDStepScalars& s) {
  dispatch_float(param.dtype(), "sgd_step", [&]<typename T>() {
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* buf = s.momentum != 0.0 ? momentum_buffer.data<T>() : nullptr;
    const int64_t n = param.numel();
    const T weight_decay = static_cast<T>(s.weight_decay);
    const T momentum = static_cast<T>(s.momentum);
    const T one_minus_dampening = static_cast<T>(1.0 - s.dampening);
    const T neg_lr = static_cast<T>(-s.lr);
    const bool decays = s.weight_decay != 0.0, nesterov = s.nesterov, first = s.first_step;
#pragma omp parallel for schedule(static) if (n >= kParallelGrain) num_threads(num_threads())
    for (int64_t i = 0; i < n; ++i) {
      T d = g[i];
      if (decays) d = d + weight_decay * p[i];  // L2: g ← g + wd·p
      if (buf) {
        // b ← g on the first step, else b ← μ·b + (1 − dampening)·g
        const T b = first ? d : buf[i] * momentum + one_minus_dampening * d;
        buf[i] = b;
        d = nesterov ? d + momentum * b : b;
      }
      p[i] = p[i] + neg_lr * d;
    }
  });
}

}  // namespace fftune::cpu
