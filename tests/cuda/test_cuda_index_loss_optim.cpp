// CPU <-> CUDA parity of embedding, cross_entropy and mse_loss, the indexing ops, max / argmax,
// where / masked_fill, mean / var, cat / stack, the in-place add_ / mul_ and the fused optimizer
// updates, forward and backward, at awkward sizes. The scatter-adds run in both modes: by
// default (float atomics, equal to rounding) and with deterministic_algorithms() on (sorted or
// line-by-line sums: equal to the CPU and repeating bit for bit). Skipped (reported as skipped
// by ctest) when no device is present.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <random>

#include "core/determinism.h"
#include "nn/adamw.h"
#include "nn/sgd.h"
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

// i64 indices uniform in [0, size), on the CPU (ops move them to the inputs' device).
Tensor indices(const Shape& shape, int64_t size, uint64_t seed) {
  Tensor t = empty(shape, DType::i64);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> pick(0, size - 1);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<int64_t>()[i] = pick(rng);
  return t;
}

// `t` on the device of `like`.
Tensor on(const Tensor& t, const Tensor& like) {
  return t.to(like.device());
}

bool same_bits(const Tensor& a, const Tensor& b) {
  const Tensor x = a.to(Device::cpu()).contiguous(), y = b.to(Device::cpu()).contiguous();
  return x.shape() == y.shape() && x.dtype() == y.dtype() &&
         std::memcmp(x.raw_data(), y.raw_data(), x.numel() * dtype_size(x.dtype())) == 0;
}

// Turns deterministic_algorithms() on for one scope.
class DeterministicScope {
 public:
  DeterministicScope() : before_(deterministic_algorithms()) { set_deterministic_algorithms(true); }
  ~DeterministicScope() { set_deterministic_algorithms(before_); }

 private:
  bool before_;
};

// The gradient of weight through embedding(weight, ids) for output gradient g, on g's device.
Tensor embedding_grad(const Tensor& weight, const Tensor& ids, const Tensor& g,
                      std::optional<int64_t> padding_idx = std::nullopt) {
  const Tensor w = weight.detach().clone().set_requires_grad(true);
  embedding(w, ids, padding_idx).backward(g);
  return w.grad();
}

TEST(CudaIndexOps, Embedding) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (const auto& [V, C, M] : std::vector<std::array<int64_t, 3>>{
           {1, 1, 1}, {10, 33, 7}, {50, 257, 513}, {50265, 64, 300}}) {
    Tensor ids = indices({M}, V, V + C);
    for (int64_t m = 0; m < M; m += 3) ids.data<int64_t>()[m] = V / 2;  // a frequent token
    expect_cuda_matches_cpu([&](const Inputs& in) { return embedding(in[0], on(ids, in[0])); },
                            {f32({V, C}, 1)});
  }
  // (B, T) ids, padding_idx: the padding row gets no gradient on either device.
  const Tensor ids = indices({3, 11}, 20, 2);
  expect_cuda_matches_cpu(
      [&](const Inputs& in) { return embedding(in[0], on(ids, in[0]), int64_t{4}); },
      {f32({20, 9}, 3)});
}

TEST(CudaIndexOps, EmbeddingBackwardIsBitExactInDeterministicMode) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  DeterministicScope deterministic;
  const int64_t V = 1000, C = 129, M = 4097;
  Tensor ids = indices({M}, V, 5);
  for (int64_t m = 0; m < M; m += 2) ids.data<int64_t>()[m] = 1;  // half the batch: one row
  const Tensor weight = f32({V, C}, 6), g = f32({M, C}, 7);
  const Tensor cpu = embedding_grad(weight, ids, g, int64_t{3});
  const Tensor w_cuda = weight.to(Device::cuda()), ids_cuda = ids.to(Device::cuda());
  const Tensor g_cuda = g.to(Device::cuda());
  const Tensor first = embedding_grad(w_cuda, ids_cuda, g_cuda, int64_t{3});
  const Tensor second = embedding_grad(w_cuda, ids_cuda, g_cuda, int64_t{3});
  EXPECT_TRUE(same_bits(first, second)) << "two deterministic runs differ";
  EXPECT_TRUE(same_bits(first, cpu)) << "the sorted sum adds in the CPU's order";
}

