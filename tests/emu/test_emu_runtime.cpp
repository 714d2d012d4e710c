// ops/cuda/emu: the emulator itself — indices, __syncthreads over live threads, shuffles,
// shared-memory poisoning, atomics, and the aborts for deadlocks and undefined shuffles.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "core/error.h"
#include "ops/cuda/kernel_utils.cuh"

namespace fftune::cuda {
namespace {

__global__ void write_indices_kernel(int* out) {
  const int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  const int b = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  out[b * blockDim.x * blockDim.y * blockDim.z + t] = b * 1000 + t;
}

TEST(Emu, EveryThreadOfEveryBlockRunsOnceWithItsIndices) {
  const dim3 grid(3, 2, 2), block(4, 3, 2);
  std::vector<int> out(12 * 24, -1);
  FFTUNE_LAUNCH(write_indices_kernel, grid, block, 0, nullptr, out.data());
  for (int b = 0; b < 12; ++b)
    for (int t = 0; t < 24; ++t) EXPECT_EQ(out[b * 24 + t], b * 1000 + t);
}

// Reverses a block's values through shared memory: wrong without the barrier.
__global__ void reverse_kernel(float* out, const float* in) {
  FFTUNE_SHARED(float, tile, [256]);
  const unsigned i = threadIdx.x;
  tile[i] = in[blockIdx.x * blockDim.x + i];
  __syncthreads();
  out[blockIdx.x * blockDim.x + i] = tile[blockDim.x - 1 - i];
}

TEST(Emu, SyncthreadsOrdersSharedMemory) {
  std::vector<float> in(512), out(512);
  std::iota(in.begin(), in.end(), 0.0f);
  FFTUNE_LAUNCH(reverse_kernel, 2, 256, 0, nullptr, out.data(), in.data());
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 256; ++i) EXPECT_EQ(out[b * 256 + i], in[b * 256 + 255 - i]);
}

// Threads past n return at once; the rest still meet at the barrier (exited threads are not
// waited for), then sum the block through shuffles and the shared per-warp partials.
__global__ void early_exit_sum_kernel(float* out, const float* in, int n) {
  FFTUNE_DYNAMIC_SHARED(float, values);
  const int i = threadIdx.x;
  if (i >= n) return;
  values[i] = in[i];
  __syncthreads();
  if (i == 0) {
    float s = 0;
    for (int k = 0; k < n; ++k) s += values[k];
    *out = s;
  }
}

TEST(Emu, ThreadsThatReturnedAreDroppedFromTheBarrier) {
  std::vector<float> in(100, 1.5f);
  float out = 0;
  FFTUNE_LAUNCH(early_exit_sum_kernel, 1, 128, 100 * sizeof(float), nullptr, &out, in.data(), 100);
  EXPECT_EQ(out, 150.0f);
}

__global__ void block_sum_kernel(double* out, const double* in, int n) {
  double v = 0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) v += in[i];
  v = block_sum(v);
  v = block_sum(v * 2);  // twice: the shared partials are reused safely
  if (threadIdx.x == 5) *out = v;
}

TEST(Emu, ShufflesAndBlockSum) {
  std::vector<double> in(1000);
  std::iota(in.begin(), in.end(), 1.0);
  double out = 0;
  for (unsigned threads : {32u, 96u, 1024u}) {
    FFTUNE_LAUNCH(block_sum_kernel, 1, threads, 0, nullptr, &out, in.data(), 1000);
    // Every thread holds the total after the first call; the second sums 2·total per thread.
    EXPECT_EQ(out, 500500.0 * 2 * threads) << threads;
  }
}

__global__ void shuffle_variants_kernel(int* out) {
  const int lane = threadIdx.x;
  out[lane] = __shfl_sync(kFullWarp, lane * 10, 3);
  out[32 + lane] = __shfl_down_sync(kFullWarp, lane, 4);
  out[64 + lane] = __shfl_up_sync(kFullWarp, lane, 1, 8);
  out[96 + lane] = __shfl_xor_sync(kFullWarp, lane, 1);
}

TEST(Emu, ShuffleSourceLanesFollowCuda) {
  std::vector<int> out(128, -1);
  FFTUNE_LAUNCH(shuffle_variants_kernel, 1, 32, 0, nullptr, out.data());
  for (int lane = 0; lane < 32; ++lane) {
    EXPECT_EQ(out[lane], 30);
    EXPECT_EQ(out[32 + lane], lane + 4 < 32 ? lane + 4 : lane);  // beyond the warp: own value
    EXPECT_EQ(out[64 + lane], lane % 8 >= 1 ? lane - 1 : lane);  // within segments of 8
    EXPECT_EQ(out[96 + lane], lane ^ 1);
  }
}

