// ops/cuda/caching_allocator: size classes, reuse of freed blocks, stats, empty_cache and the
// out-of-memory path, against a fake device that counts its allocations.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "core/error.h"
#include "ops/cuda/caching_allocator.h"

namespace fftune::cuda {
namespace {

class FakeDevice : public DeviceMemory {
 public:
  size_t capacity = size_t{1} << 30;
  size_t used = 0;
  std::map<void*, size_t> live;
  int allocations = 0, releases = 0;

  void* allocate(size_t bytes) override {
    if (used + bytes > capacity) return nullptr;
    void* p = std::malloc(bytes);
    live[p] = bytes;
    used += bytes;
    ++allocations;
    return p;
  }
  void release(void* block, size_t bytes) override {
    EXPECT_EQ(live.at(block), bytes);
    live.erase(block);
    used -= bytes;
    ++releases;
    std::free(block);
  }
};

TEST(CachingAllocator, SizeClasses) {
  EXPECT_EQ(CachingAllocator::size_class(1), 512u);
  EXPECT_EQ(CachingAllocator::size_class(512), 512u);
  EXPECT_EQ(CachingAllocator::size_class(513), 1024u);
  EXPECT_EQ(CachingAllocator::size_class(1 << 20), 1u << 20);
  EXPECT_EQ(CachingAllocator::size_class((1 << 20) + 1), (1u << 20) + (1u << 18));
  EXPECT_EQ(CachingAllocator::size_class(3000000), 3145728u);  // in (2 MiB, 4 MiB]: 512 KiB steps
  for (size_t bytes : {size_t{1}, size_t{777}, size_t{1} << 21, size_t{123456789}}) {
    const size_t c = CachingAllocator::size_class(bytes);
    EXPECT_GE(c, bytes);
    EXPECT_LE(c, bytes + bytes / 4 + 512);  // at most a quarter of padding (512 B when small)
  }
}

TEST(CachingAllocator, FreedBlocksAreReusedAndStatsAdd) {
  FakeDevice device;
  {
    CachingAllocator allocator(device);
    void* a = allocator.allocate(1000);  // class 1024
    void* b = allocator.allocate(5000);  // class 5120
    EXPECT_EQ(allocator.stats().allocated, 1024u + 5120u);
    allocator.free(a);
    EXPECT_EQ(allocator.stats().allocated, 5120u);
    EXPECT_EQ(allocator.stats().reserved, 1024u + 5120u);
    void* c = allocator.allocate(900);  // same class as a: a comes back, the device is not asked
    EXPECT_EQ(c, a);
    EXPECT_EQ(device.allocations, 2);
    EXPECT_EQ(allocator.stats().cache_hits, 1u);
    EXPECT_EQ(allocator.stats().peak_allocated, 1024u + 5120u);
    allocator.free(b);
    allocator.free(c);
    EXPECT_EQ(allocator.stats().allocated, 0u);
    allocator.empty_cache();
    EXPECT_EQ(allocator.stats().reserved, 0u);
    EXPECT_EQ(device.releases, 2);
    EXPECT_EQ(allocator.allocate(0), nullptr);
    EXPECT_THROW(allocator.free(b), Error);  // already returned to the device
    allocator.allocate(100);                 // left allocated: the destructor releases it
  }
  EXPECT_TRUE(device.live.empty());
}

TEST(CachingAllocator, OutOfMemoryEmptiesTheCacheThenReportsStats) {
  FakeDevice device;
  device.capacity = 4096;
  CachingAllocator allocator(device);
  allocator.free(allocator.allocate(3000));  // 3072 bytes cached
  void* big = allocator.allocate(2048);      // fits only once the cached block is released
  EXPECT_NE(big, nullptr);
  EXPECT_EQ(allocator.stats().reserved, 2048u);
  try {
    allocator.allocate(4000);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA out of memory: tried to allocate 4000 bytes"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("allocated 2048 bytes, reserved 2048 bytes"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace fftune::cuda
