// fourierft/fourierft_linear.cpp and the adapter slot of nn::Linear: forward, parameter names
// and counts, merge/unmerge, safe merge, and errors.
#include <gtest/gtest.h>

#include "fourierft/fourierft_linear.h"
#include "fourierft/spectral_delta.h"
#include "nn/linear.h"
#include "tests/support/test_support.h"

namespace fftune::fourierft {
namespace {

using testing::random_tensor;

std::shared_ptr<nn::Linear> adapted_linear(int64_t in, int64_t out, FourierFTOptions options) {
  Generator gen(3);
  auto layer = std::make_shared<nn::Linear>(in, out, true, &gen);
  layer->set_requires_grad(false);
  layer->attach_adapter(std::make_shared<FourierFTLinear>(out, in, options, &gen));
  return layer;
}

TEST(FourierFTLinear, ForwardIsTheBaseLayerPlusDeltaW) {
  FourierFTOptions options;
  options.n_frequency = 20;
  options.scaling = 50.0;
  auto layer = adapted_linear(12, 10, options);
  auto* adapter = dynamic_cast<FourierFTLinear*>(layer->adapter().get());
  ASSERT_NE(adapter, nullptr);
  const Tensor x = random_tensor({3, 12}, DType::f32, 1, false);
  const Tensor expected = linear(
      x, add(layer->weight(), fourierft_delta(adapter->spectrum(), adapter->entries(), 50.0)),
      layer->bias());
  EXPECT_ALL_CLOSE(layer->forward(x), expected, 1e-5, 1e-5);
  // The entries are peft's for (out, in) = (10, 12) and the default seed.
  EXPECT_EQ(adapter->entries().rows, uniform_entries(10, 12, 20, 777).rows);
  // Only the spectrum trains.
  const auto params = layer->named_parameters();
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[2].first, "adapter.fourierft_spectrum");
  EXPECT_EQ(layer->num_parameters(/*trainable_only=*/true), 20);
  // Its gradient reaches the spectrum and nothing else.
  sum(layer->forward(x)).backward();
  EXPECT_TRUE(adapter->spectrum().grad().defined());
  EXPECT_FALSE(layer->weight().grad().defined());
}

TEST(FourierFTLinear, InitWeightsZeroGivesTheBaseLayer) {
  FourierFTOptions options;
  options.n_frequency = 8;
  options.init_weights = true;
  auto layer = adapted_linear(6, 5, options);
  const Tensor x = random_tensor({2, 6}, DType::f32, 2, false);
  EXPECT_ALL_CLOSE(layer->forward(x), linear(x, layer->weight(), layer->bias()), 1e-6, 1e-6);
}

TEST(FourierFTLinear, MergeAndUnmerge) {
  FourierFTOptions options;
  options.n_frequency = 15;
  auto layer = adapted_linear(8, 6, options);
  const Tensor w0 = layer->weight().clone();
  const Tensor x = random_tensor({4, 8}, DType::f32, 3, false);
  const Tensor before = layer->forward(x);
  layer->merge_adapter();
  EXPECT_TRUE(layer->merged());
  EXPECT_ALL_CLOSE(layer->forward(x), before, 1e-5, 1e-5);
  EXPECT_FFTUNE_ERROR(layer->merge_adapter(), "already merged");
  layer->unmerge_adapter();
  EXPECT_ALL_CLOSE(layer->weight(), w0, 1e-5, 1e-6);
  EXPECT_ALL_CLOSE(layer->forward(x), before, 1e-5, 1e-5);
}

TEST(FourierFTLinear, SafeMergeRefusesNonFiniteDelta) {
  FourierFTOptions options;
  options.n_frequency = 4;
  auto layer = adapted_linear(4, 4, options);
  auto* adapter = dynamic_cast<FourierFTLinear*>(layer->adapter().get());
  {
    NoGradGuard no_grad;
    Tensor s = adapter->spectrum();
    s.fill_(std::nan(""));
  }
  const Tensor w0 = layer->weight().clone();
  EXPECT_FFTUNE_ERROR(layer->merge_adapter(), "NaN or infinite");
  EXPECT_FALSE(layer->merged());
  EXPECT_ALL_CLOSE(layer->weight(), w0, 0, 0);
}

TEST(FourierFTLinear, Errors) {
  FourierFTOptions options;
  options.n_frequency = 31;
  EXPECT_FFTUNE_ERROR(FourierFTLinear(5, 6, options), "n_frequency must be in 1..30");
  options.n_frequency = 3;
  auto layer = adapted_linear(6, 5, options);
  EXPECT_FFTUNE_ERROR(layer->attach_adapter(std::make_shared<FourierFTLinear>(5, 6, options)),
                      "already has a 'fourierft' adapter");
  nn::Linear plain(3, 3);
  EXPECT_FFTUNE_ERROR(plain.merge_adapter(), "no adapter attached");
}

}  // namespace
}  // namespace fftune::fourierft
