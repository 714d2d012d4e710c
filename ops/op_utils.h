// Small helpers shared by the op files: argument checks with the op's name, and the strides an
// operand has when broadcast to an output shape.
#pragma once

#include <vector>

#include "core/tensor/tensor.h"

namespace fftune {

// Each input is defined; all share one device. `op` names the caller in the message.
void check_same_device(const char* op, std::initializer_list<Tensor> tensors);
void check_same_dtype(const char* op, const Tensor& a, const Tensor& b);
void check_defined(const char* op, const Tensor& t, const char* arg);
void check_dtype(const char* op, const Tensor& t, const char* arg, DType expected);

// Strides (in elements) that read `t` as if it had `shape` (NumPy broadcasting: leading dims
// added, size-1 dims repeated with stride 0).
Shape broadcast_strides(const Tensor& t, const Shape& shape);

// Dims as a sorted, de-duplicated list of non-negative indices; empty = all dims.
std::vector<int64_t> normalize_dims(const std::vector<int64_t>& dims, int64_t ndim, const char* op);

}  // namespace fftune

namespace fftune {
// Ends an op that has no kernel for a device (e.g. a CUDA tensor in a CPU-only build).
[[noreturn]] void no_kernel(const char* op, Device device);
}  // namespace fftune

// An op's CUDA branch in one line: `else FFTUNE_CUDA_OR_NO_KERNEL(cuda::f(...), op, device);`
// calls the entry point declared in the op's ops/cuda/<family>_kernels.h in a CUDA build, and
// ends with no_kernel in a CPU-only build (where the entry points are declared, never defined).
#if FFTUNE_WITH_CUDA
#define FFTUNE_CUDA_OR_NO_KERNEL(call, op, device) call
#else
#define FFTUNE_CUDA_OR_NO_KERNEL(call, op, device) no_kernel(op, device)
#endif
