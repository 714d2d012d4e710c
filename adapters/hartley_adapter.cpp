#include "adapters/hartley_adapter.h"

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

}  // namespace fftune::adapters
