// The CUDA device runtime: see device.h. Host code compiled by the C++ compiler against the
// CUDA runtime headers.
#include "ops/cuda/device.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "core/tensor/storage.h"
#include "ops/cuda/check.h"

namespace fftune::cuda {
namespace {

class CudaMemory final : public DeviceMemory {
 public:
  void* allocate(size_t bytes) override {
    void* block = nullptr;
    const cudaError_t status = cudaMalloc(&block, bytes);
    if (status == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();  // clear the sticky error; the caching allocator reports it
      return nullptr;
    }
    FFTUNE_CUDA_CHECK(status);
    return block;
  }
  void release(void* block, size_t /*bytes*/) override { FFTUNE_CUDA_CHECK(cudaFree(block)); }
};

// Host-to-device copies go through two pinned buffers used in turn: while one chunk is in
// flight, the next is written into the other buffer (an event says when a buffer is free).
class PinnedStaging {
 public:
  static constexpr size_t kChunk = size_t{8} << 20;

  void copy_to_device(void* dst, const void* src, size_t nbytes, cudaStream_t s) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (buffers_[0] == nullptr) {
      for (int i = 0; i < 2; ++i) {
        FFTUNE_CUDA_CHECK(cudaMallocHost(&buffers_[i], kChunk));
        FFTUNE_CUDA_CHECK(cudaEventCreateWithFlags(&free_[i], cudaEventDisableTiming));
        FFTUNE_CUDA_CHECK(cudaEventRecord(free_[i], s));
      }
    }
    for (size_t done = 0, k = 0; done < nbytes; ++k) {
      const size_t n = std::min(kChunk, nbytes - done);
      const int b = static_cast<int>(k % 2);
      FFTUNE_CUDA_CHECK(cudaEventSynchronize(free_[b]));  // the chunk before last has landed
      std::memcpy(buffers_[b], static_cast<const char*>(src) + done, n);
      FFTUNE_CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(dst) + done, buffers_[b], n,
                                        cudaMemcpyHostToDevice, s));
      FFTUNE_CUDA_CHECK(cudaEventRecord(free_[b], s));
      done += n;
    }
  }

 private:
  std::mutex mutex_;
  void* buffers_[2] = {nullptr, nullptr};
  cudaEvent_t free_[2] = {};
};

struct Runtime {
  CudaMemory memory;
  CachingAllocator allocator{memory};
  cudaStream_t stream = nullptr;
  PinnedStaging staging;
};

// Created on first use and never destroyed: at exit the CUDA runtime may already be unloaded,
// and freeing device memory then would fail.
Runtime& runtime() {
  static Runtime* r = [] {
    require_device();
    auto* created = new Runtime;
    FFTUNE_CUDA_CHECK(cudaStreamCreateWithFlags(&created->stream, cudaStreamNonBlocking));
    return created;
  }();
  return *r;
}

void check_device_index(Device device) {
  FFTUNE_CHECK(device.index == 0, "CUDA: only cuda:0 is supported, got ", device);
}

class CudaAllocator final : public Allocator {
 public:
  std::shared_ptr<void> allocate(size_t nbytes) override {
    CachingAllocator& a = runtime().allocator;
    return std::shared_ptr<void>(a.allocate(nbytes), [&a](void* block) { a.free(block); });
  }

  void copy(void* dst, Device dst_device, const void* src, Device src_device,
            size_t nbytes) override {
    if (nbytes == 0) return;
    Runtime& r = runtime();
    if (dst_device.is_cuda()) check_device_index(dst_device);
    if (src_device.is_cuda()) check_device_index(src_device);
    if (dst_device.is_cuda() && src_device.is_cpu()) {
      r.staging.copy_to_device(dst, src, nbytes, r.stream);
    } else if (dst_device.is_cpu() && src_device.is_cuda()) {
      FFTUNE_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToHost, r.stream));
      FFTUNE_CUDA_CHECK(cudaStreamSynchronize(r.stream));  // the host reads dst next
    } else if (dst_device.is_cuda() && src_device.is_cuda()) {
      FFTUNE_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, r.stream));
    } else {
      FFTUNE_FAIL("CUDA allocator: cannot copy between ", src_device, " and ", dst_device);
    }
  }
};

CudaAllocator& cuda_allocator() {
  static CudaAllocator allocator;
  return allocator;
}

// Registration at static-initialisation time: only stores a pointer (core keeps its table in a
// function-local static, so the order of initialisers does not matter); the device is first
// touched by the first allocation.
const bool registered = (init(), true);

}  // namespace

bool device_present(std::string* why) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    if (why)
      *why = std::string("cudaGetDeviceCount failed: ") + cudaGetErrorName(status) + " (" +
             cudaGetErrorString(status) + ")";
    return false;
  }
  if (count == 0) {
    if (why) *why = "cudaGetDeviceCount returned 0 devices";
    return false;
  }
  return true;
}

void require_device() {
  std::string why;
  FFTUNE_CHECK(device_present(&why), "no CUDA device present: ", why,
               " (fftune was built with CUDA, but this machine has no usable GPU)");
}

Stream stream() {
  return runtime().stream;
}

void synchronize() {
  FFTUNE_CUDA_CHECK(cudaStreamSynchronize(runtime().stream));
}

CachingAllocator& device_allocator() {
  return runtime().allocator;
}

void init() {
  (void)registered;
  register_allocator(DeviceType::kCUDA, &cuda_allocator());
}

}  // namespace fftune::cuda

// Named on the link line of every fftune program (-Wl,--undefined, ops/cuda/CMakeLists.txt) so
// that this object file, and with it the static registration above, is always linked.
extern "C" void fftune_cuda_register_backend() {
  fftune::cuda::init();
}
