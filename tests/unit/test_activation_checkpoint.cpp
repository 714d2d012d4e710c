// nn/activation_checkpoint.h: a checkpointed function gives the plain forward's output and,
// bit for bit, its gradients — with dropout drawing the same masks although the generator moved
// on between forward and backward — frozen parameters get none, parameters get theirs when no
// input requires grad; gradcheck in f64; the misuse it detects; and the memory it saves, measured
// with the host allocator's byte counters on a 4-layer encoder with FourierFT adapters.
#include <iostream>

#include "adapters/inject.h"
#include "core/autograd/grad_mode.h"
#include "core/autograd/node.h"
#include "nn/activation_checkpoint.h"
#include "nn/transformer_encoder.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

using testing::random_tensor;

// A small two-layer MLP with a residual, dropout and a frozen bias:
//   y = dropout(gelu(x·w1 + frozen)) · w2 + x        x (4, 6), w1 (6, 7), w2 (7, 6)
struct Mlp {
  Tensor w1 = random_tensor({6, 7}, DType::f32, 1);
  Tensor w2 = random_tensor({7, 6}, DType::f32, 2);
  Tensor frozen = random_tensor({7}, DType::f32, 3, /*requires_grad=*/false);
  Generator gen{5};

  Tensor operator()(const std::vector<Tensor>& in) {
    const Tensor h = dropout(gelu(add(matmul(in[0], w1), frozen)), 0.3, true, &gen);
    return add(matmul(h, w2), in[0]);
  }
  CheckpointFn fn() {
    return [this](const std::vector<Tensor>& in) { return (*this)(in); };
  }
};

// Forward (plain or checkpointed), three draws from the generator (as later layers' dropouts
// would make), backward with a fixed output gradient; returns the output.
Tensor run(Mlp& mlp, const Tensor& x, bool checkpointed) {
  mlp.gen.manual_seed(5);
  const Tensor y =
      checkpointed ? checkpoint(mlp.fn(), {x}, {mlp.w1, mlp.w2}, {&mlp.gen}) : mlp({x});
  for (int i = 0; i < 3; ++i) mlp.gen.next_stream();
  y.backward(random_tensor(y.shape(), DType::f32, 9, false));
  return y;
}

TEST(ActivationCheckpoint, GradientsEqualThePlainForwardBitForBit) {
  Mlp mlp;
  const Tensor x = random_tensor({4, 6}, DType::f32, 4);
  const Tensor y_plain = run(mlp, x, false);
  const Tensor dx = x.grad(), dw1 = mlp.w1.grad(), dw2 = mlp.w2.grad();
  const uint64_t stream_after = mlp.gen.stream_position();
  for (Tensor t : {x, mlp.w1, mlp.w2}) t.set_grad(Tensor());

  const Tensor y = run(mlp, x, true);
  EXPECT_EQ(y.grad_fn()->name(), "CheckpointBackward");
  EXPECT_ALL_CLOSE(y, y_plain, 0.0, 0.0);
  EXPECT_ALL_CLOSE(x.grad(), dx, 0.0, 0.0);
  EXPECT_ALL_CLOSE(mlp.w1.grad(), dw1, 0.0, 0.0);
  EXPECT_ALL_CLOSE(mlp.w2.grad(), dw2, 0.0, 0.0);
  EXPECT_FALSE(mlp.frozen.grad().defined());
  // The recompute rewound the generator and put it back: later draws are unchanged.
  EXPECT_EQ(mlp.gen.stream_position(), stream_after);
}

// Without rewinding, the recompute would draw other masks and the gradients would differ: the
// test above would catch a checkpoint that forgot the generator.
TEST(ActivationCheckpoint, TheGeneratorMattersToTheGradients) {
  Mlp mlp;
  const Tensor x = random_tensor({4, 6}, DType::f32, 4);
  run(mlp, x, false);
  const Tensor dw1 = mlp.w1.grad();
  mlp.w1.set_grad(Tensor());
  mlp.gen.manual_seed(5);
  const Tensor y = checkpoint(mlp.fn(), {x}, {mlp.w1, mlp.w2}, {/*the default, not mlp.gen*/});
  mlp.gen.next_stream();
  y.backward(random_tensor(y.shape(), DType::f32, 9, false));
  EXPECT_FALSE(testing::all_close(mlp.w1.grad(), dw1, 1e-3, 1e-6));
}

