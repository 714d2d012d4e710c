// nn/adamw.h, nn/sgd.h, nn/optimizer.h: hand-computed single steps, skipped parameters, set_lr,
// bit-identical resume through state_dict (also through a safetensors file), the parallel
// fused kernel against the serial one, and argument errors. The match with torch.optim over
// several steps is in tests/fixture/test_optim_torch.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>

#include "core/io/safetensors.h"
#include "nn/adamw.h"
#include "nn/sgd.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

Tensor param(const std::vector<double>& values) {
  return from_vector<double>(values, {static_cast<int64_t>(values.size())}).set_requires_grad(true);
}
void set_grad(const Tensor& p, const std::vector<double>& values) {
  p.set_grad(from_vector<double>(values, p.shape()));
}

TEST(AdamW, FirstStepByHand) {
  // At t = 1 the bias corrections cancel the moment decay: m̂ = g and √v̂ = |g|, so
  // p ← p·(1 − lr·wd) − lr·g/(|g| + ε).
  const double lr = 0.1, wd = 0.2, eps = 1e-3;
  Tensor p = param({1.0, -2.0, 0.5});
  AdamW opt({p}, {.lr = lr, .weight_decay = wd, .beta1 = 0.9, .beta2 = 0.999, .eps = eps});
  const std::vector<double> g = {0.5, 0.25, -4.0};
  set_grad(p, g);
  const uint64_t version = p.version();
  opt.step();
  EXPECT_GT(p.version(), version);
  const std::vector<double> p0 = {1.0, -2.0, 0.5};
  const std::vector<double> got = to_vector<double>(p);
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(got[i], p0[i] * (1 - lr * wd) - lr * g[i] / (std::abs(g[i]) + eps), 1e-14) << i;
}

TEST(AdamW, SecondStepByHand) {
  const double lr = 0.01, b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.0;
  Tensor p = param({3.0});
  AdamW opt({p}, {.lr = lr, .weight_decay = wd, .beta1 = b1, .beta2 = b2, .eps = eps});
  const double g1 = 2.0, g2 = -1.0;
  set_grad(p, {g1});
  opt.step();
  set_grad(p, {g2});
  opt.step();
  const double m = b1 * (1 - b1) * g1 + (1 - b1) * g2;
  const double v = b2 * (1 - b2) * g1 * g1 + (1 - b2) * g2 * g2;
  const double m_hat = m / (1 - b1 * b1), v_hat = v / (1 - b2 * b2);
  const double expected =
      3.0 - lr * g1 / (std::abs(g1) + eps) - lr * m_hat / (std::sqrt(v_hat) + eps);
  EXPECT_NEAR(p.item(), expected, 1e-14);
  const auto state = opt.state_dict();
  EXPECT_EQ(state.at("state.0.step").item<int64_t>(), 2);
  EXPECT_NEAR(state.at("state.0.exp_avg").item(), m, 1e-15);
  EXPECT_NEAR(state.at("state.0.exp_avg_sq").item(), v, 1e-15);
}

TEST(SGD, StepsByHand) {
  const double lr = 0.1, mu = 0.9, wd = 0.01;
  for (bool nesterov : {false, true}) {
    SCOPED_TRACE(nesterov ? "nesterov" : "heavy ball");
    Tensor p = param({1.0, -1.0});
    SGD opt({p}, {.lr = lr, .weight_decay = wd, .momentum = mu, .nesterov = nesterov});
    const std::vector<double> g1 = {0.5, 2.0}, g2 = {-1.0, 0.25};
    set_grad(p, g1);
    opt.step();
    std::vector<double> expected(2), buf(2);
    for (int i = 0; i < 2; ++i) {
      const double p0 = i == 0 ? 1.0 : -1.0;
      const double d1 = g1[i] + wd * p0;
      buf[i] = d1;  // the buffer starts as the first (decayed) gradient
      expected[i] = p0 - lr * (nesterov ? d1 + mu * buf[i] : buf[i]);
    }
    std::vector<double> got = to_vector<double>(p);
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(got[i], expected[i], 1e-15) << i;

    set_grad(p, g2);
    opt.step();
    for (int i = 0; i < 2; ++i) {
      const double d2 = g2[i] + wd * expected[i];
      buf[i] = mu * buf[i] + d2;
      expected[i] -= lr * (nesterov ? d2 + mu * buf[i] : buf[i]);
    }
    got = to_vector<double>(p);
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(got[i], expected[i], 1e-15) << i;
  }
}

