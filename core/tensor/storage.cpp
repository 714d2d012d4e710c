#include "core/tensor/storage.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/error.h"

namespace fftune {
namespace {

constexpr size_t kCpuAlignment = 64;

// The host allocator's byte counters (HostMemoryStats). The peak is raised with a
// compare-and-swap loop, so that two threads allocating at once cannot lower it.
std::atomic<size_t> g_live_bytes{0};
std::atomic<size_t> g_peak_bytes{0};

void raise_peak(size_t live) {
  size_t peak = g_peak_bytes.load(std::memory_order_relaxed);
  while (live > peak &&
         !g_peak_bytes.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
}

class CpuAllocator final : public Allocator {
 public:
  std::shared_ptr<void> allocate(size_t nbytes) override {
    // aligned_alloc needs a size that is a multiple of the alignment; never 0.
    const size_t rounded = (nbytes + kCpuAlignment - 1) / kCpuAlignment * kCpuAlignment;
    void* p = std::aligned_alloc(kCpuAlignment, rounded == 0 ? kCpuAlignment : rounded);
    FFTUNE_CHECK(p != nullptr, "cpu allocator: out of memory allocating ", nbytes, " bytes");
    raise_peak(g_live_bytes.fetch_add(nbytes, std::memory_order_relaxed) + nbytes);
    return std::shared_ptr<void>(p, [nbytes](void* q) {
      g_live_bytes.fetch_sub(nbytes, std::memory_order_relaxed);
      std::free(q);
    });
  }
  void copy(void* dst, Device dst_device, const void* src, Device src_device,
            size_t nbytes) override {
    FFTUNE_CHECK(dst_device.is_cpu() && src_device.is_cpu(), "cpu allocator: cannot copy between ",
                 src_device, " and ", dst_device);
    if (nbytes) std::memcpy(dst, src, nbytes);
  }
};

// A function-local static, so that a backend may register from a static initialiser of its own
// translation unit whatever the order in which initialisers run.
Allocator** allocators() {
  static Allocator* table[2] = {cpu_allocator(), nullptr};
  return table;
}

}  // namespace

Allocator* cpu_allocator() {
  static CpuAllocator allocator;
  return &allocator;
}

HostMemoryStats host_memory_stats() {
  return {g_live_bytes.load(std::memory_order_relaxed),
          g_peak_bytes.load(std::memory_order_relaxed)};
}

void reset_host_peak_memory() {
  g_peak_bytes.store(g_live_bytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

void register_allocator(DeviceType type, Allocator* allocator) {
  allocators()[static_cast<int>(type)] = allocator;
}

Allocator* allocator_for(Device device) {
  Allocator* a = allocators()[static_cast<int>(device.type)];
  FFTUNE_CHECK(a != nullptr, "no allocator for device ", device,
               ": fftune was built without that backend (configure with -DFFTUNE_CUDA=ON)");
  return a;
}

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  auto s = std::make_shared<Storage>();
  s->data = allocator_for(device)->allocate(nbytes);
  s->nbytes = nbytes;
  s->device = device;
  return s;
}

std::shared_ptr<Storage> Storage::wrap(std::shared_ptr<void> owner, size_t nbytes, Device device) {
  auto s = std::make_shared<Storage>();
  s->data = std::move(owner);
  s->nbytes = nbytes;
  s->device = device;
  return s;
}

}  // namespace fftune