TEST(CudaIndexOps, IndexSelectGatherScatterAdd) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (bool det : {false, true}) {
    SCOPED_TRACE(det ? "deterministic" : "default");
    set_deterministic_algorithms(det);
    const Tensor sel = indices({300}, 7, 8);
    expect_cuda_matches_cpu(
        [&](const Inputs& in) { return index_select(in[0], 1, on(sel, in[0])); },
        {f32({3, 7, 5}, 9)});
    expect_cuda_matches_cpu(
        [&](const Inputs& in) { return index_select(in[0], 0, on(sel, in[0])); },
        {f32({7, 1}, 10)});
    const Tensor gi = indices({5, 300}, 9, 11);
    expect_cuda_matches_cpu([&](const Inputs& in) { return gather(in[0], 1, on(gi, in[0])); },
                            {f32({6, 9}, 12)});
    // A strided x and an index smaller than x off dim.
    const Tensor gi3 = indices({4, 33, 3}, 4, 13);
    expect_cuda_matches_cpu(
        [&](const Inputs& in) { return gather(in[0].transpose(0, 2), 1, on(gi3, in[0])); },
        {f32({5, 4, 6}, 14)});
    const Tensor si = indices({257, 2}, 300, 15);
    expect_cuda_matches_cpu(
        [&](const Inputs& in) { return scatter_add(in[0], 0, on(si, in[0]), in[1]); },
        {f32({300, 3}, 16), f32({258, 2}, 17)});
  }
  set_deterministic_algorithms(false);
}

TEST(CudaIndexOps, ScatterAddAndIndexSelectBackwardRepeatBitForBitInDeterministicMode) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  DeterministicScope deterministic;
  const Tensor si = indices({4000, 3}, 5, 18);  // many collisions per element
  const Tensor src = f32({4000, 3}, 19), x = f32({5, 3}, 20);
  const Tensor cpu = scatter_add(x, 0, si, src);
  const Tensor a =
      scatter_add(x.to(Device::cuda()), 0, si.to(Device::cuda()), src.to(Device::cuda()));
  const Tensor b =
      scatter_add(x.to(Device::cuda()), 0, si.to(Device::cuda()), src.to(Device::cuda()));
  EXPECT_TRUE(same_bits(a, b));
  EXPECT_TRUE(same_bits(a, cpu));

  const Tensor sel = indices({5000}, 3, 21);
  auto dx = [&](Device device) {
    const Tensor w = f32({2, 3, 17}, 22).to(device).detach().set_requires_grad(true);
    index_select(w, 1, sel.to(device)).backward(f32({2, 5000, 17}, 23).to(device));
    return w.grad();
  };
  const Tensor d1 = dx(Device::cuda()), d2 = dx(Device::cuda());
  EXPECT_TRUE(same_bits(d1, d2));
  EXPECT_TRUE(same_bits(d1, dx(Device::cpu())));
}

TEST(CudaLossOps, CrossEntropy) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (double smoothing : {0.0, 0.1}) {
    for (Reduction r : {Reduction::kMean, Reduction::kSum, Reduction::kNone}) {
      // (B, C) with ignored targets, including a vocabulary-sized row.
      for (const auto& [B, C] :
           std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {7, 5}, {33, 1000}, {3, 50265}}) {
        Tensor t = indices({B}, C, B + C);
        if (B > 1) t.data<int64_t>()[1] = -100;
        expect_cuda_matches_cpu(
            [&](const Inputs& in) {
              return cross_entropy(in[0], on(t, in[0]), -100, smoothing, r);
            },
            {f32({B, C}, 24)}, 1e-4, 1e-5);
      }
      // (B, C, d1, d2): classes in dim 1.
      Tensor t = indices({2, 3, 5}, 4, 25);
      t.data<int64_t>()[7] = 2;
      expect_cuda_matches_cpu(
          [&](const Inputs& in) { return cross_entropy(in[0], on(t, in[0]), 2, smoothing, r); },
          {f32({2, 4, 3, 5}, 26)}, 1e-4, 1e-5);
    }
  }
}

TEST(CudaLossOps, MseLoss) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (Reduction r : {Reduction::kMean, Reduction::kSum, Reduction::kNone})
    expect_cuda_matches_cpu([&](const Inputs& in) { return mse_loss(in[0], in[1], r); },
                            {f32({33, 257}, 27), f32({33, 257}, 28)});
}

TEST(CudaReduceOps, MaxArgmaxMeanVar) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  for (const Shape& shape : {Shape{1}, Shape{100003}, Shape{7, 300, 5}, Shape{65, 33}}) {
    const Tensor x = f32(shape, 29);
    for (int64_t d = 0; d < x.dim(); ++d) {
      expect_cuda_matches_cpu([d](const Inputs& in) { return max(in[0], d).values; }, {x});
      EXPECT_ALL_CLOSE(argmax(x.to(Device::cuda()), d).to(Device::cpu()), argmax(x, d), 0.0, 0.0);
      expect_cuda_matches_cpu([d](const Inputs& in) { return mean(in[0], {d}); }, {x});
      if (x.size(d) > 1)
        expect_cuda_matches_cpu([d](const Inputs& in) { return var(in[0], {d}); }, {x}, 1e-4, 1e-5);
    }
    expect_cuda_matches_cpu([](const Inputs& in) { return max(in[0]); }, {x});
  }
  // Ties: the first maximum, on both devices.
  const Tensor ties = indices({9, 40}, 3, 30).to(DType::f32);
  EXPECT_ALL_CLOSE(argmax(ties.to(Device::cuda()), 1).to(Device::cpu()), argmax(ties, 1), 0.0, 0.0);
}

