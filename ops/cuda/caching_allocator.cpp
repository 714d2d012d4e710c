#include "ops/cuda/caching_allocator.h"

#include <bit>

#include "core/error.h"

namespace fftune::cuda {

size_t CachingAllocator::size_class(size_t bytes) {
  constexpr size_t kSmallStep = 512, kSmallLimit = size_t{1} << 20;
  if (bytes <= kSmallLimit) return (bytes + kSmallStep - 1) / kSmallStep * kSmallStep;
  // bytes lies in (2^k, 2^(k+1)]: round up to a multiple of 2^(k-2).
  const int k = std::bit_width(bytes - 1) - 1;
  const size_t step = size_t{1} << (k - 2);
  return (bytes + step - 1) / step * step;
}

CachingAllocator::~CachingAllocator() {
  std::lock_guard lock(mutex_);
  release_cached_locked();
  for (auto& [block, size] : in_use_) memory_.release(block, size);
}

void* CachingAllocator::allocate(size_t bytes) {
  if (bytes == 0) return nullptr;
  const size_t size = size_class(bytes);
  std::lock_guard lock(mutex_);
  void* block = nullptr;
  auto it = cached_.find(size);
  if (it != cached_.end() && !it->second.empty()) {
    block = it->second.back();
    it->second.pop_back();
    ++stats_.cache_hits;
  } else {
    block = memory_.allocate(size);
    if (block == nullptr && stats_.reserved > stats_.allocated) {
      // Blocks of other sizes sit in the cache: give them back and try once more.
      release_cached_locked();
      block = memory_.allocate(size);
    }
    FFTUNE_CHECK(block != nullptr, "CUDA out of memory: tried to allocate ", bytes,
                 " bytes (size class ", size, "); allocated ", stats_.allocated,
                 " bytes, reserved ", stats_.reserved, " bytes, peak allocated ",
                 stats_.peak_allocated, " bytes");
    ++stats_.device_allocations;
    stats_.reserved += size;
  }
  in_use_.emplace(block, size);
  stats_.allocated += size;
  if (stats_.allocated > stats_.peak_allocated) stats_.peak_allocated = stats_.allocated;
  return block;
}

void CachingAllocator::free(void* block) {
  if (block == nullptr) return;
  std::lock_guard lock(mutex_);
  auto it = in_use_.find(block);
  FFTUNE_CHECK(it != in_use_.end(), "CachingAllocator::free: ", block,
               " was not allocated here or was freed twice");
  cached_[it->second].push_back(block);
  stats_.allocated -= it->second;
  in_use_.erase(it);
}

void CachingAllocator::empty_cache() {
  std::lock_guard lock(mutex_);
  release_cached_locked();
}

void CachingAllocator::release_cached_locked() {
  for (auto& [size, blocks] : cached_) {
    for (void* block : blocks) memory_.release(block, size);
    stats_.reserved -= size * blocks.size();
  }
  cached_.clear();
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace fftune::cuda