__global__ void read_shared_before_write_kernel(unsigned* out) {
  FFTUNE_SHARED(unsigned, cell, [1]);
  if (threadIdx.x == 0) *out = cell[0];  // nobody wrote it in this block
  __syncthreads();
  cell[0] = 7;
}

TEST(Emu, SharedMemoryIsPoisonedAtEveryBlockStart) {
  unsigned out = 0;
  FFTUNE_LAUNCH(read_shared_before_write_kernel, 1, 32, 0, nullptr, &out);
  EXPECT_EQ(out, 0xFFFFFFFFu);
  FFTUNE_LAUNCH(read_shared_before_write_kernel, 3, 32, 0, nullptr, &out);  // not block 2's 7
  EXPECT_EQ(out, 0xFFFFFFFFu);
}

__global__ void dynamic_shared_poison_kernel(float* out) {
  FFTUNE_DYNAMIC_SHARED(float, scratch);
  out[threadIdx.x] = scratch[threadIdx.x];
  scratch[threadIdx.x] = 1.0f;
}

TEST(Emu, DynamicSharedMemoryIsPoisonedAtEveryBlockStart) {
  std::vector<float> out(4, 0.0f);
  FFTUNE_LAUNCH(dynamic_shared_poison_kernel, 2, 4, 4 * sizeof(float), nullptr, out.data());
  for (float v : out) EXPECT_TRUE(std::isnan(v));  // 0xFFFFFFFF is a NaN
}

__global__ void atomic_kernel(float* fsum, int* isum, double* dsum) {
  atomicAdd(fsum, 0.5f);
  atomicAdd(isum, 1);
  atomicAdd(dsum, 0.25);
}

TEST(Emu, Atomics) {
  float f = 0;
  int i = 0;
  double d = 0;
  FFTUNE_LAUNCH(atomic_kernel, 5, 64, 0, nullptr, &f, &i, &d);
  EXPECT_EQ(f, 160.0f);
  EXPECT_EQ(i, 320);
  EXPECT_EQ(d, 80.0);
}

__global__ void deadlock_kernel() {
  if (threadIdx.x == 0)
    __syncthreads();  // the rest of the warp waits at the other barrier
  else
    __syncwarp();
}
__global__ void warp_deadlock_kernel() {
  if (threadIdx.x < 16) warp_sum(1.0f);  // half the warp shuffles, the other half waits
  __syncthreads();
}
__global__ void partial_mask_kernel(int* out) {
  *out = __shfl_sync(0xffffu, 1, 0);
}
__global__ void partial_warp_shuffle_kernel(float* out) {
  out[threadIdx.x] = warp_sum(1.0f);  // a block of 40 threads: lanes 8..31 of warp 1 do not exist
}

TEST(EmuDeathTest, AbortsWithAMessageInsteadOfHanging) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(FFTUNE_LAUNCH(deadlock_kernel, 1, 32, 0, nullptr),
               "deadlock in kernel deadlock_kernel.*1 wait at __syncthreads, 31 at a warp "
               "shuffle or __syncwarp, 0 have returned");
  EXPECT_DEATH(FFTUNE_LAUNCH(warp_deadlock_kernel, 1, 32, 0, nullptr),
               "deadlock in kernel warp_deadlock_kernel");
  int out = 0;
  EXPECT_DEATH(FFTUNE_LAUNCH(partial_mask_kernel, 1, 32, 0, nullptr, &out),
               "__shfl_sync in kernel partial_mask_kernel.*mask 0xffff is partial");
  std::vector<float> values(40);
  EXPECT_DEATH(FFTUNE_LAUNCH(partial_warp_shuffle_kernel, 1, 40, 0, nullptr, values.data()),
               "lies beyond the block's last thread");
}

TEST(Emu, InvalidLaunchConfigurationsThrowNamingTheKernel) {
  EXPECT_THROW(FFTUNE_LAUNCH(deadlock_kernel, 1, 2048, 0, nullptr), Error);
  EXPECT_THROW(FFTUNE_LAUNCH(deadlock_kernel, 0, 32, 0, nullptr), Error);
  try {
    FFTUNE_LAUNCH(deadlock_kernel, 1, 32, 64 * 1024, nullptr);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("deadlock_kernel (launched at"), std::string::npos);
  }
}

}  // namespace
}  // namespace fftune::cuda
