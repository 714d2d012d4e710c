// Host entry points of the CUDA layer_norm kernels (ops/cuda/layer_norm_kernels.cu); device
// pointers, x viewed as BT contiguous rows of C (BT = B·T tokens, C the normalised size).
#pragma once

#include <cstdint>

#include "core/tensor/tensor.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

// y = (x − mean)·rstd·weight + bias per row; weight and bias (C) may be nullptr (1 and 0).
// Writes mean (BT) and rstd = 1/√(var + eps) (BT), var the biased variance, for the backward.
template <typename T>
void layer_norm_forward(T* y, T* mean, T* rstd, const T* x, const T* weight, const T* bias,
                        int64_t BT, int64_t C, double eps, Stream stream);

// From g = ∂L/∂y (BT, C), with x̂ = (x − mean)·rstd and ĝ = g·weight:
//   dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) per row;  dweight = Σ_rows g·x̂;  dbias = Σ_rows g.
// Each output is written only when non-null; weight may be nullptr (all ones).
template <typename T>
void layer_norm_backward(T* dx, T* dweight, T* dbias, const T* g, const T* x, const T* mean,
                         const T* rstd, const T* weight, int64_t BT, int64_t C, Stream stream);

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda

// The tensor-facing entry points, called by ops/layer_norm.cpp in a CUDA build (defined at the end
// of layer_norm_kernels.cu): each checks the dtype, takes the device pointers and queues the work
// on the device stream.
namespace fftune::cuda {

void layer_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, int64_t BT, int64_t C,
                        double eps);
void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias,
                         const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t BT, int64_t C);

}  // namespace fftune::cuda
