#include "fourierft/fourierft_linear.h"

#include "fourierft/spectral_delta.h"
#include "nn/init.h"

namespace fftune::fourierft {

FourierFTLinear::FourierFTLinear(int64_t out_features, int64_t in_features,
                                 const FourierFTOptions& options, Generator* gen, DType dtype,
                                 Device device)
    : options_(options) {
  FFTUNE_CHECK(options.n_frequency > 0 && options.n_frequency <= out_features * in_features,
               "FourierFTLinear: n_frequency must be in 1..", out_features * in_features, " for a ",
               out_features, " x ", in_features, " weight, got ", options.n_frequency);
  entries_ = options.frequency_bias
                 ? frequency_biased_entries(out_features, in_features, options.n_frequency,
                                            options.frequency_bias->fc,
                                            options.frequency_bias->width, options.random_loc_seed)
                 : uniform_entries(out_features, in_features, options.n_frequency,
                                   options.random_loc_seed);
  spectrum_ = register_parameter("fourierft_spectrum", zeros({options.n_frequency}, dtype, device));
  if (!options.init_weights) nn::init::normal_(spectrum_, 0.0, 1.0, gen);
}

Tensor FourierFTLinear::delta_weight() const {
  return fourierft_delta(spectrum_, entries_, options_.scaling);
}

Tensor FourierFTLinear::forward(const Tensor& x, const Tensor& weight, const Tensor& bias) const {
  return fourierft_linear(x, weight, bias, spectrum_, entries_, options_.scaling,
                          options_.grad_path, row_spectrum_share_.get());
}

}  // namespace fftune::fourierft
