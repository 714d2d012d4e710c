// A stack of Transformer encoder layers as HF's BertEncoder / RobertaEncoder / ViTEncoder: one
// child "layer" holding the layers as "0", "1", ..., so a model that registers this as "encoder"
// names its weights "encoder.layer.<i>.…" exactly as transformers does.
#pragma once

#include <memory>

#include "nn/encoder_layer.h"
#include "nn/module_list.h"

namespace fftune::nn {

class TransformerEncoder : public Module {
 public:
  // num_layers layers, each built from `layer` (initialised in order from layer.gen).
  TransformerEncoder(int64_t num_layers, const EncoderLayerConfig& layer);

  // x (B, T, C), mask additive (B, 1, 1, T) (additive_attention_mask) or undefined -> (B, T, C).
  Tensor forward(const Tensor& x, const Tensor& mask = Tensor()) const;

  const ModuleList<TransformerEncoderLayer>& layers() const { return *layers_; }

 private:
  std::shared_ptr<ModuleList<TransformerEncoderLayer>> layers_;
};

}  // namespace fftune::nn
