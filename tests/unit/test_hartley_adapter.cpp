// adapters/hartley_adapter.cpp: ΔW against the plain O(d1·d2·n) cas sum, the inverse property of
// the DHT, gradients, training through nn::Linear, merge/unmerge, parameter names and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "adapters/hartley_adapter.h"
#include "nn/adamw.h"
#include "nn/linear.h"
#include "tests/support/test_support.h"

namespace fftune::adapters {
namespace {

using testing::random_tensor;

double cas(double theta) {
  return std::cos(theta) + std::sin(theta);
}

// The definition: ΔW[p, q] = α/(d1·d2) · Σ_l c_l · cas(2π(j_l·p/d1 + k_l·q/d2)), in double.
Tensor delta_by_cas_sum(const Tensor& coeffs, const fourierft::SpectralEntries& e, double alpha) {
  const auto c = to_vector<double>(coeffs.to(DType::f64));
  std::vector<double> w(e.d1 * e.d2, 0.0);
  for (int64_t p = 0; p < e.d1; ++p)
    for (int64_t q = 0; q < e.d2; ++q)
      for (int64_t l = 0; l < e.size(); ++l)
        w[p * e.d2 + q] += c[l] * cas(2 * M_PI *
                                      (static_cast<double>(e.rows[l] * p) / e.d1 +
                                       static_cast<double>(e.cols[l] * q) / e.d2));
  for (double& v : w) v *= alpha / (e.d1 * e.d2);
  return from_vector<double>(w, {e.d1, e.d2});
}

// The DHT2 of m (d1, d2), read at the entries: H[j, k] = Σ_{p,q} m[p, q] · cas(2π(jp/d1 + kq/d2)).
Tensor dht2_at_entries(const Tensor& m, const fourierft::SpectralEntries& e) {
  const auto x = to_vector<double>(m);
  std::vector<double> h(e.size(), 0.0);
  for (int64_t l = 0; l < e.size(); ++l)
    for (int64_t p = 0; p < e.d1; ++p)
      for (int64_t q = 0; q < e.d2; ++q)
        h[l] += x[p * e.d2 + q] * cas(2 * M_PI *
                                      (static_cast<double>(e.rows[l] * p) / e.d1 +
                                       static_cast<double>(e.cols[l] * q) / e.d2));
  return from_vector<double>(h, {e.size()});
}

// Odd and even sizes on both axes (the Nyquist row and column exist only for even sizes), and
// degenerate single-row and single-column weights.
const std::vector<std::pair<int64_t, int64_t>> kShapes = {{8, 6}, {7, 5}, {6, 9},
                                                          {5, 8}, {1, 4}, {3, 1}};

HartleyOptions options_with(int64_t n, double scaling = 150.0) {
  HartleyOptions options;
  options.n_frequency = n;
  options.scaling = scaling;
  return options;
}

TEST(HartleyLinear, DeltaMatchesTheCasSum) {
  for (auto [d1, d2] : kShapes) {
    // A few entries, about half the spectrum, and all of it (every self-mirrored cell).
    for (int64_t n : {int64_t{1}, (d1 * d2 + 1) / 2, d1 * d2}) {
      SCOPED_TRACE(::testing::Message() << d1 << "x" << d2 << " n=" << n);
      Generator gen(5);
      HartleyLinear adapter(d1, d2, options_with(n, 300.0), &gen, DType::f64);
      EXPECT_ALL_CLOSE(adapter.delta_weight(),
                       delta_by_cas_sum(adapter.spectrum(), adapter.entries(), 300.0), 1e-12,
                       1e-12);
      // f32 agrees with the f64 definition to float precision.
      Generator gen32(5);
      HartleyLinear adapter32(d1, d2, options_with(n, 300.0), &gen32, DType::f32);
      EXPECT_ALL_CLOSE(adapter32.delta_weight(),
                       delta_by_cas_sum(adapter32.spectrum(), adapter32.entries(), 300.0), 1e-4,
                       1e-4);
    }
  }
}

TEST(HartleyLinear, FullSpectrumInvertsTheDHT) {
  // With every cell an entry, c = DHT2(M) and α = 1, ΔW = IDHT2(DHT2(M)) = M: this pins the
  // 1/(d1·d2) normalisation and the kernel's sign convention.
  for (auto [d1, d2] : kShapes) {
    SCOPED_TRACE(::testing::Message() << d1 << "x" << d2);
    HartleyLinear adapter(d1, d2, options_with(d1 * d2, 1.0), nullptr, DType::f64);
    const Tensor m = random_tensor({d1, d2}, DType::f64, 7, false);
    {
      NoGradGuard no_grad;
      Tensor s = adapter.spectrum();
      s.copy_(dht2_at_entries(m, adapter.entries()));
    }
    EXPECT_ALL_CLOSE(adapter.delta_weight(), m, 1e-10, 1e-10);
  }
}

TEST(HartleyLinear, Gradcheck) {
  for (auto [d1, d2] : kShapes) {
    SCOPED_TRACE(::testing::Message() << d1 << "x" << d2);
    Generator gen(11);
    auto layer = std::make_shared<nn::Linear>(d2, d1, true, &gen, DType::f64);
    layer->set_requires_grad(false);
    layer->attach_adapter(std::make_shared<HartleyLinear>(
        d1, d2, options_with((d1 * d2 + 1) / 2, 20.0), &gen, DType::f64));
    const auto* adapter = dynamic_cast<const HartleyLinear*>(layer->adapter().get());
    // ΔW with respect to the spectrum.
    EXPECT_GRADCHECK([&](const std::vector<Tensor>&) { return adapter->delta_weight(); },
                     {adapter->spectrum()});
    // The adapted layer with respect to x and the spectrum; x reaches it as a transposed view.
    const Tensor xt = random_tensor({d2, 3}, DType::f64, 12);
    EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return layer->forward(in[0].t()); },
                     {xt, adapter->spectrum()});
  }
}

