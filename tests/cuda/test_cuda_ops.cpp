// CPU <-> CUDA parity of the ops wired to the hand-written CUDA kernels, forward and backward,
// at awkward sizes (not multiples of a block, one element, long rows). Skipped (reported as
// skipped by ctest) when no device is present.
#include <gtest/gtest.h>

#include "ops/ops.h"
#include "tests/cuda/cuda_support.h"

namespace fftune {
namespace {

using testing::expect_cuda_matches_cpu;
using testing::random_tensor;
using Inputs = std::vector<Tensor>;

Tensor f32(const Shape& shape, uint64_t seed) {
  return random_tensor(shape, DType::f32, seed);
}

TEST(CudaDevice, ToAndBackIsExactAndFillWorks) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const Tensor x = f32({3, 1000, 7}, 1);
  const Tensor d = x.to(Device::cuda());
  EXPECT_TRUE(d.device().is_cuda());
  EXPECT_ALL_CLOSE(d.to(Device::cpu()), x, 0.0, 0.0);
  // A strided device-to-device copy (transpose) and fill.
  EXPECT_ALL_CLOSE(d.transpose(0, 2).contiguous().to(Device::cpu()), x.transpose(0, 2).contiguous(),
                   0.0, 0.0);
  Tensor z = empty({5, 3}, DType::f32, Device::cuda());
  z.fill_(2.5);
  EXPECT_ALL_CLOSE(z.to(Device::cpu()), full({5, 3}, 2.5, DType::f32), 0.0, 0.0);
  z.zero_();
  EXPECT_ALL_CLOSE(z.to(Device::cpu()), zeros({5, 3}, DType::f32), 0.0, 0.0);
}

TEST(CudaOps, Unary) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (const Shape& shape : {Shape{1}, Shape{257}, Shape{33, 65}}) {
    expect_cuda_matches_cpu([](const Inputs& in) { return exp(in[0]); }, {f32(shape, 2)});
    expect_cuda_matches_cpu([](const Inputs& in) { return tanh(in[0]); }, {f32(shape, 3)});
    expect_cuda_matches_cpu([](const Inputs& in) { return gelu(in[0]); }, {f32(shape, 4)});
    expect_cuda_matches_cpu([](const Inputs& in) { return relu(in[0]); }, {f32(shape, 5)});
  }
  // A non-contiguous input.
  expect_cuda_matches_cpu([](const Inputs& in) { return exp(in[0].transpose(0, 1)); },
                          {f32({17, 9}, 6)});
}

TEST(CudaOps, BinaryWithBroadcasting) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  expect_cuda_matches_cpu([](const Inputs& in) { return add(in[0], in[1]); },
                          {f32({7, 1, 5}, 7), f32({3, 5}, 8)});
  expect_cuda_matches_cpu([](const Inputs& in) { return mul(in[0], in[1]); },
                          {f32({129, 33}, 9), f32({33}, 10)});
  expect_cuda_matches_cpu([](const Inputs& in) { return div(in[0], add(in[1], 3.0)); },
                          {f32({1}, 11), f32({1000}, 12)});
}

TEST(CudaOps, Sum) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  expect_cuda_matches_cpu([](const Inputs& in) { return sum(in[0]); }, {f32({100003}, 13)});
  expect_cuda_matches_cpu([](const Inputs& in) { return sum(in[0], {1}); }, {f32({5, 301, 3}, 14)});
  expect_cuda_matches_cpu(
      [](const Inputs& in) {
        return sum(in[0], {0, 2}, true);
      },
      {f32({6, 4, 33}, 15)});
}

TEST(CudaOps, SoftmaxAndLogSoftmax) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (const Shape& shape : {Shape{1, 1}, Shape{9, 1000}, Shape{3, 5000}}) {
    expect_cuda_matches_cpu([](const Inputs& in) { return softmax(in[0], -1); }, {f32(shape, 16)});
    expect_cuda_matches_cpu([](const Inputs& in) { return log_softmax(in[0], -1); },
                            {f32(shape, 17)});
  }
  // Over a middle dim (moved last on the device).
  expect_cuda_matches_cpu([](const Inputs& in) { return softmax(in[0], 1); },
                          {f32({4, 37, 6}, 18)});
}

TEST(CudaOps, LayerNorm) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (int64_t n : {1, 33, 768, 1031}) {
    expect_cuda_matches_cpu(
        [n](const Inputs& in) { return layer_norm(in[0], {n}, in[1], in[2], 1e-5); },
        {f32({7, n}, 19), f32({n}, 20), f32({n}, 21)}, 1e-3, 1e-4);
  }
}

TEST(CudaOps, DropoutMaskMatchesTheCpuForTheSameSeed) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const Tensor x = f32({37, 129}, 22);
  Generator a(1234), b(1234);
  const Tensor y_cpu = dropout(x, 0.3, true, &a);
  const Tensor y_cuda = dropout(x.to(Device::cuda()), 0.3, true, &b);
  EXPECT_ALL_CLOSE(y_cuda.to(Device::cpu()), y_cpu, 0.0, 0.0);
  expect_cuda_matches_cpu(
      [](const Inputs& in) {
        Generator g(99);
        return dropout(in[0], 0.5, true, &g);
      },
      {x});
}

}  // namespace
}  // namespace fftune
