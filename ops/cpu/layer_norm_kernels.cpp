#include "ops/cpu/layer_norm_kernels.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/threading.h"
#include "ops/cpu/loops.h"

namespace fftune::cpu {

// Two passes over each row (sum, then the sum of squared deviations): the row is in L1 after
// the first, and the centred second pass has none of the cancellation of E[x²] − E[x]².
void layer_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t BT, int64_t C,
                        double eps) {
  dispatch_float(x.dtype(), "layer_norm", [&]<typename T>() {
    const T* px = x.data<T>();
    const T* pw = weight.defined() ? weight.data<T>() : nullptr;
    const T* pb = bias.defined() ? bias.data<T>() : nullptr;
    T* py = y.data<T>();
    T* pmean = mean.data<T>();
    T* prstd = rstd.data<T>();
#pragma omp parallel for schedule(static) if (BT > 1 && BT * C >= kParallelGrain) \
    num_threads(num_threads())
    for (int64_t r = 0; r < BT; ++r) {
      const T* xr = px + r * C;
      T* yr = py + r * C;
      double sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t i = 0; i < C; ++i) sum += xr[i];
      const double mu = sum / static_cast<double>(C);
      double sq = 0;
#pragma omp simd reduction(+ : sq)
      for (int64_t i = 0; i < C; ++i) {
        const double d = xr[i] - mu;
        sq += d * d;
      }
      const double rs = 1.0 / std::sqrt(sq / static_cast<double>(C) + eps);
      pmean[r] = static_cast<T>(mu);
      prstd[r] = static_cast<T>(rs);
      const T m = static_cast<T>(mu), s = static_cast<T>(rs);
      if (pw && pb) {
#pragma omp simd
        for (int64_t i = 0; i < C; ++i) yr[i] = (xr[i] - m) * s * pw[i] + pb[i];
      } else if (pw) {
#pragma omp simd
        for (int64_t i = 0; i < C; ++i) yr[i] = (xr[i] - m) * s * pw[i];
      } else if (pb) {
#pragma omp simd
        for (int64_t i = 0; i < C; ++i) yr[i] = (xr[i] - m) * s + pb[i];
      } else {
#pragma omp simd
        for (int64_t i = 0; i < C; ++i) yr[i] = (xr[i] - m) * s;
      }
    }
  });
}

// One parallel pass over the rows computes dx and, per thread, partial column sums for dweight
// and dbias (in double); the partials are added at the end in thread order, so the result does
// not depend on timing.
void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias,
                         const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t BT, int64_t C) {
  dispatch_float(x.dtype(), "layer_norm_backward", [&]<typename T>() {
    const T* pg = g.data<T>();
    const T* px = x.data<T>();
    const T* pmean = mean.data<T>();
    const T* prstd = rstd.data<T>();
    const T* pw = weight.defined() ? weight.data<T>() : nullptr;
    T* pdx = dx.defined() ? dx.data<T>() : nullptr;
    const bool want_dw = dweight.defined(), want_db = dbias.defined();
    const int threads = BT > 1 && BT * C >= kParallelGrain ? num_threads() : 1;
    std::vector<double> dw_part(want_dw ? threads * C : 0, 0.0);
    std::vector<double> db_part(want_db ? threads * C : 0, 0.0);

#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num();
      double* dwp = want_dw ? dw_part.data() + t * C : nullptr;
      double* dbp = want_db ? db_part.data() + t * C : nullptr;
      std::vector<T> xhat(C), ghat(C);  // this row's x̂ and ĝ
#pragma omp for schedule(static)
      for (int64_t r = 0; r < BT; ++r) {
        const T* gr = pg + r * C;
        const T* xr = px + r * C;
        const T m = pmean[r], s = prstd[r];
        T* xh = xhat.data();
        T* gh = ghat.data();
        double sum_gh = 0, sum_gh_xh = 0;
#pragma omp simd reduction(+ : sum_gh, sum_gh_xh)
        for (int64_t i = 0; i < C; ++i) {
          xh[i] = (xr[i] - m) * s;
          gh[i] = pw ? gr[i] * pw[i] : gr[i];
          sum_gh += gh[i];
          sum_gh_xh += gh[i] * xh[i];
        }
        if (pdx) {
          const T a = static_cast<T>(sum_gh / static_cast<double>(C));
          const T b = static_cast<T>(sum_gh_xh / static_cast<double>(C));
          T* dxr = pdx + r * C;
#pragma omp simd
          for (int64_t i = 0; i < C; ++i) dxr[i] = s * (gh[i] - a - xh[i] * b);
        }
        if (dwp) {
#pragma omp simd
          for (int64_t i = 0; i < C; ++i) dwp[i] += static_cast<double>(gr[i]) * xh[i];
        }
        if (dbp) {
#pragma omp simd
          for (int64_t i = 0; i < C; ++i) dbp[i] += gr[i];
        }
      }
    }

    auto reduce_parts = [&](const Tensor& out, const std::vector<double>& parts) {
      T* po = out.data<T>();
      for (int64_t i = 0; i < C; ++i) {
        double acc = 0;
        for (int t = 0; t < threads; ++t) acc += parts[t * C + i];
        po[i] = static_cast<T>(acc);
      }
    };
    if (want_dw) reduce_parts(dweight, dw_part);
    if (want_db) reduce_parts(dbias, db_part);
  });
}

}  // namespace fftune::cpu