TEST(SGD, PlainAndDampened) {
  Tensor p = param({1.0});
  SGD plain({p}, {.lr = 0.5});
  set_grad(p, {0.25});
  plain.step();
  EXPECT_DOUBLE_EQ(p.item(), 1.0 - 0.5 * 0.25);
  EXPECT_TRUE(plain.state_dict().count("state.0.step"));
  EXPECT_FALSE(plain.state_dict().count("state.0.momentum_buffer"));

  Tensor q = param({0.0});
  SGD damp({q}, {.lr = 1.0, .momentum = 0.5, .dampening = 0.5});
  set_grad(q, {1.0});
  damp.step();  // buffer = 1 (no dampening on the first step, as torch)
  damp.step();  // buffer = 0.5·1 + 0.5·1 = 1
  EXPECT_DOUBLE_EQ(q.item(), -2.0);
}

TEST(Optimizer, SkipsParametersWithoutGradient) {
  Tensor a = param({1.0, 2.0}), b = param({3.0});
  AdamW opt({a, b}, {.lr = 0.1});
  set_grad(a, {1.0, 1.0});  // b has no grad
  const uint64_t vb = b.version();
  opt.step();
  EXPECT_EQ(b.item(), 3.0);
  EXPECT_EQ(b.version(), vb);
  auto state = opt.state_dict();
  EXPECT_EQ(state.at("state.0.step").item<int64_t>(), 1);
  EXPECT_FALSE(state.count("state.1.step"));
  EXPECT_FALSE(state.count("state.1.exp_avg"));
  set_grad(b, {1.0});
  opt.step();
  state = opt.state_dict();
  EXPECT_EQ(state.at("state.0.step").item<int64_t>(), 2);
  EXPECT_EQ(state.at("state.1.step").item<int64_t>(), 1);  // its own count starts late
}

TEST(Optimizer, ZeroGradAndSetLr) {
  Tensor a = param({1.0}), b = param({1.0});
  SGD opt(std::vector<SGDGroup>{{{a}, {.lr = 0.1}}, {{b}, {.lr = 0.2}}});
  EXPECT_EQ(opt.num_groups(), 2u);
  EXPECT_EQ(opt.lr(1), 0.2);
  opt.set_lr(1, 0.5);
  EXPECT_EQ(opt.lr(1), 0.5);
  EXPECT_EQ(opt.param_groups()[1].lr, 0.5);
  set_grad(a, {1.0});
  set_grad(b, {1.0});
  opt.step();
  EXPECT_DOUBLE_EQ(a.item(), 0.9);
  EXPECT_DOUBLE_EQ(b.item(), 0.5);
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  EXPECT_FFTUNE_ERROR(opt.set_lr(0, -1.0), "invalid learning rate");
  EXPECT_FFTUNE_ERROR(opt.set_lr(2, 0.1), "no parameter group 2");
  EXPECT_FFTUNE_ERROR(opt.lr(5), "no parameter group 5");
}

// Runs `steps` steps of gradients derived from (seed, step): the same sequence every call.
void run_steps(Optimizer& opt, const std::vector<Tensor>& params, int first, int steps) {
  for (int k = first; k < first + steps; ++k) {
    for (size_t i = 0; i < params.size(); ++i) {
      if ((k + i) % 4 == 3) {  // now and then a parameter has no gradient
        params[i].set_grad(Tensor());
        continue;
      }
      Generator gen(1000 * k + i);
      params[i].set_grad(randn(params[i].shape(), params[i].dtype(), Device::cpu(), &gen));
    }
    opt.step();
  }
}

std::vector<Tensor> make_params(DType dtype) {
  std::vector<Tensor> out;
  uint64_t seed = 7;
  for (const Shape& s : {Shape{6, 5}, Shape{5}, Shape{3, 4, 2}})
    out.push_back(testing::random_tensor(s, dtype, seed++, true));
  return out;
}

std::vector<Tensor> clones(const std::vector<Tensor>& params) {
  std::vector<Tensor> out;
  for (const Tensor& p : params) out.push_back(p.detach().clone().set_requires_grad(true));
  return out;
}

using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(const std::vector<Tensor>&)>;

