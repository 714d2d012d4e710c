// See spectral_ops.h.
#include "ops/cuda/spectral_ops.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "core/determinism.h"
#include "core/tensor/factory.h"
#include "ops/cuda/cufft_plans.h"
#include "ops/cuda/device.h"
#include "ops/cuda/spectral_kernels.h"
#include "ops/spectral_math.h"

namespace fftune::cuda {
namespace {

// A tensor's data as T (its real scalar type for complex tensors: (re, im) pairs).
template <typename T>
T* reals(const Tensor& t) {
  return static_cast<T*>(t.raw_data());
}

// The entries of one spectral adapter on the device, keyed by their values.
struct DeviceEntries {
  int64_t d1 = 0, d2 = 0;
  std::vector<int64_t> rows, cols;  // the key: host copies
  Tensor device_rows, device_cols;  // (N) i64 on the device
  // Note [deterministic spectral scatter] (spectral_kernels.h), made when first needed.
  Tensor cells, offsets, sources;
  const int64_t* rows_data() const { return device_rows.data<int64_t>(); }
  const int64_t* cols_data() const { return device_cols.data<int64_t>(); }
};

std::shared_ptr<const DeviceEntries> device_entries(const int64_t* rows, const int64_t* cols,
                                                    int64_t n, int64_t d1, int64_t d2,
                                                    bool with_plan) {
  constexpr size_t kMaxEntrySets = 64;  // adapters of a model share a handful of entry sets
  static std::mutex mutex;
  // Never destroyed: it holds device memory, which must not be freed after the CUDA runtime
  // shuts down (device.cpp's runtime()).
  static auto* cache = new std::vector<std::shared_ptr<DeviceEntries>>;
  std::lock_guard<std::mutex> lock(mutex);
  std::shared_ptr<DeviceEntries> found;
  for (const auto& e : *cache)
    if (e->d1 == d1 && e->d2 == d2 && static_cast<int64_t>(e->rows.size()) == n &&
        std::equal(rows, rows + n, e->rows.begin()) && std::equal(cols, cols + n, e->cols.begin()))
      found = e;
  if (!found) {
    if (cache->size() == kMaxEntrySets) cache->erase(cache->begin());  // the oldest
    found = std::make_shared<DeviceEntries>();
    found->d1 = d1;
    found->d2 = d2;
    found->rows.assign(rows, rows + n);
    found->cols.assign(cols, cols + n);
    found->device_rows = from_vector(found->rows, {n}, Device::cuda());
    found->device_cols = from_vector(found->cols, {n}, Device::cuda());
    cache->push_back(found);
  }
  if (with_plan && !found->cells.defined()) {
    const HermitianScatterPlan plan = hermitian_scatter_plan(rows, cols, n, d1, d2);
    const auto size = [](const std::vector<int64_t>& v) { return static_cast<int64_t>(v.size()); };
    found->cells = from_vector(plan.cells, {size(plan.cells)}, Device::cuda());
    found->offsets = from_vector(plan.offsets, {size(plan.offsets)}, Device::cuda());
    found->sources = from_vector(plan.sources, {size(plan.sources)}, Device::cuda());
  }
  return found;
}

}  // namespace

void hermitian_scatter(const Tensor& half, const Tensor& coeffs, const int64_t* rows,
                       const int64_t* cols, int64_t d1, int64_t d2, std::complex<double> w,
                       double scale) {
  const int64_t n = coeffs.numel();
  const bool deterministic = deterministic_algorithms();
  const auto entries = device_entries(rows, cols, n, d1, d2, deterministic);
  dispatch_float(real_dtype(coeffs.dtype()), "spectral_delta", [&]<typename T>() {
    const T w_re = static_cast<T>(w.real()), w_im = static_cast<T>(w.imag());
    if (deterministic)
      hermitian_scatter_by_cell<T>(reals<T>(half), reals<T>(coeffs), entries->cells.data<int64_t>(),
                                   entries->offsets.data<int64_t>(),
                                   entries->sources.data<int64_t>(), entries->cells.numel(), w_re,
                                   w_im, static_cast<T>(scale), stream());
    else
      hermitian_scatter<T>(reals<T>(half), reals<T>(coeffs), entries->rows_data(),
                           entries->cols_data(), n, d1, d2, w_re, w_im, static_cast<T>(scale),
                           stream());
  });
}

void mirrored_gather(const Tensor& dcoeffs, const Tensor& half, const int64_t* rows,
                     const int64_t* cols, int64_t d1, int64_t d2, std::complex<double> w,
                     double scale) {
  const int64_t n = dcoeffs.numel();
  const auto entries = device_entries(rows, cols, n, d1, d2, /*with_plan=*/false);
  dispatch_float(real_dtype(dcoeffs.dtype()), "spectral_delta", [&]<typename T>() {
    mirrored_gather<T>(reals<T>(dcoeffs), reals<T>(half), entries->rows_data(),
                       entries->cols_data(), n, d1, d2, static_cast<T>(w.real()),
                       static_cast<T>(w.imag()), static_cast<T>(scale), stream());
  });
}

void row_fft_gather(const Tensor& dcoeffs, const Tensor& a, const Tensor& b, const int64_t* rows,
                    const int64_t* cols, int64_t d1, int64_t d2, double scale) {
  FFTUNE_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(1) &&
                   a.size(0) == half_bins(d2) && b.size(0) == half_bins(d1),
               "row_fft_gather: row spectra ", a.shape(), " and ", b.shape(), " do not match a ",
               d1, " x ", d2, " spectrum");
  const int64_t n = dcoeffs.numel();
  const auto entries = device_entries(rows, cols, n, d1, d2, /*with_plan=*/false);
  dispatch_float(real_dtype(dcoeffs.dtype()), "fourierft_linear", [&]<typename T>() {
    row_fft_gather<T>(reals<T>(dcoeffs), reals<T>(a), reals<T>(b), entries->rows_data(),
                      entries->cols_data(), n, a.size(1), d1, d2, static_cast<T>(scale), stream());
  });
}

void row_spectra(const Tensor& out, const Tensor& x) {
  const int64_t tokens = x.size(0), n = x.size(1);
  if (x.numel() == 0) return;
  Tensor by_token = empty({tokens, half_bins(n)}, out.dtype(), out.device());  // (T, n/2 + 1)
  const FftPlanKey key = fft_plan_key(FftKind::kR2C, x.dtype() == DType::f64, {tokens, n}, 1);
  fft_execute(key, x.raw_data(), by_token.raw_data(), /*inverse=*/false, 1.0);
  Tensor bins_major = out;
  bins_major.copy_(by_token.transpose(0, 1));
}

void spectral_c2r(const Tensor& delta, const Tensor& half) {
  if (delta.numel() == 0) return;
  const FftPlanKey key =
      fft_plan_key(FftKind::kC2R, delta.dtype() == DType::f64, {delta.size(0), delta.size(1)}, 2);
  fft_execute(key, half.raw_data(), delta.raw_data(), /*inverse=*/true, 1.0,
              /*input_is_scratch=*/true);
}

void spectral_r2c(const Tensor& half, const Tensor& g) {
  if (g.numel() == 0) return;
  const FftPlanKey key =
      fft_plan_key(FftKind::kR2C, g.dtype() == DType::f64, {g.size(0), g.size(1)}, 2);
  fft_execute(key, g.raw_data(), half.raw_data(), /*inverse=*/false, 1.0);
}

}  // namespace fftune::cuda
