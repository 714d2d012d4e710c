// Storage: a reference-counted block of bytes on one device. Tensors (and their views) share it.
// Allocators are registered per device type, so the CUDA backend plugs in its caching
// allocator without core/ knowing any CUDA type.
#pragma once

#include <cstddef>
#include <memory>

#include "core/tensor/device.h"

namespace fftune {

class Allocator {
 public:
  virtual ~Allocator() = default;
  // Returns memory that stays valid while the returned pointer (or a copy) lives.
  virtual std::shared_ptr<void> allocate(size_t nbytes) = 0;
  // Copies nbytes between this device and the host (or within the device).
  virtual void copy(void* dst, Device dst_device, const void* src, Device src_device,
                    size_t nbytes) = 0;
};

// The 64-byte-aligned host allocator (a cache line; what AVX-512 loads like best).
Allocator* cpu_allocator();
void register_allocator(DeviceType type, Allocator* allocator);
// The allocator for a device; fftune::Error if that backend was not built.
Allocator* allocator_for(Device device);

// What the host allocator holds, in requested bytes (tensor data only: memory-mapped files and
// the library's own bookkeeping are not counted). Process-wide, updated by every thread.
struct HostMemoryStats {
  size_t live_bytes = 0;  // allocated and not yet freed
  size_t peak_bytes = 0;  // the most live at once since the last reset_host_peak_memory
};
HostMemoryStats host_memory_stats();
// Starts a new peak measurement: peak_bytes := live_bytes.
void reset_host_peak_memory();

struct Storage {
  std::shared_ptr<void> data;  // owner of the bytes (an allocation, or a memory-mapped file)
  size_t nbytes = 0;
  Device device;

  static std::shared_ptr<Storage> allocate(size_t nbytes, Device device);
  // Wraps memory owned elsewhere (e.g. a memory-mapped file); `owner` keeps it alive.
  static std::shared_ptr<Storage> wrap(std::shared_ptr<void> owner, size_t nbytes, Device device);
};

}  // namespace fftune
