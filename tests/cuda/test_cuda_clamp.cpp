// CPU <-> CUDA parity of clamp (ops/clamp.cpp), forward and backward: both bounds, one bound,
// min > max, a transposed input, at awkward sizes. Skipped (reported as skipped by ctest) when
// no device is present.
#include <gtest/gtest.h>

#include <optional>

#include "ops/ops.h"
#include "tests/cuda/cuda_support.h"

namespace fftune {
namespace {

using testing::expect_cuda_matches_cpu;
using testing::random_tensor;
using Inputs = std::vector<Tensor>;

TEST(CudaClamp, MatchesCpu) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  uint64_t seed = 1;
  for (const Shape& shape : {Shape{1}, Shape{257}, Shape{33, 65}}) {
    const Tensor x = random_tensor(shape, DType::f32, seed++);
    expect_cuda_matches_cpu([](const Inputs& in) { return clamp(in[0], -0.5, 0.7); }, {x});
    expect_cuda_matches_cpu([](const Inputs& in) { return clamp(in[0], std::nullopt, 0.3); }, {x});
    expect_cuda_matches_cpu([](const Inputs& in) { return clamp(in[0], 0.5, -0.5); }, {x});
  }
  expect_cuda_matches_cpu([](const Inputs& in) { return clamp(in[0].transpose(0, 1), -0.2, 1.0); },
                          {random_tensor({17, 9}, DType::f32, seed++)});
}

}  // namespace
}  // namespace fftune
