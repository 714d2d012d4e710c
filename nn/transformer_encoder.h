// A stack of Transformer encoder layers as HF's BertEncoder / RobertaEncoder / ViTEncoder: one
// child "layer" holding the layers as "0", "1", ..., so a model that registers this as "encoder"
// names its weights "encoder.layer.<i>.…" exactly as transformers does.
//
// With activation checkpointing on (set_activation_checkpointing, HF's gradient_checkpointing),
// each layer runs through nn::checkpoint (nn/activation_checkpoint.h): the forward keeps only
// each layer's input, and backward recomputes the layer — about one extra forward per step for
// the memory of all layers' activations but one. The layers' dropout masks are drawn again from
// the same streams, so the gradients are those of the plain forward.
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

  // Recompute each layer in backward instead of keeping its activations (off by default).
  void set_activation_checkpointing(bool on) { activation_checkpointing_ = on; }
  bool activation_checkpointing() const { return activation_checkpointing_; }

 private:
  std::shared_ptr<ModuleList<TransformerEncoderLayer>> layers_;
  Generator* gen_;  // the layers' dropout masks (null: the default generator)
  bool activation_checkpointing_ = false;
};

}  // namespace fftune::nn
