// Multi-head self-attention with a padding mask, laid out so that models can give every module
// Hugging Face's dotted name:
//
//   RoBERTa / BERT (post-LN)                     ViT (pre-LN)
//   attention.self.query / key / value           attention.attention.query / key / value
//   attention.output.dense                       attention.output.dense
//   attention.output.LayerNorm                   (layernorm_before/after live in the layer)
//
// Attention names its SelfAttention child "self" or "attention" as asked; DenseOutput is the
// "output" that both the attention block and the feed-forward block end with.
//
// The math, per head h with head_dim D (Vaswani et al.; HF's eager_attention_forward):
//   scores = (Q_h / √D) · K_hᵀ + mask        (B, H, T, T)
//   P      = dropout(softmax(scores))         over the keys (last dim)
//   ctx_h  = P · V_h                          (B, H, T, D), heads concatenated back to (B, T, C)
// Q, K, V are (B, T, C) projections viewed as (B, T, H, D) and permuted to (B, H, T, D): views,
// not copies. The query is scaled before the product (B·T·C multiplies rather than B·H·T·T).
#pragma once

#include <memory>
#include <string>

#include "core/tensor/factory.h"
#include "nn/dropout.h"
#include "nn/layer_norm.h"
#include "nn/linear.h"
#include "nn/module.h"

namespace fftune::nn {

// HF's attention_mask (B, T) — 1 (or any non-zero) for a token, 0 for padding; any real
// dtype — as the additive mask (B, 1, 1, T) of `dtype`: 0 where attended, the dtype's lowest
// finite value where padded (as transformers does; a fully padded row then attends uniformly
// instead of producing NaN).
Tensor additive_attention_mask(const Tensor& attention_mask, DType dtype);

// q, k, v (B, H, T, D) (any strides); mask broadcastable to (B, H, T, T), or undefined ->
// context (B, H, T, D). Dropout on the probabilities with dropout_p when training.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const Tensor& mask, double dropout_p = 0.0,
                                    bool training = false, Generator* gen = nullptr);

struct AttentionConfig {
  int64_t hidden_size = 768;  // C
  int64_t num_heads = 12;     // H; head_dim D = C / H
  double attention_dropout = 0.0;
  bool qkv_bias = true;
  Generator* gen = nullptr;  // initialisation and dropout masks (default generator when null)
  DType dtype = DType::f32;
  Device device = Device::cpu();
};

// The query/key/value projections and the attention itself: children "query", "key", "value"
// (nn::Linear, so adapters attach to them) and "dropout" (on the probabilities).
class SelfAttention : public Module {
 public:
  explicit SelfAttention(const AttentionConfig& config);

  // x (B, T, C), mask additive (B, 1, 1, T) (additive_attention_mask) or undefined
  // -> context (B, T, C), heads concatenated.
  Tensor forward(const Tensor& x, const Tensor& mask = Tensor()) const;

  int64_t num_heads() const { return num_heads_; }
  int64_t head_dim() const { return head_dim_; }
  const std::shared_ptr<Linear>& query() const { return query_; }
  const std::shared_ptr<Linear>& key() const { return key_; }
  const std::shared_ptr<Linear>& value() const { return value_; }

 private:
  int64_t num_heads_, head_dim_;
  std::shared_ptr<Linear> query_, key_, value_;
  std::shared_ptr<Dropout> dropout_;
};

// dense → dropout → + residual, then LayerNorm if it has one (post-LN): children "dense",
// "dropout" and optionally "LayerNorm". BERT's SelfOutput and Output (with LayerNorm), ViT's
// SelfOutput and Output (without: ViT adds the residual in the layer, which is the same sum).
class DenseOutput : public Module {
 public:
  DenseOutput(int64_t in_features, int64_t out_features, double dropout, bool layer_norm,
              double layer_norm_eps, Generator* gen = nullptr, DType dtype = DType::f32,
              Device device = Device::cpu());

  // h (…, in), residual (…, out) -> (…, out).
  Tensor forward(const Tensor& h, const Tensor& residual) const;

  const std::shared_ptr<Linear>& dense() const { return dense_; }
  const std::shared_ptr<LayerNorm>& layer_norm() const { return layer_norm_; }  // null if none

 private:
  std::shared_ptr<Linear> dense_;
  std::shared_ptr<Dropout> dropout_;
  std::shared_ptr<LayerNorm> layer_norm_;
};

// The attention block: SelfAttention registered as `self_name` ("self" for BERT/RoBERTa,
// "attention" for ViT), then DenseOutput "output" (with LayerNorm when post_ln).
class Attention : public Module {
 public:
  Attention(const AttentionConfig& config, const std::string& self_name, bool post_ln,
            double layer_norm_eps, double hidden_dropout);

  // x (B, T, C) the attention's input, residual (B, T, C) what its output is added to (x
  // itself in post-LN; the un-normalised hidden state in pre-LN) -> (B, T, C).
  Tensor forward(const Tensor& x, const Tensor& mask, const Tensor& residual) const;

  const std::shared_ptr<SelfAttention>& self_attention() const { return self_; }
  const std::shared_ptr<DenseOutput>& output() const { return output_; }

 private:
  std::shared_ptr<SelfAttention> self_;
  std::shared_ptr<DenseOutput> output_;
};

}  // namespace fftune::nn
