#include "nn/transformer_encoder.h"

#include "nn/activation_checkpoint.h"

namespace fftune::nn {

TransformerEncoder::TransformerEncoder(int64_t num_layers, const EncoderLayerConfig& layer)
    : gen_(layer.gen) {
  FFTUNE_CHECK(num_layers >= 0, "TransformerEncoder: num_layers must be >= 0, got ", num_layers);
  layers_ = register_module("layer", std::make_shared<ModuleList<TransformerEncoderLayer>>());
  for (int64_t i = 0; i < num_layers; ++i)
    layers_->push_back(std::make_shared<TransformerEncoderLayer>(layer));
}

Tensor TransformerEncoder::forward(const Tensor& x, const Tensor& mask) const {
  Tensor h = x;
  for (const auto& layer : *layers_) {
    if (!activation_checkpointing_) {
      h = layer->forward(h, mask);
      continue;
    }
    // The layer's dropouts draw from gen_; an adapter's (LoRA's lora_dropout) from the default
    // generator. The closure holds the layer, which the graph may outlive.
    h = checkpoint([layer](const std::vector<Tensor>& in) { return layer->forward(in[0], in[1]); },
                   {h, mask}, layer->parameters(/*trainable_only=*/true), {gen_, nullptr});
  }
  return h;
}

}  // namespace fftune::nn
