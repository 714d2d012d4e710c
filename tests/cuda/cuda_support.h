// Helpers for the CPU <-> CUDA parity tests (label `cuda`): skip with the reason when no device
// is present (ctest reports the test as skipped, never as passed: tests/CMakeLists.txt), and run
// a function on both devices to compare outputs and input gradients.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ops/cuda/device.h"
#include "tests/support/test_support.h"

#define FFTUNE_SKIP_WITHOUT_CUDA_DEVICE()                                                         \
  do {                                                                                            \
    std::string why;                                                                              \
    if (!::fftune::cuda::device_present(&why)) GTEST_SKIP() << "no CUDA device present: " << why; \
  } while (0)

namespace fftune::testing {

// Runs fn on CPU copies and on CUDA copies of `inputs` (f32, requiring grad), backpropagates the
// same random output gradient on both, and compares outputs and every input gradient.
inline void expect_cuda_matches_cpu(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                                    const std::vector<Tensor>& inputs, double rtol = 1e-4,
                                    double atol = 1e-5) {
  std::vector<Tensor> cpu_in, cuda_in;
  for (const Tensor& t : inputs) {
    cpu_in.push_back(t.detach().clone().set_requires_grad(true));
    cuda_in.push_back(t.detach().to(Device::cuda()).set_requires_grad(true));
  }
  const Tensor y_cpu = fn(cpu_in);
  const Tensor y_cuda = fn(cuda_in);
  ASSERT_TRUE(y_cuda.device().is_cuda());
  EXPECT_ALL_CLOSE(y_cuda.to(Device::cpu()), y_cpu, rtol, atol);
  const Tensor g = random_tensor(y_cpu.shape(), y_cpu.dtype(), 99);
  y_cpu.backward(g);
  y_cuda.backward(g.to(Device::cuda()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_TRUE(cuda_in[i].grad().defined()) << "input " << i;
    EXPECT_ALL_CLOSE(cuda_in[i].grad().to(Device::cpu()), cpu_in[i].grad(), rtol, atol)
        << "gradient of input " << i;
  }
}

}  // namespace fftune::testing
