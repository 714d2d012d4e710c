// What the host entry points of the CUDA kernels need in their signatures, without any CUDA
// header: the stream handle type (cudaStream_t is `CUstream_st*` in the CUDA runtime too), and
// the namespace the entry points live in.
//
// The kernels are built twice: by nvcc into fftune_cuda, and as plain C++ against the emulator
// (ops/cuda/emu) into fftune_cuda_emu. The two builds put their entry points in different
// inline namespaces, so a program that links both (the emulated tests of a CUDA-enabled build)
// gets two distinct sets of symbols, never a silent mix: callers just write fftune::cuda::f.
#pragma once

struct CUstream_st;

#if defined(FFTUNE_CUDA_EMULATION)
#define FFTUNE_CUDA_BUILD emulated
#else
#define FFTUNE_CUDA_BUILD device
#endif

namespace fftune::cuda {
inline namespace FFTUNE_CUDA_BUILD {

using Stream = CUstream_st*;  // nullptr: the default stream

}  // namespace FFTUNE_CUDA_BUILD
}  // namespace fftune::cuda