TEST(CudaSelectOps, WhereAndMaskedFill) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  const Tensor cond = indices({7, 1, 33}, 2, 31);
  expect_cuda_matches_cpu([&](const Inputs& in) { return where(on(cond, in[0]), in[0], in[1]); },
                          {f32({5, 1}, 32), f32({33}, 33)});
  const Tensor mask = indices({4, 1, 257}, 2, 34).to(DType::f32);
  expect_cuda_matches_cpu(
      [&](const Inputs& in) { return masked_fill(in[0], on(mask, in[0]), -1e9); },
      {f32({4, 3, 257}, 35)});
}

TEST(CudaJoinOps, CatAndStack) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  expect_cuda_matches_cpu(
      [](const Inputs& in) {
        return cat({in[0], in[1], in[2]}, 1);
      },
      {f32({3, 1, 5}, 36), f32({3, 0, 5}, 37), f32({3, 257, 5}, 38)});
  expect_cuda_matches_cpu(
      [](const Inputs& in) {
        return stack({in[0], in[1]}, 2);
      },
      {f32({4, 33}, 39), f32({4, 33}, 40)});
}

TEST(CudaOptimOps, InPlaceAddAndMul) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  NoGradGuard no_grad;
  Tensor x = f32({33, 257}, 41).detach(), y = f32({257}, 42).detach();
  Tensor xd = x.to(Device::cuda()), yd = y.to(Device::cuda());
  add_(x, y, -0.3);
  add_(xd, yd, -0.3);
  mul_(x, 1.7);
  mul_(xd, 1.7);
  EXPECT_ALL_CLOSE(xd.to(Device::cpu()), x, 1e-6, 1e-6);
}

TEST(CudaComplexOps, ConjAndAbs) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  expect_cuda_matches_cpu(
      [](const Inputs& in) { return view_as_real(conj(complex(in[0], in[1]))); },
      {f32({7, 33}, 60), f32({33}, 61)});
  expect_cuda_matches_cpu([](const Inputs& in) { return abs(complex(in[0], in[1])); },
                          {f32({5, 257}, 62), f32({5, 257}, 63)});
}

// A few steps of an optimizer over parameters of awkward sizes (one spans several chunks of the
// multi-tensor launch), on both devices, with the same gradients.
template <typename Optimizer, typename Options>
void expect_optimizer_parity(const Options& options) {
  const std::vector<Shape> shapes = {{1}, {257, 3}, {70001}, {33}};
  std::vector<Tensor> cpu_params, cuda_params;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Tensor p = f32(shapes[i], 50 + i).detach();
    cpu_params.push_back(p.clone().set_requires_grad(true));
    cuda_params.push_back(p.to(Device::cuda()).set_requires_grad(true));
  }
  Optimizer cpu_opt(cpu_params, options), cuda_opt(cuda_params, options);
  for (int step = 0; step < 3; ++step) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      if (step == 1 && i == 3) {  // a parameter without a gradient is skipped
        cpu_params[i].set_grad(Tensor());
        cuda_params[i].set_grad(Tensor());
        continue;
      }
      const Tensor g = f32(shapes[i], 100 * step + i).detach();
      cpu_params[i].set_grad(g);
      cuda_params[i].set_grad(g.to(Device::cuda()));
    }
    cpu_opt.step();
    cuda_opt.step();
  }
  for (size_t i = 0; i < shapes.size(); ++i)
    EXPECT_ALL_CLOSE(cuda_params[i].detach().to(Device::cpu()), cpu_params[i].detach(), 1e-5, 1e-6)
        << "parameter " << i;
}

TEST(CudaOptimOps, AdamWAndSgdMatchTheCpu) {
  FFTUNE_SKIP_WITHOUT_CUDA_DEVICE();
  expect_optimizer_parity<nn::AdamW>(nn::AdamWOptions{1e-2, 0.1, 0.9, 0.999, 1e-8});
  expect_optimizer_parity<nn::SGD>(nn::SGDOptions{0.1, 1e-2, 0.9, 0.0, true});
  expect_optimizer_parity<nn::SGD>(nn::SGDOptions{0.1, 0.0, 0.0, 0.0, false});
}

}  // namespace
}  // namespace fftune
