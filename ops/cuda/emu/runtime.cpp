#include "ops/cuda/emu/runtime.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"
#include "ops/cuda/emu/fiber.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define FFTUNE_EMU_ASAN 1
#else
#define FFTUNE_EMU_ASAN 0
#endif

namespace fftune::emu {
namespace {

constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xffffffffu;
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr size_t kMaxDynamicShared = 48 * 1024;  // without cudaFuncSetAttribute opt-in
// Sanitizers grow frames a lot; 64 KiB is plenty for a kernel otherwise.
constexpr size_t kStackBytes = FFTUNE_EMU_ASAN ? 512 * 1024 : 64 * 1024;
constexpr size_t kGuardBytes = 4096;

// One stack per CUDA thread, mmap'ed once per worker and reused by every block. The lowest
// page is a guard: a fiber that overflows its stack faults instead of corrupting a neighbour.
class Stack {
 public:
  Stack() {
    base_ = mmap(nullptr, kStackBytes + kGuardBytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base_ == MAP_FAILED) FFTUNE_FAIL("emulated CUDA: cannot map a fiber stack");
    mprotect(base_, kGuardBytes, PROT_NONE);
  }
  ~Stack() { munmap(base_, kStackBytes + kGuardBytes); }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  void* bottom() const { return static_cast<char*>(base_) + kGuardBytes; }

 private:
  void* base_;
};

enum class Status { kRunnable, kAtSyncthreads, kAtWarpSync, kExited };

struct Thread {  // one CUDA thread
  Fiber fiber;
  void* stack = nullptr;
  uint3 index{};
  int lane = 0, warp = 0;
  Status status = Status::kRunnable;
  void* asan_fake_stack = nullptr;
};

struct Warp {
  int live = 0;     // lanes that have not returned
  int arrived = 0;  // lanes waiting at the current warp barrier
  uint64_t generation = 0;
  // Note [shuffle exchange]: lanes publish into the buffer of the barrier generation's parity
  // and read after the barrier. A lane that races ahead to the next shuffle writes the other
  // buffer, and the one it read from is overwritten only after everybody passed the barrier in
  // between: one barrier per shuffle suffices. `written` records each slot's generation, so a
  // read from a lane that did not take part is caught.
  uint64_t value[2][kWarp]{};
  uint64_t written[2][kWarp]{};
};

struct SharedArray {
  void* address;
  uint64_t poisoned_in_block;
};

// Everything one worker OS thread needs to run blocks; thread_local so that workers never share.
struct Worker {
  const KernelSite* site = nullptr;
  dim3 grid, block;
  uint3 block_index{};
  void (*body)(void*) = nullptr;
  void* ctx = nullptr;

  std::vector<std::unique_ptr<Stack>> stacks;
  std::vector<Thread> threads;
  std::vector<Warp> warps;
  Thread* current = nullptr;
  int live = 0, arrived = 0;

  Fiber scheduler;
  const void* scheduler_stack_bottom = nullptr;
  size_t scheduler_stack_size = 0;
  void* scheduler_fake_stack = nullptr;

