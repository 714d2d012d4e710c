// The Transformer encoder layer in its two placements of LayerNorm, with Hugging Face's child
// names, so that a model holding layers as "encoder.layer.<i>" gets HF's dotted names
// (encoder.layer.0.attention.self.query.weight, ...).
//
//   post-LN (BERT, RoBERTa)                     pre-LN (ViT)
//   a = LN1(x + Attn(x))                        a = x + Attn(LN_before(x))
//   y = LN2(a + W2·act(W1·a))                   y = a + W2·act(W1·LN_after(a))
//
//   children, post-LN: attention.self.{query,key,value}, attention.output.{dense,LayerNorm},
//                      intermediate.dense, output.{dense,LayerNorm}
//   children, pre-LN:  attention.attention.{query,key,value}, attention.output.dense,
//                      intermediate.dense, output.dense, layernorm_before, layernorm_after
// (dropout after each dense projection and on the attention probabilities, as HF.)
#pragma once

#include <memory>

#include "nn/activation.h"
#include "nn/attention.h"

namespace fftune::nn {

enum class NormPlacement { kPost, kPre };

struct EncoderLayerConfig {
  int64_t hidden_size = 768;  // C
  int64_t num_heads = 12;
  int64_t intermediate_size = 3072;
  Activation activation = Activation::kGelu;  // activation_from_name(config's hidden_act)
  double layer_norm_eps = 1e-12;              // layer_norm_eps (RoBERTa 1e-5, ViT 1e-12)
  double hidden_dropout = 0.1;                // hidden_dropout_prob
  double attention_dropout = 0.1;             // attention_probs_dropout_prob
  bool qkv_bias = true;
  NormPlacement norm = NormPlacement::kPost;
  Generator* gen = nullptr;  // initialisation and dropout masks (default generator when null)
  DType dtype = DType::f32;
  Device device = Device::cpu();
};

// dense (C -> I) then the activation: child "dense".
class Intermediate : public Module {
 public:
  Intermediate(int64_t hidden_size, int64_t intermediate_size, Activation activation,
               Generator* gen = nullptr, DType dtype = DType::f32, Device device = Device::cpu());
  Tensor forward(const Tensor& x) const;  // (…, C) -> (…, I)
  const std::shared_ptr<Linear>& dense() const { return dense_; }

 private:
  Activation activation_;
  std::shared_ptr<Linear> dense_;
};

class TransformerEncoderLayer : public Module {
 public:
  explicit TransformerEncoderLayer(const EncoderLayerConfig& config);

  // x (B, T, C), mask additive (B, 1, 1, T) (additive_attention_mask) or undefined -> (B, T, C).
  Tensor forward(const Tensor& x, const Tensor& mask = Tensor()) const;

  NormPlacement norm() const { return norm_; }
  const std::shared_ptr<Attention>& attention() const { return attention_; }
  const std::shared_ptr<Intermediate>& intermediate() const { return intermediate_; }
  const std::shared_ptr<DenseOutput>& output() const { return output_; }
  const std::shared_ptr<LayerNorm>& layernorm_before() const { return layernorm_before_; }
  const std::shared_ptr<LayerNorm>& layernorm_after() const { return layernorm_after_; }

 private:
  NormPlacement norm_;
  std::shared_ptr<Attention> attention_;
  std::shared_ptr<Intermediate> intermediate_;
  std::shared_ptr<DenseOutput> output_;
  std::shared_ptr<LayerNorm> layernorm_before_, layernorm_after_;  // pre-LN only
};

}  // namespace fftune::nn
