// The CUDA entry points of the spectral adapters (CUDA builds only; the declarations need no CUDA
// header). Each has the Tensor-level contract of its CPU twin (named in the comment), checks the
// dtype, takes raw device pointers and queues the work on the device stream, so that an op file
// dispatches with one branch: `else FFTUNE_CUDA_OR_NO_KERNEL(cuda::f(...), op, device)`
// (ops/op_utils.h). The other ops' entry points are declared in their ops/cuda/*_kernels.h.
#pragma once

#include <complex>
#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/fft_kernels.h"  // cuda::fft_r2c_forward, which fourierft_linear_op.cpp calls
#include "ops/op_utils.h"

namespace fftune::cuda {

// ---- spectral adapters (ops/cuda/spectral_kernels.cu; twins in ops/cpu/spectral_kernels.h) -----
// The entries (rows, cols: N host indices of a d1 × d2 spectrum) are copied to the device once
// per entry set and kept (a small cache keyed by their values), with the plan of Note
// [deterministic spectral scatter] when deterministic mode needs it.
//
// delta (L, d1, d2) real = C2R of the Hermitian half spectrum that the scatter builds from
// coeffs (L, N): the forward of fourierft::spectral_delta (one batched C2R for all L layers).
// In deterministic mode (core/determinism.h) the scatter uses no float atomics.
void spectral_delta_forward(const Tensor& delta, const Tensor& coeffs, const int64_t* rows,
                            const int64_t* cols, int64_t N, int64_t d1, int64_t d2,
                            std::complex<double> w, double scale);
// dcoeffs (L, N) from g (L, d1, d2), contiguous: one batched R2C, then the mirrored gather.
void spectral_delta_backward(const Tensor& dcoeffs, const Tensor& g, const int64_t* rows,
                             const int64_t* cols, int64_t N, int64_t d1, int64_t d2,
                             std::complex<double> w, double scale);
// The row spectra of the coefficient gradient without G: a (T, ⌊d2/2⌋+1) and b (T, ⌊d1/2⌋+1),
// the row-wise R2C of X and dY (cuda::fft_r2c_forward's layout), gathered into dcoeffs (N).
void row_fft_gather(const Tensor& dcoeffs, const Tensor& a, const Tensor& b, const int64_t* rows,
                    const int64_t* cols, int64_t N, int64_t d1, int64_t d2, double scale);

}  // namespace fftune::cuda
