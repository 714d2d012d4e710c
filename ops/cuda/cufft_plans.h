// cuFFT behind the FFT kernels' contract (ops/cpu/fft_kernels.h): contiguous batches of 1-D or
// 2-D transforms over the last dims, R2C, C2R and C2C, on the device's stream. Plans are cached
// by FftPlanKey (library_mapping.h: kind, sizes, batch, precision). cuFFT is unnormalised like
// the CPU kernels; `scale` multiplies the result (cuBLAS scal). C2R overwrites its input in
// cuFFT, so the input is copied to scratch memory first and the caller's tensor is left as is —
// unless the caller says the input is its own scratch buffer (input_is_scratch), as the
// FourierFT forward's half spectrum is.
#pragma once

#include <cstddef>

#include "ops/cuda/library_mapping.h"

namespace fftune::cuda {

// in/out: device memory holding key.batch contiguous transforms (complex as interleaved re, im).
void fft_execute(const FftPlanKey& key, const void* in, void* out, bool inverse, double scale,
                 bool input_is_scratch = false);
// Cached plans (for tests and the benchmarks), and dropping them all.
size_t fft_plan_cache_size();
void clear_fft_plan_cache();

}  // namespace fftune::cuda
