#include "nn/transformer_encoder.h"

namespace fftune::nn {

TransformerEncoder::TransformerEncoder(int64_t num_layers, const EncoderLayerConfig& layer) {
  FFTUNE_CHECK(num_layers >= 0, "TransformerEncoder: num_layers must be >= 0, got ", num_layers);
  layers_ = register_module("layer", std::make_shared<ModuleList<TransformerEncoderLayer>>());
  for (int64_t i = 0; i < num_layers; ++i)
    layers_->push_back(std::make_shared<TransformerEncoderLayer>(layer));
}

Tensor TransformerEncoder::forward(const Tensor& x, const Tensor& mask) const {
  Tensor h = x;
  for (const auto& layer : *layers_) h = layer->forward(h, mask);
  return h;
}

}  // namespace fftune::nn
