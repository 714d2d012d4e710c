// The Hermitian projection of Note [Hermitian projection before C2R] (fft_kernels.h).
//
// Each thread owns one (batch b, self-mirrored column c, row j ≤ n0/2) triple, grid-stride, and
// rewrites the pair of cells (j, c) and (−j, c) — one cell when j is its own mirror (j = 0, and
// j = n0/2 for even n0). No two threads touch the same cell. Blocks of 256 threads share nothing.
#include "ops/cuda/cufft_plans.h"
#include "ops/cuda/fft_kernels.h"
#include "ops/cuda/kernel_utils.cuh"
#include "ops/cuda/tensor_args.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {
namespace {

constexpr unsigned kThreads = 256;

template <typename T>
__global__ void hermitian_project_kernel(T* __restrict__ half, int64_t batch, int64_t n0,
                                         int64_t n1) {
  const int64_t bins = n1 / 2 + 1;
  const int64_t columns = n1 % 2 == 0 && n1 > 1 ? 2 : 1;  // column 0, and n1/2 for even n1
  const int64_t pairs = n0 / 2 + 1;                       // rows j = 0 .. n0/2
  const int64_t work = batch * columns * pairs;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t t = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < work; t += step) {
    const int64_t j = t % pairs, c = (t / pairs) % columns == 0 ? 0 : n1 / 2,
                  b = t / (pairs * columns);
    const int64_t mj = (n0 - j) % n0;
    T* x = half + 2 * (b * n0 * bins + j * bins + c);
    T* m = half + 2 * (b * n0 * bins + mj * bins + c);
    // (X[j] + conj(X[−j])) / 2, and its conjugate at −j.
    const T re = (x[0] + m[0]) / T(2), im = (x[1] - m[1]) / T(2);
    x[0] = re;
    x[1] = im;
    if (mj != j) {
      m[0] = re;
      m[1] = -im;
    }
  }
}

}  // namespace

template <typename T>
void hermitian_project(T* half, int64_t batch, int64_t n0, int64_t n1, Stream stream) {
  if (batch * n0 * n1 == 0) return;
  const int64_t columns = n1 % 2 == 0 && n1 > 1 ? 2 : 1;
  FFTUNE_LAUNCH(hermitian_project_kernel<T>, grid_for(batch * columns * (n0 / 2 + 1), kThreads),
                kThreads, 0, stream, half, batch, n0, n1);
}

template void hermitian_project<float>(float*, int64_t, int64_t, int64_t, Stream);
template void hermitian_project<double>(double*, int64_t, int64_t, int64_t, Stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// ---- Tensor-facing entry points -----------------------------------------------------------------
// Host code of the device build; the emulated tests call the launchers above directly.
#if !defined(FFTUNE_CUDA_EMULATION)
namespace fftune::cuda {

void fft_c2c_forward(const Tensor& out, const Tensor& x, int ndim, bool inverse, double scale) {
  if (x.numel() == 0) return;
  const FftPlanKey key = fft_plan_key(FftKind::kC2C, x.dtype() == DType::c128, x.shape(), ndim);
  fft_execute(key, x.raw_data(), out.raw_data(), inverse, scale);
}

void fft_r2c_forward(const Tensor& out, const Tensor& x, int ndim, double scale) {
  if (x.numel() == 0) return;
  const FftPlanKey key = fft_plan_key(FftKind::kR2C, x.dtype() == DType::f64, x.shape(), ndim);
  fft_execute(key, x.raw_data(), out.raw_data(), /*inverse=*/false, scale);
}

void fft_c2r_forward(const Tensor& out, const Tensor& x, int ndim, double scale) {
  if (out.numel() == 0) return;
  const FftPlanKey key = fft_plan_key(FftKind::kC2R, out.dtype() == DType::f64, out.shape(), ndim);
  // The copy cuFFT may overwrite, made Hermitian where cuFFT needs it.
  const Tensor half = x.detach().clone();
  dispatch_float(real_dtype(x.dtype()), "irfft", [&]<typename T>() {
    hermitian_project<T>(mutable_reals<T>(half), key.batch, ndim == 2 ? key.n[0] : 1,
                         key.n[ndim - 1], stream());
  });
  fft_execute(key, half.raw_data(), out.raw_data(), /*inverse=*/true, scale,
              /*input_is_scratch=*/true);
}

}  // namespace fftune::cuda
#endif  // !defined(FFTUNE_CUDA_EMULATION)