// The first layer of a frozen model with adapters: the input needs no gradient, the parameters
// do.
TEST(ActivationCheckpoint, ParametersGetGradientsWhenNoInputRequiresGrad) {
  Mlp mlp;
  const Tensor x = random_tensor({4, 6}, DType::f32, 4, /*requires_grad=*/false);
  run(mlp, x, false);
  const Tensor dw1 = mlp.w1.grad(), dw2 = mlp.w2.grad();
  for (Tensor t : {mlp.w1, mlp.w2}) t.set_grad(Tensor());
  const Tensor y = run(mlp, x, true);
  ASSERT_TRUE(y.requires_grad());
  EXPECT_ALL_CLOSE(mlp.w1.grad(), dw1, 0.0, 0.0);
  EXPECT_ALL_CLOSE(mlp.w2.grad(), dw2, 0.0, 0.0);
  EXPECT_FALSE(x.grad().defined());
}

TEST(ActivationCheckpoint, NoGraphWhenNoGradientIsNeeded) {
  Mlp mlp;
  const Tensor x = random_tensor({4, 6}, DType::f32, 4, false);
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(checkpoint(mlp.fn(), {x}, {mlp.w1, mlp.w2}, {&mlp.gen}).requires_grad());
  }
  mlp.w1.set_requires_grad(false);
  mlp.w2.set_requires_grad(false);
  const Tensor y = checkpoint(mlp.fn(), {x}, {mlp.w1, mlp.w2}, {&mlp.gen});
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
}

// A second backward (retain_graph) recomputes again from the kept inputs; gradients add up.
TEST(ActivationCheckpoint, BackwardTwiceWithRetainGraph) {
  Mlp mlp;
  const Tensor x = random_tensor({4, 6}, DType::f32, 4);
  mlp.gen.manual_seed(5);
  const Tensor y = checkpoint(mlp.fn(), {x}, {mlp.w1, mlp.w2}, {&mlp.gen});
  const Tensor g = random_tensor(y.shape(), DType::f32, 9, false);
  y.backward(g, /*retain_graph=*/true);
  const Tensor once = mlp.w1.grad().clone();
  y.backward(g);
  EXPECT_ALL_CLOSE(mlp.w1.grad(), mul(once, 2.0), 0.0, 0.0);
  // Without retain_graph the inputs are freed: a third backward is an error.
  EXPECT_FFTUNE_ERROR(y.backward(g), "CheckpointBackward");
}

// f64 finite differences through the checkpoint, for the inputs (one of them not a parameter of
// fn: an extra bias passed as input) and the parameter; the generator is reseeded on each call
// so that every evaluation uses the same dropout mask.
TEST(ActivationCheckpoint, Gradcheck) {
  Generator gen(3);
  const std::vector<Tensor> inputs = {random_tensor({3, 4}, DType::f64, 1),
                                      random_tensor({4, 5}, DType::f64, 2),
                                      random_tensor({5}, DType::f64, 3)};
  const auto f = [&gen](const std::vector<Tensor>& in) {
    gen.manual_seed(8);
    const Tensor w = in[1];  // read as a parameter (from the closure), not as an input
    const CheckpointFn inner = [w, &gen](const std::vector<Tensor>& xs) {
      return dropout(tanh(add(matmul(xs[0], w), xs[1])), 0.4, true, &gen);
    };
    return checkpoint(inner, {in[0], in[2]}, {w}, {&gen});
  };
  EXPECT_GRADCHECK(f, inputs);
}

