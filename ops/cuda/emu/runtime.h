// The emulator's runtime: runs a grid block by block on the calling OS thread, one fiber per
// CUDA thread, and implements the block- and warp-level synchronisation the kernels use.
// Kernel code never calls this directly: it sees the CUDA names defined in emu.h.
#pragma once

#include <cstddef>
#include <cstdint>

struct uint3 {
  unsigned x, y, z;
};

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace fftune::emu {

struct KernelSite {
  const char* kernel;
  const char* file;
  int line;
};

// Runs body(ctx) once per CUDA thread of the grid. Blocks run one after another; inside a
// block the threads are fibers switched at __syncthreads and warp shuffles. Aborts with a
// message naming the kernel on a deadlock or a misuse that has no defined result on a GPU.
void run_grid(const KernelSite& site, dim3 grid, dim3 block, size_t dynamic_shared_bytes,
              void (*body)(void*), void* ctx);

// The indices of the running CUDA thread.
const uint3& thread_idx();
const uint3& block_idx();
const dim3& block_dim();
const dim3& grid_dim();

// __syncthreads(): waits until every live thread of the block has arrived. Threads that have
// returned are not waited for (as on hardware since Volta).
void sync_block();
// A warp-level exchange: publishes this lane's 8 bytes, waits for every live lane of the warp,
// and returns the bytes lane `src_lane` published. Aborts if `mask` is not the full warp or the
// source lane exited or lies beyond a partial last warp. `what` names the intrinsic.
uint64_t warp_exchange(unsigned mask, uint64_t value, int src_lane, const char* what);
// __syncwarp(mask): a barrier over the live lanes of the warp (full mask only).
void sync_warp(unsigned mask);
// This thread's lane in its warp (threads are numbered x fastest, as on hardware).
int lane_id();

// The block's dynamic shared memory (poisoned with 0xFF at block start); nullptr if none.
void* dynamic_shared();
// Fills a static shared array with 0xFF the first time any thread of the current block
// reaches its declaration (see FFTUNE_SHARED in emu.h).
void poison_shared(void* address, size_t bytes);

}  // namespace fftune::emu
