// The caching allocator of the CUDA backend, written against an abstract backing memory so that
// its bookkeeping is plain C++ (tested on the CPU with a fake backing: tests/emu).
//
// cudaMalloc and cudaFree are slow (cudaFree synchronises the device), and a training step
// allocates the same sizes every iteration. So a freed block is kept in a cache keyed by its
// size class and handed out again to the next request of that class; only empty_cache() (or a
// failed allocation, before giving up) returns cached blocks to the device.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace fftune::cuda {

// Where blocks really come from (cudaMalloc / cudaFree on a GPU).
class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  // nullptr when the device is out of memory.
  virtual void* allocate(size_t bytes) = 0;
  virtual void release(void* block, size_t bytes) = 0;
};

struct AllocatorStats {
  size_t allocated = 0;             // bytes in blocks handed out and not yet freed (by size class)
  size_t reserved = 0;              // bytes held from the device: allocated + cached
  size_t peak_allocated = 0;        // the high-water mark of `allocated`
  uint64_t device_allocations = 0;  // calls that reached the device
  uint64_t cache_hits = 0;          // requests served from the cache
};

class CachingAllocator {
 public:
  explicit CachingAllocator(DeviceMemory& memory) : memory_(memory) {}
  // Returns every block to the device (blocks still handed out are released too).
  ~CachingAllocator();
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // A block of at least `bytes` (nullptr for 0). Throws fftune::Error naming the request and
  // the stats when the device is out of memory even after the cache was emptied.
  void* allocate(size_t bytes);
  // Gives a block back to the cache; `block` must come from allocate.
  void free(void* block);
  // Returns every cached block to the device.
  void empty_cache();
  AllocatorStats stats() const;

  // The size actually reserved for a request: multiples of 512 bytes up to 1 MiB; above, four
  // classes per power of two (so at most a quarter of a large block is padding).
  static size_t size_class(size_t bytes);

 private:
  void release_cached_locked();

  DeviceMemory& memory_;
  mutable std::mutex mutex_;
  std::unordered_map<void*, size_t> in_use_;     // block -> size class
  std::map<size_t, std::vector<void*>> cached_;  // size class -> free blocks
  AllocatorStats stats_;
};

}  // namespace fftune::cuda
