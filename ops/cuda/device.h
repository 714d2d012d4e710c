// The CUDA device runtime (nvcc builds only; host code, no CUDA header here): the device check,
// the one stream per device, the caching allocator over cudaMalloc, and the registration of the
// CUDA allocator with core, so that Storage::allocate and Tensor::to(Device::cuda()) work.
//
// Only cuda:0 is used. Every op runs asynchronously on stream(); the host waits only where it
// reads device memory (a device-to-host copy) or calls synchronize().
#pragma once

#include <string>

#include "ops/cuda/caching_allocator.h"
#include "ops/cuda/stream.h"

namespace fftune::cuda {

// True when a CUDA device is present; otherwise false, with the reason in *why.
bool device_present(std::string* why = nullptr);
// Throws fftune::Error "no CUDA device present: <reason>" unless a device is present.
void require_device();
// The stream every CUDA op of fftune is queued on.
Stream stream();
// Waits until everything queued on stream() has finished.
void synchronize();
// The caching allocator over cudaMalloc (kernels' scratch memory and library workspaces).
CachingAllocator& device_allocator();
// Registers the CUDA allocator with core (idempotent; also done by a static initialiser of the
// CUDA build, which links this library whole so that initialiser is never dropped).
void init();

}  // namespace fftune::cuda
