// The CUDA surface for kernels compiled as plain C++ (DESIGN.md §5.3). Included through
// ops/cuda/launch.h when the compiler is not nvcc; the same .cu source then runs on the CPU,
// one fiber per CUDA thread (runtime.h), so that every hand-written kernel is tested in CI.
//
// Two source rules, both because plain C++ cannot give a `__shared__` declaration a hook:
//   - static shared memory is declared with FFTUNE_SHARED(type, name, [dims]) (never
//     `__shared__`, which is an error here), so that the emulator can poison it at block start;
//   - dynamic shared memory with FFTUNE_DYNAMIC_SHARED(type, name) (never `extern __shared__`).
// Both are thread_local: one worker OS thread runs one block at a time, all its fibers see them.
//
// What is not emulated: inline PTX, tensor-core instructions, grid-wide sync, shuffles with a
// partial mask (abort), misaligned vector loads (undetected), memory ordering between blocks.
#pragma once

#if defined(__CUDACC__)
#error "ops/cuda/emu/emu.h is for plain C++ builds; nvcc uses the real CUDA headers"
#endif

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ops/cuda/emu/runtime.h"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ \
  _Pragma("GCC error \"emulated CUDA: declare static shared memory with FFTUNE_SHARED\"")

#define threadIdx (::fftune::emu::thread_idx())
#define blockIdx (::fftune::emu::block_idx())
#define blockDim (::fftune::emu::block_dim())
#define gridDim (::fftune::emu::grid_dim())

#define FFTUNE_SHARED(type, name, dims)           \
  alignas(16) static thread_local type name dims; \
  ::fftune::emu::poison_shared(&name, sizeof(name))
#define FFTUNE_DYNAMIC_SHARED(type, name) \
  type* name = reinterpret_cast<type*>(::fftune::emu::dynamic_shared())

typedef struct CUstream_st* cudaStream_t;

constexpr int warpSize = 32;

struct alignas(16) float4 {
  float x, y, z, w;
};
struct alignas(8) float2 {
  float x, y;
};
struct alignas(16) double2 {
  double x, y;
};
inline float4 make_float4(float x, float y, float z, float w) {
  return {x, y, z, w};
}
inline float2 make_float2(float x, float y) {
  return {x, y};
}

inline void __syncthreads() {
  ::fftune::emu::sync_block();
}
inline void __syncwarp(unsigned mask = 0xffffffffu) {
  ::fftune::emu::sync_warp(mask);
}

namespace fftune::emu {
template <typename T>
T exchange_as(unsigned mask, T value, int src_lane, const char* what) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffles move 8 bytes or less");
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  bits = warp_exchange(mask, bits, src_lane, what);
  std::memcpy(&value, &bits, sizeof(T));
  return value;
}
}  // namespace fftune::emu

// The shuffles, with CUDA's rules for a source lane outside the caller's `width` segment.
template <typename T>
T __shfl_sync(unsigned mask, T var, int src_lane, int width = warpSize) {
  const int lane = ::fftune::emu::lane_id();
  const int src = (lane & ~(width - 1)) + (src_lane & (width - 1));
  return ::fftune::emu::exchange_as(mask, var, src, "__shfl_sync");
}
template <typename T>
T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
  const int lane = ::fftune::emu::lane_id();
  const bool inside = (lane & (width - 1)) + static_cast<int>(delta) < width;
  return ::fftune::emu::exchange_as(mask, var, inside ? lane + static_cast<int>(delta) : lane,
                                    "__shfl_down_sync");
}
template <typename T>
T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
  const int lane = ::fftune::emu::lane_id();
  const bool inside = (lane & (width - 1)) >= static_cast<int>(delta);
  return ::fftune::emu::exchange_as(mask, var, inside ? lane - static_cast<int>(delta) : lane,
                                    "__shfl_up_sync");
}
template <typename T>
T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = warpSize) {
  const int lane = ::fftune::emu::lane_id();
  const int src = lane ^ lane_mask;
  const bool inside = (src & ~(width - 1)) == (lane & ~(width - 1));
  return ::fftune::emu::exchange_as(mask, var, inside ? src : lane, "__shfl_xor_sync");
}

// Atomics: std::atomic_ref keeps them correct should several workers ever run blocks at once.
template <typename T>
T atomicAdd(T* address, T value) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, int> ||
                    std::is_same_v<T, unsigned> || std::is_same_v<T, unsigned long long>,
                "atomicAdd: a type CUDA has no atomicAdd for");
  return std::atomic_ref<T>(*address).fetch_add(value, std::memory_order_relaxed);
}

// Intrinsics: the fast-math ones are exact here, so compare with tolerances (a GPU rounds them).
inline float __expf(float x) {
  return std::exp(x);
}
inline float __logf(float x) {
  return std::log(x);
}
inline float __fdividef(float a, float b) {
  return a / b;
}
inline float rsqrtf(float x) {
  return 1.0f / std::sqrt(x);
}
inline double rsqrt(double x) {
  return 1.0 / std::sqrt(x);
}
template <typename T>
T __ldg(const T* p) {
  return *p;
}