TEST(ActivationCheckpoint, RejectsATensorComputedWithGradOutsideIt) {
  const Tensor w = random_tensor({6}, DType::f32, 1);
  const Tensor scaled = mul(w, 2.0);  // not a leaf: it has a grad_fn of the outer graph
  const Tensor x = random_tensor({4, 6}, DType::f32, 2);
  const Tensor y =
      checkpoint([scaled](const std::vector<Tensor>& in) { return mul(in[0], scaled); }, {x}, {w});
  EXPECT_FFTUNE_ERROR(sum(y).backward(), "computed with grad outside it");
}

TEST(HostMemoryStats, CountsLiveAndPeakBytes) {
  reset_host_peak_memory();
  const HostMemoryStats before = host_memory_stats();
  EXPECT_EQ(before.peak_bytes, before.live_bytes);
  {
    const Tensor a = empty({1000}, DType::f32);
    EXPECT_EQ(host_memory_stats().live_bytes, before.live_bytes + 4000);
  }
  EXPECT_EQ(host_memory_stats().live_bytes, before.live_bytes);
  EXPECT_EQ(host_memory_stats().peak_bytes, before.live_bytes + 4000);
  reset_host_peak_memory();
  EXPECT_EQ(host_memory_stats().peak_bytes, before.live_bytes);
}

// What one training step of a 4-layer encoder (frozen, FourierFT on query/value, dropout on)
// holds: bytes alive after the forward, and the peak over forward and backward, both above the
// bytes alive before the step.
struct StepMemory {
  int64_t after_forward = 0, peak = 0;
};

StepMemory measure_step(bool checkpointed) {
  Generator gen(21);
  const EncoderLayerConfig layer{.hidden_size = 48,
                                 .num_heads = 4,
                                 .intermediate_size = 192,
                                 .hidden_dropout = 0.1,
                                 .attention_dropout = 0.1,
                                 .norm = NormPlacement::kPre,
                                 .gen = &gen};
  TransformerEncoder encoder(4, layer);
  encoder.set_requires_grad(false);
  adapters::InjectOptions targets;
  targets.target_modules = adapters::ModulePatterns::list({"query", "value"});
  fourierft::FourierFTOptions options;
  options.n_frequency = 64;
  adapters::inject_fourierft(encoder, targets, options, {}, &gen);
  encoder.set_activation_checkpointing(checkpointed);
  const Tensor x = random_tensor({4, 64, 48}, DType::f32, 5, false);  // (B, T, C)
  const Tensor dy = random_tensor({4, 64, 48}, DType::f32, 6, false);

  // Signed: a cache freed during the step (fourierft_linear's row spectra) may take the live
  // bytes below where they started.
  const auto bytes = [](size_t b) { return static_cast<int64_t>(b); };
  const int64_t base = bytes(host_memory_stats().live_bytes);
  reset_host_peak_memory();
  StepMemory m;
  {
    const Tensor y = encoder.forward(x);
    m.after_forward = bytes(host_memory_stats().live_bytes) - base;
    y.backward(dy);
  }
  m.peak = bytes(host_memory_stats().peak_bytes) - base;
  return m;
}

TEST(ActivationCheckpoint, KeepsFewerBytesAliveInAFourLayerEncoder) {
  const StepMemory plain = measure_step(false), checkpointed = measure_step(true);
  std::cout << "4-layer encoder (B 4, T 64, C 48, I 192, FourierFT n 64 on query/value):\n"
            << "  bytes alive after forward: plain " << plain.after_forward << ", checkpointed "
            << checkpointed.after_forward << "\n  peak over forward + backward: plain "
            << plain.peak << ", checkpointed " << checkpointed.peak << "\n";
  // Checkpointed, the forward keeps each layer's input (4·B·T·C floats) and the output; the
  // plain forward keeps every layer's activations, several times that.
  EXPECT_LT(checkpointed.after_forward, plain.after_forward / 2);
  // The backward then holds one layer's activations at a time instead of four.
  EXPECT_LT(checkpointed.peak, plain.peak);
}

}  // namespace
}  // namespace fftune::nn