  std::unique_ptr<unsigned char[]> dynamic_shared;
  size_t dynamic_shared_bytes = 0;
  uint64_t block_serial = 0;
  std::vector<SharedArray> shared_arrays;
};

thread_local Worker tl_worker;

[[noreturn]] void die(const char* what, const std::string& detail) {
  const Worker& w = tl_worker;
  std::fprintf(stderr,
               "emulated CUDA: %s in kernel %s (launched at %s:%d), block (%u, %u, %u): %s\n", what,
               w.site->kernel, w.site->file, w.site->line, w.block_index.x, w.block_index.y,
               w.block_index.z, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// ---- switching, with the AddressSanitizer fiber annotations --------------------------------
// ASan tracks one stack per thread; before a switch it is told the stack being entered, and
// after it the stack that was left (which is how the scheduler's own stack becomes known).

void enter_thread(Worker& w, Thread& t) {
  w.current = &t;
#if FFTUNE_EMU_ASAN
  __sanitizer_start_switch_fiber(&w.scheduler_fake_stack, t.stack, kStackBytes);
#endif
  fiber_switch(w.scheduler, t.fiber);
#if FFTUNE_EMU_ASAN
  __sanitizer_finish_switch_fiber(w.scheduler_fake_stack, nullptr, nullptr);
#endif
  w.current = nullptr;
}

// Called on a thread's fiber: back to the scheduler until the thread may continue.
void yield_to_scheduler(Worker& w, Thread& t) {
#if FFTUNE_EMU_ASAN
  __sanitizer_start_switch_fiber(&t.asan_fake_stack, w.scheduler_stack_bottom,
                                 w.scheduler_stack_size);
#endif
  fiber_switch(t.fiber, w.scheduler);
#if FFTUNE_EMU_ASAN
  __sanitizer_finish_switch_fiber(t.asan_fake_stack, &w.scheduler_stack_bottom,
                                  &w.scheduler_stack_size);
#endif
}

void release_block_barrier(Worker& w) {
  w.arrived = 0;
  for (Thread& t : w.threads)
    if (t.status == Status::kAtSyncthreads) t.status = Status::kRunnable;
}

void release_warp_barrier(Worker& w, int warp) {
  Warp& wp = w.warps[warp];
  wp.arrived = 0;
  ++wp.generation;
  const size_t first = static_cast<size_t>(warp) * kWarp;
  for (size_t i = first; i < first + kWarp && i < w.threads.size(); ++i)
    if (w.threads[i].status == Status::kAtWarpSync) w.threads[i].status = Status::kRunnable;
}

void thread_exited(Worker& w, Thread& t) {
  t.status = Status::kExited;
  --w.live;
  Warp& wp = w.warps[t.warp];
  --wp.live;
  // The barriers others wait at may now be complete: exited threads are not waited for.
  if (w.arrived > 0 && w.arrived == w.live) release_block_barrier(w);
  if (wp.arrived > 0 && wp.arrived == wp.live) release_warp_barrier(w, t.warp);
}

void thread_main(void* arg) {
  Worker& w = tl_worker;
  Thread& t = *static_cast<Thread*>(arg);
#if FFTUNE_EMU_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &w.scheduler_stack_bottom, &w.scheduler_stack_size);
#endif
  w.body(w.ctx);
  thread_exited(w, t);
#if FFTUNE_EMU_ASAN
  __sanitizer_start_switch_fiber(nullptr, w.scheduler_stack_bottom, w.scheduler_stack_size);
#endif
  fiber_switch(t.fiber, w.scheduler);  // never resumed
  std::abort();
}

void warp_barrier(Worker& w, Thread& t) {
  Warp& wp = w.warps[t.warp];
  if (++wp.arrived == wp.live) {
    release_warp_barrier(w, t.warp);
    return;
  }
  t.status = Status::kAtWarpSync;
  yield_to_scheduler(w, t);
}

std::string describe_waits(const Worker& w) {
  int at_sync = 0, at_warp = 0, exited = 0;
  for (const Thread& t : w.threads) {
    at_sync += t.status == Status::kAtSyncthreads;
    at_warp += t.status == Status::kAtWarpSync;
    exited += t.status == Status::kExited;
  }
  return detail::str_cat("no thread can run: ", at_sync, " wait at __syncthreads, ", at_warp,
                         " at a warp shuffle or __syncwarp, ", exited, " have returned");
}

void run_block(Worker& w) {
  const unsigned n = w.block.x * w.block.y * w.block.z;
  ++w.block_serial;
  if (w.dynamic_shared_bytes > 0) std::memset(w.dynamic_shared.get(), 0xFF, w.dynamic_shared_bytes);
  w.live = static_cast<int>(n);
  w.arrived = 0;
  for (Warp& wp : w.warps) wp = Warp{};
  for (unsigned i = 0; i < n; ++i) {
    Thread& t = w.threads[i];
    t.index = {i % w.block.x, (i / w.block.x) % w.block.y, i / (w.block.x * w.block.y)};
    t.lane = static_cast<int>(i % kWarp);
    t.warp = static_cast<int>(i / kWarp);
    t.status = Status::kRunnable;
    t.stack = w.stacks[i]->bottom();
    t.asan_fake_stack = nullptr;
    ++w.warps[t.warp].live;
    fiber_prepare(t.fiber, t.stack, kStackBytes, &thread_main, &t);
  }
  // Round-robin: each pass runs every runnable thread until it waits or returns. A pass in
  // which nothing could run while threads remain is a deadlock (on a GPU: a hang).
  while (w.live > 0) {
    bool ran = false;
    for (Thread& t : w.threads) {
      if (t.status != Status::kRunnable) continue;
      ran = true;
      enter_thread(w, t);
    }
    if (!ran) die("deadlock", describe_waits(w));
  }
}

void check_config(const KernelSite& site, dim3 grid, dim3 block, size_t shared_bytes) {
  const auto where = [&] {
    return detail::str_cat(site.kernel, " (launched at ", site.file, ":", site.line, ")");
  };
  const unsigned long long threads = 1ull * block.x * block.y * block.z;
  FFTUNE_CHECK(threads >= 1 && threads <= kMaxThreadsPerBlock && block.z <= 64,
               "emulated CUDA: invalid block (", block.x, ", ", block.y, ", ", block.z, ") for ",
               where(), ": at most 1024 threads, z at most 64");
  FFTUNE_CHECK(grid.x >= 1 && grid.y >= 1 && grid.z >= 1 && grid.y <= 65535 && grid.z <= 65535,
               "emulated CUDA: invalid grid (", grid.x, ", ", grid.y, ", ", grid.z, ") for ",
               where(), ": every dim at least 1, y and z at most 65535");
  FFTUNE_CHECK(shared_bytes <= kMaxDynamicShared, "emulated CUDA: ", shared_bytes,
               " bytes of dynamic shared memory for ", where(), ": at most 48 KiB");
}

}  // namespace

void run_grid(const KernelSite& site, dim3 grid, dim3 block, size_t dynamic_shared_bytes,
              void (*body)(void*), void* ctx) {
  check_config(site, grid, block, dynamic_shared_bytes);
  Worker& w = tl_worker;
  FFTUNE_CHECK(w.site == nullptr, "emulated CUDA: ", site.kernel,
               " launched from inside a running kernel (dynamic parallelism is not emulated)");
  const unsigned n = block.x * block.y * block.z;
  while (w.stacks.size() < n) w.stacks.push_back(std::make_unique<Stack>());
  w.threads.assign(n, Thread{});
  w.warps.assign((n + kWarp - 1) / kWarp, Warp{});
  w.site = &site;
  w.grid = grid;
  w.block = block;
  w.body = body;
  w.ctx = ctx;
  // An exact-size buffer, so that AddressSanitizer reports a read past the dynamic shared size.
  w.dynamic_shared.reset(dynamic_shared_bytes > 0 ? new unsigned char[dynamic_shared_bytes]
                                                  : nullptr);
  w.dynamic_shared_bytes = dynamic_shared_bytes;
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        w.block_index = {x, y, z};
        run_block(w);
      }
  w.site = nullptr;
  w.dynamic_shared.reset();
  w.dynamic_shared_bytes = 0;
}

const uint3& thread_idx() {
  return tl_worker.current->index;
}
const uint3& block_idx() {
  return tl_worker.block_index;
}
const dim3& block_dim() {
  return tl_worker.block;
}
const dim3& grid_dim() {
  return tl_worker.grid;
}
int lane_id() {
  return tl_worker.current->lane;
}

void sync_block() {
  Worker& w = tl_worker;
  Thread& t = *w.current;
  if (++w.arrived == w.live) {
    release_block_barrier(w);
    return;
  }
  t.status = Status::kAtSyncthreads;
  yield_to_scheduler(w, t);
}

void sync_warp(unsigned mask) {
  Worker& w = tl_worker;
  if (mask != kFullMask)
    die("__syncwarp with a partial mask",
        detail::str_cat("mask 0x", std::hex, mask, " (only the full warp is emulated)"));
  warp_barrier(w, *w.current);
}

uint64_t warp_exchange(unsigned mask, uint64_t value, int src_lane, const char* what) {
  Worker& w = tl_worker;
  Thread& t = *w.current;
  if (mask != kFullMask)
    die(what, detail::str_cat("mask 0x", std::hex, mask,
                              " is partial (only full-warp shuffles are emulated)"));
  Warp& wp = w.warps[t.warp];
  const uint64_t generation = wp.generation;
  const int slot = static_cast<int>(generation & 1);
  wp.value[slot][t.lane] = value;
  wp.written[slot][t.lane] = generation + 1;  // +1: 0 means "never written"
  warp_barrier(w, t);
  if (src_lane < 0 || src_lane >= kWarp || wp.written[slot][src_lane] != generation + 1)
    die(what, detail::str_cat("thread (", t.index.x, ", ", t.index.y, ", ", t.index.z, "), lane ",
                              t.lane, " of warp ", t.warp, ", reads lane ", src_lane,
                              ", which has returned or lies beyond the block's last "
                              "thread (undefined on a GPU)"));
  return wp.value[slot][src_lane];
}

void* dynamic_shared() {
  return tl_worker.dynamic_shared.get();
}

void poison_shared(void* address, size_t bytes) {
  Worker& w = tl_worker;
  for (SharedArray& a : w.shared_arrays) {
    if (a.address != address) continue;
    if (a.poisoned_in_block != w.block_serial) {
      std::memset(address, 0xFF, bytes);
      a.poisoned_in_block = w.block_serial;
    }
    return;
  }
  std::memset(address, 0xFF, bytes);
  w.shared_arrays.push_back({address, w.block_serial});
}

}  // namespace fftune::emu
