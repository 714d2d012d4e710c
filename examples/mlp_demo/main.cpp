// mlp_demo: the smallest complete training loop in fftune. A 2-layer MLP (Linear–GELU–Linear)
// learns to tell apart two interleaved spirals with AdamW, full batch, on the CPU.
//
//   ./mlp_demo            prints the loss every 100 steps and the held-out accuracy
//
// Everything is seeded: two runs print the same numbers.
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include "nn/adamw.h"
#include "nn/linear.h"
#include "nn/module.h"
#include "ops/ops.h"

namespace {

using namespace fftune;

// n points per class on two spirals, each turning twice around the origin; class 1 is class 0
// rotated by π. Gaussian noise of std `noise` on each coordinate.
struct Dataset {
  Tensor x;       // (B, 2) f32
  Tensor labels;  // (B) i64
};
Dataset spirals(int64_t n, double noise, uint64_t seed) {
  Generator gen(seed);
  const std::vector<float> u = to_vector<float>(rand({2 * n}, DType::f32, Device::cpu(), &gen));
  const std::vector<float> eps =
      to_vector<float>(randn({2 * n, 2}, DType::f32, Device::cpu(), &gen));
  std::vector<float> x(4 * n);
  std::vector<int64_t> labels(2 * n);
  for (int64_t i = 0; i < 2 * n; ++i) {
    const int64_t cls = i % 2;
    const double r = u[i];  // radius in [0, 1)
    const double angle = 4 * std::numbers::pi * r + cls * std::numbers::pi;
    x[2 * i] = static_cast<float>(r * std::cos(angle) + noise * eps[2 * i]);
    x[2 * i + 1] = static_cast<float>(r * std::sin(angle) + noise * eps[2 * i + 1]);
    labels[i] = cls;
  }
  return {from_vector<float>(x, {2 * n, 2}), from_vector<int64_t>(labels, {2 * n})};
}

class Mlp : public nn::Module {
 public:
  Mlp(int64_t in, int64_t hidden, int64_t classes, Generator* gen) {
    fc1_ = register_module("fc1", std::make_shared<nn::Linear>(in, hidden, true, gen));
    fc2_ = register_module("fc2", std::make_shared<nn::Linear>(hidden, classes, true, gen));
  }
  // x (B, in) -> logits (B, classes)
  Tensor forward(const Tensor& x) const { return fc2_->forward(gelu(fc1_->forward(x))); }

 private:
  std::shared_ptr<nn::Linear> fc1_, fc2_;
};

// Fraction of rows whose largest logit is at the label.
double accuracy(const Tensor& logits, const Tensor& labels) {
  const std::vector<float> z = to_vector<float>(logits);
  const std::vector<int64_t> y = to_vector<int64_t>(labels);
  const int64_t classes = logits.size(1);
  int64_t correct = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    int64_t best = 0;
    for (int64_t c = 1; c < classes; ++c)
      if (z[i * classes + c] > z[i * classes + best]) best = c;
    correct += best == y[i];
  }
  return static_cast<double>(correct) / static_cast<double>(y.size());
}

}  // namespace

int main() {
  const Dataset train = spirals(/*n=*/1000, /*noise=*/0.02, /*seed=*/1);
  const Dataset test = spirals(/*n=*/500, /*noise=*/0.02, /*seed=*/2);
  Generator init(0);
  Mlp model(2, 64, 2, &init);
  nn::AdamW opt(model.parameters(), {.lr = 2e-2, .weight_decay = 1e-4});
  std::printf("mlp_demo: %lld train / %lld test points, %lld parameters\n",
              static_cast<long long>(train.x.size(0)), static_cast<long long>(test.x.size(0)),
              static_cast<long long>(model.num_parameters()));

  const int steps = 800;
  for (int step = 1; step <= steps; ++step) {
    opt.zero_grad();
    const Tensor loss = cross_entropy(model.forward(train.x), train.labels);
    loss.backward();
    opt.step();
    if (step == 1 || step % 100 == 0) std::printf("step %4d  loss %.4f\n", step, loss.item());
  }

  NoGradGuard no_grad;
  model.eval();
  std::printf("train accuracy %.3f  test accuracy %.3f\n",
              accuracy(model.forward(train.x), train.labels),
              accuracy(model.forward(test.x), test.labels));
  return 0;
}