// Uninterrupted run of 7 steps vs 3 steps, state_dict, a fresh optimizer over copies of the
// parameters, load_state_dict, 4 more steps: the parameters must agree bit for bit.
void expect_exact_resume(const MakeOptimizer& make, DType dtype, bool through_file) {
  std::vector<Tensor> straight = make_params(dtype);
  std::unique_ptr<Optimizer> a = make(straight);
  run_steps(*a, straight, 0, 7);

  std::vector<Tensor> first = make_params(dtype);
  std::unique_ptr<Optimizer> b = make(first);
  run_steps(*b, first, 0, 3);
  std::map<std::string, Tensor> state = b->state_dict();
  std::vector<Tensor> resumed = clones(first);
  b.reset();
  if (through_file) {
    const std::string path =
        (std::filesystem::temp_directory_path() / "fftune_test_optim_state.safetensors").string();
    io::save_safetensors(path, {state.begin(), state.end()});
    state = io::load_safetensors(path).tensors;
    std::filesystem::remove(path);
  }
  std::unique_ptr<Optimizer> c = make(resumed);
  c->load_state_dict(state);
  run_steps(*c, resumed, 3, 4);
  for (size_t i = 0; i < straight.size(); ++i) {
    if (dtype == DType::f32)
      EXPECT_EQ(to_vector<float>(resumed[i]), to_vector<float>(straight[i])) << i;
    else
      EXPECT_EQ(to_vector<double>(resumed[i]), to_vector<double>(straight[i])) << i;
  }
  // The state itself continues identically.
  const auto sa = a->state_dict(), sc = c->state_dict();
  ASSERT_EQ(sa.size(), sc.size());
  for (const auto& [key, t] : sa) {
    ASSERT_TRUE(sc.count(key)) << key;
    EXPECT_EQ(to_vector<double>(sc.at(key).to(DType::f64)), to_vector<double>(t.to(DType::f64)))
        << key;
  }
}

TEST(Optimizer, ResumeIsBitIdentical) {
  const MakeOptimizer adamw = [](const std::vector<Tensor>& p) -> std::unique_ptr<Optimizer> {
    return std::make_unique<AdamW>(std::vector<AdamWGroup>{
        {{p[0], p[1]}, {.lr = 1e-2, .weight_decay = 0.1}},
        {{p[2]}, {.lr = 3e-3, .weight_decay = 0.0, .beta1 = 0.8, .eps = 1e-6}}});
  };
  const MakeOptimizer sgd = [](const std::vector<Tensor>& p) -> std::unique_ptr<Optimizer> {
    return std::make_unique<SGD>(std::vector<SGDGroup>{
        {{p[0]}, {.lr = 0.05, .weight_decay = 1e-2, .momentum = 0.9, .nesterov = true}},
        {{p[1], p[2]}, {.lr = 0.02, .momentum = 0.9}}});
  };
  for (DType dtype : {DType::f32, DType::f64}) {
    for (bool through_file : {false, true}) {
      SCOPED_TRACE(std::string(dtype_name(dtype)) + (through_file ? " file" : " memory"));
      expect_exact_resume(adamw, dtype, through_file);
      expect_exact_resume(sgd, dtype, through_file);
    }
  }
}

TEST(Optimizer, LoadStateDictRestoresHyperParameters) {
  Tensor a = param({1.0});
  AdamW source({a}, {.lr = 0.5, .weight_decay = 0.3, .beta1 = 0.7, .beta2 = 0.9, .eps = 1e-4});
  Tensor b = param({1.0});
  AdamW target({b});
  target.load_state_dict(source.state_dict());
  EXPECT_EQ(target.lr(0), 0.5);
  EXPECT_EQ(target.param_groups()[0].weight_decay, 0.3);
  const auto s = target.state_dict();
  EXPECT_EQ(s.at("param_groups.0.beta1").item(), 0.7);
  EXPECT_EQ(s.at("param_groups.0.beta2").item(), 0.9);
  EXPECT_EQ(s.at("param_groups.0.eps").item(), 1e-4);
}

TEST(Optimizer, LoadStateDictErrors) {
  Tensor a = param({1.0, 2.0});
  AdamW opt({a});
  set_grad(a, {1.0, 1.0});
  opt.step();
  const auto good = opt.state_dict();

  Tensor wrong_shape = param({1.0, 2.0, 3.0});
  AdamW other({wrong_shape});
  EXPECT_FFTUNE_ERROR(other.load_state_dict(good),
                      "state.0.exp_avg' is f64 (2,) but parameter 0 is f64 (3,)");

  auto missing = good;
  missing.erase("state.0.exp_avg_sq");
  EXPECT_FFTUNE_ERROR(opt.load_state_dict(missing), "missing 'state.0.exp_avg_sq'");
  auto no_lr = good;
  no_lr.erase("param_groups.0.lr");
  EXPECT_FFTUNE_ERROR(opt.load_state_dict(no_lr), "missing 'param_groups.0.lr'");
  auto extra = good;
  extra["state.5.exp_avg"] = zeros({2}, DType::f64);
  EXPECT_FFTUNE_ERROR(opt.load_state_dict(extra), "unexpected key 'state.5.exp_avg'");

  Tensor s = param({1.0, 2.0});
  SGD sgd({s}, {.momentum = 0.9});
  EXPECT_FFTUNE_ERROR(sgd.load_state_dict(good), "missing 'param_groups.0.momentum'");
  // A failed load leaves the optimizer unchanged.
  EXPECT_EQ(opt.state_dict().at("state.0.step").item<int64_t>(), 1);
}