TEST(HartleyLinear, AttachesToLinearWithItsOwnParameterName) {
  Generator gen(3);
  auto layer = std::make_shared<nn::Linear>(12, 10, true, &gen);
  layer->set_requires_grad(false);
  layer->attach_adapter(std::make_shared<HartleyLinear>(10, 12, options_with(20, 50.0), &gen));
  const auto* adapter = dynamic_cast<const HartleyLinear*>(layer->adapter().get());
  ASSERT_NE(adapter, nullptr);
  EXPECT_EQ(adapter->method(), "hartley");
  // The entries are peft's uniform ones for (out, in) = (10, 12) and the default seed.
  EXPECT_EQ(adapter->entries().rows, fourierft::uniform_entries(10, 12, 20, 777).rows);
  EXPECT_EQ(adapter->entries().cols, fourierft::uniform_entries(10, 12, 20, 777).cols);
  const auto params = layer->named_parameters();
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[2].first, "adapter.hartley_spectrum");
  EXPECT_EQ(layer->num_parameters(/*trainable_only=*/true), 20);
  // The forward is the base layer plus ΔW, and the gradient reaches the spectrum only.
  const Tensor x = random_tensor({3, 12}, DType::f32, 1, false);
  EXPECT_ALL_CLOSE(layer->forward(x),
                   linear(x, add(layer->weight(), adapter->delta_weight()), layer->bias()), 1e-5,
                   1e-5);
  sum(layer->forward(x)).backward();
  EXPECT_TRUE(adapter->spectrum().grad().defined());
  EXPECT_FALSE(layer->weight().grad().defined());
}

TEST(HartleyLinear, AdamWReducesARegressionLoss) {
  // The target is the base layer plus a hidden Hartley ΔW on the same entries, so the adapter can
  // reach it; it starts from ΔW = 0.
  const int64_t in = 16, out = 12, n = 40;
  Generator gen(21);
  auto layer = std::make_shared<nn::Linear>(in, out, true, &gen);
  layer->set_requires_grad(false);
  HartleyOptions options = options_with(n, 30.0);
  options.init_weights = true;
  layer->attach_adapter(std::make_shared<HartleyLinear>(out, in, options, &gen));
  const auto* adapter = dynamic_cast<const HartleyLinear*>(layer->adapter().get());
  HartleyOptions hidden_options = options_with(n, 30.0);
  HartleyLinear hidden(out, in, hidden_options, &gen);

  const Tensor x = random_tensor({64, in}, DType::f32, 22, false);
  Tensor target;
  {
    NoGradGuard no_grad;
    target = linear(x, add(layer->weight(), hidden.delta_weight()), layer->bias());
  }
  nn::AdamWOptions adamw;
  adamw.lr = 0.1;
  adamw.weight_decay = 0.0;
  nn::AdamW optimizer(layer->parameters(/*trainable_only=*/true), adamw);
  std::vector<double> losses;
  for (int step = 0; step < 60; ++step) {
    optimizer.zero_grad();
    Tensor loss = mse_loss(layer->forward(x), target);
    losses.push_back(loss.item<float>());
    loss.backward();
    optimizer.step();
  }
  EXPECT_GT(losses.front(), 0.0);
  EXPECT_LT(losses.back(), 0.05 * losses.front());
  // Only the spectrum moved.
  EXPECT_GT(sum(abs(adapter->spectrum())).item<float>(), 0.0f);
}

TEST(HartleyLinear, MergeAndUnmerge) {
  Generator gen(4);
  auto layer = std::make_shared<nn::Linear>(8, 6, true, &gen);
  layer->set_requires_grad(false);
  layer->attach_adapter(std::make_shared<HartleyLinear>(6, 8, options_with(15), &gen));
  const Tensor w0 = layer->weight().clone();
  const Tensor x = random_tensor({4, 8}, DType::f32, 3, false);
  const Tensor before = layer->forward(x);
  layer->merge_adapter();
  EXPECT_TRUE(layer->merged());
  EXPECT_ALL_CLOSE(layer->weight(), add(w0, layer->adapter()->delta_weight()), 1e-6, 1e-6);
  EXPECT_ALL_CLOSE(layer->forward(x), before, 1e-5, 1e-5);
  layer->unmerge_adapter();
  EXPECT_FALSE(layer->merged());
  EXPECT_ALL_CLOSE(layer->weight(), w0, 1e-5, 1e-6);
  EXPECT_ALL_CLOSE(layer->forward(x), before, 1e-5, 1e-5);
}

TEST(HartleyLinear, Errors) {
  EXPECT_FFTUNE_ERROR(HartleyLinear(5, 6, options_with(31)), "n_frequency must be in 1..30");
  EXPECT_FFTUNE_ERROR(HartleyLinear(5, 6, options_with(0)), "n_frequency must be in 1..30");
  EXPECT_FFTUNE_ERROR(HartleyLinear(0, 6, options_with(1)), "positive sizes");
}

}  // namespace
}  // namespace fftune::adapters
