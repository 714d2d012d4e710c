#include "adapters/hartley_adapter.h"

#include "adapters/registry.h"

#include "fourierft/spectral_delta.h"
#include "nn/init.h"

namespace fftune::adapters {

HartleyLinear::HartleyLinear(int64_t out_features, int64_t in_features,
                             const HartleyOptions& options, Generator* gen, DType dtype,
                             Device device)
    : options_(options) {
  FFTUNE_CHECK(out_features > 0 && in_features > 0,
               "HartleyLinear: the weight must have positive sizes, got ", out_features, " x ",
               in_features);
  FFTUNE_CHECK(options.n_frequency > 0 && options.n_frequency <= out_features * in_features,
               "HartleyLinear: n_frequency must be in 1..", out_features * in_features, " for a ",
               out_features, " x ", in_features, " weight, got ", options.n_frequency);
  entries_ = fourierft::uniform_entries(out_features, in_features, options.n_frequency,
                                        options.random_loc_seed);
  spectrum_ = register_parameter("hartley_spectrum", zeros({options.n_frequency}, dtype, device));
  if (!options.init_weights) nn::init::normal_(spectrum_, 0.0, 1.0, gen);
}

Tensor HartleyLinear::delta_weight() const {
  // α · IDHT2(F) = α/(d1·d2) · Σ c·cas θ, and cas θ = 2·Re(w·e^{iθ}) with w = (1 − i)/2.
  const double scale = options_.scaling / static_cast<double>(entries_.d1 * entries_.d2);
  return fourierft::spectral_delta(spectrum_, entries_, scale, {0.5, -0.5});
}

// The registry's entry (adapters/registry.h): saved as FFTUNE_HARTLEY with the options' keys.
AdapterSpec hartley_adapter_spec() {
  AdapterSpec spec;
  spec.name = "hartley";
  spec.title = "Hartley";
  spec.peft_type = "FFTUNE_HARTLEY";
  using Type = AdapterOption::Type;
  spec.options = {
      {"n_frequency", "n", Type::kInteger, 1000, "Hartley coefficients per layer"},
      {"scaling", "alpha", Type::kNumber, 150.0, "the scaling α of ΔW = α·IDHT2"},
      {"random_loc_seed", "random-loc-seed", Type::kInteger, 777, "seed of the spectral entries"}};
  spec.learning_rate = 5e-2;  // FourierFT's: the same α and the same 1/(d1·d2)
  spec.make_linear = [](const AdapterOptions& o, const nn::Linear& layer, Generator* gen,
                        bool zero_init) {
    HartleyOptions options;
    options.n_frequency = o.at("n_frequency").get<int64_t>();
    options.scaling = o.at("scaling").get<double>();
    options.random_loc_seed = o.at("random_loc_seed").get<uint64_t>();
    options.init_weights = zero_init;
    return std::make_shared<HartleyLinear>(layer.out_features(), layer.in_features(), options, gen,
                                           layer.weight().dtype(), layer.weight().device());
  };
  return spec;
}

}  // namespace fftune::adapters