TEST(Optimizer, ConstructionErrors) {
  Tensor frozen = zeros({2}, DType::f64);
  EXPECT_FFTUNE_ERROR(AdamW({frozen}), "does not require grad");
  EXPECT_FFTUNE_ERROR(AdamW(std::vector<Tensor>{}), "parameter group 0 is empty");
  EXPECT_FFTUNE_ERROR(AdamW(std::vector<AdamWGroup>{}), "no parameter groups");
  Tensor p = param({1.0}), q = param({2.0});
  EXPECT_FFTUNE_ERROR(AdamW(std::vector<AdamWGroup>{{{p}, {}}, {{}, {}}}),
                      "parameter group 1 is empty");
  EXPECT_FFTUNE_ERROR(AdamW({p}, {.lr = -1e-3}), "invalid learning rate -0.001");
  EXPECT_FFTUNE_ERROR(SGD({p}, {.lr = -0.1}), "invalid learning rate");
  EXPECT_FFTUNE_ERROR(AdamW({p}, {.weight_decay = -1}), "invalid weight_decay");
  EXPECT_FFTUNE_ERROR(AdamW({p}, {.beta1 = 1.0}), "invalid beta1");
  EXPECT_FFTUNE_ERROR(AdamW({p}, {.beta2 = -0.1}), "invalid beta2");
  EXPECT_FFTUNE_ERROR(AdamW({p}, {.eps = -1}), "invalid eps");
  EXPECT_FFTUNE_ERROR(SGD({p}, {.momentum = -0.5}), "invalid momentum");
  EXPECT_FFTUNE_ERROR(SGD({p}, {.nesterov = true}), "nesterov momentum needs momentum > 0");
  EXPECT_FFTUNE_ERROR(SGD({p}, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}),
                      "dampening 0");
  EXPECT_FFTUNE_ERROR(SGD(std::vector<SGDGroup>{{{p, q}, {}}, {{p}, {}}}),
                      "parameter 0 of group 1 appears more than once");
  EXPECT_FFTUNE_ERROR(AdamW({mul(p, 2.0)}), "is not a leaf tensor");
  Tensor ints = zeros({2}, DType::i64);
  EXPECT_FFTUNE_ERROR(SGD({ints}), "must be f32 or f64");
  EXPECT_FFTUNE_ERROR(SGD({Tensor()}), "is undefined");
  Tensor strided = zeros({3, 2}, DType::f64);
  {
    NoGradGuard g;
    strided = strided.t();
  }
  strided.set_requires_grad(true);
  EXPECT_FFTUNE_ERROR(SGD({strided}), "must be contiguous");
}

TEST(Optimizer, StepErrors) {
  Tensor p = param({1.0, 2.0});
  AdamW opt({p});
  p.set_grad(zeros({2}, DType::f32));
  EXPECT_FFTUNE_ERROR(opt.step(), "adamw_step_: grad is f32 but the parameter is f64");
}

// The fused kernels are elementwise: one large tensor (split across threads) must give exactly
// the results of its pieces updated separately (each below the parallel grain, one thread).
TEST(Optimizer, ParallelFusedStepEqualsSerial) {
  const int64_t n = 4 * 40000, pieces = 16;
  for (DType dtype : {DType::f32, DType::f64}) {
    Tensor big = testing::random_tensor({n}, dtype, 11, true);
    std::vector<Tensor> parts;
    for (int64_t k = 0; k < pieces; ++k)
      parts.push_back(
          big.detach().narrow(0, k * (n / pieces), n / pieces).clone().set_requires_grad(true));
    AdamW whole({big}, {.lr = 1e-2, .weight_decay = 0.1});
    AdamW split(parts, {.lr = 1e-2, .weight_decay = 0.1});
    SGD whole_sgd({big}, {.lr = 0.1, .weight_decay = 0.01, .momentum = 0.9, .nesterov = true});
    SGD split_sgd(parts, {.lr = 0.1, .weight_decay = 0.01, .momentum = 0.9, .nesterov = true});
    for (int step = 0; step < 3; ++step) {
      Tensor g = testing::random_tensor({n}, dtype, 100 + step, false);
      big.set_grad(g);
      for (int64_t k = 0; k < pieces; ++k)
        parts[k].set_grad(g.narrow(0, k * (n / pieces), n / pieces));  // a view: any layout works
      whole.step();
      split.step();
      whole_sgd.step();
      split_sgd.step();
    }
    std::vector<double> joined;
    for (const Tensor& part : parts) {
      const std::vector<double> v = to_vector<double>(part.to(DType::f64));
      joined.insert(joined.end(), v.begin(), v.end());
    }
    EXPECT_EQ(joined, to_vector<double>(big.to(DType::f64)));
  }
}

}  // namespace
}  // namespace fftune::nn
