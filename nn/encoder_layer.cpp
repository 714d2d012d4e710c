#include "nn/encoder_layer.h"

#include "ops/ops.h"

namespace fftune::nn {

Intermediate::Intermediate(int64_t hidden_size, int64_t intermediate_size, Activation activation,
                           Generator* gen, DType dtype, Device device)
    : activation_(activation) {
  dense_ = register_module(
      "dense", std::make_shared<Linear>(hidden_size, intermediate_size, true, gen, dtype, device));
}

Tensor Intermediate::forward(const Tensor& x) const {
  return apply_activation(activation_, dense_->forward(x));
}

TransformerEncoderLayer::TransformerEncoderLayer(const EncoderLayerConfig& c) : norm_(c.norm) {
  FFTUNE_CHECK(c.intermediate_size > 0, "TransformerEncoderLayer: intermediate_size must be ",
               "positive, got ", c.intermediate_size);
  const bool post = c.norm == NormPlacement::kPost;
  const AttentionConfig attention{.hidden_size = c.hidden_size,
                                  .num_heads = c.num_heads,
                                  .attention_dropout = c.attention_dropout,
                                  .qkv_bias = c.qkv_bias,
                                  .gen = c.gen,
                                  .dtype = c.dtype,
                                  .device = c.device};
  // Registration order = HF's (RobertaLayer; ViTLayer), so named_parameters lists as torch.
  attention_ = register_module(
      "attention", std::make_shared<Attention>(attention, post ? "self" : "attention", post,
                                               c.layer_norm_eps, c.hidden_dropout));
  intermediate_ = register_module(
      "intermediate", std::make_shared<Intermediate>(c.hidden_size, c.intermediate_size,
                                                     c.activation, c.gen, c.dtype, c.device));
  output_ = register_module(
      "output", std::make_shared<DenseOutput>(c.intermediate_size, c.hidden_size, c.hidden_dropout,
                                              post, c.layer_norm_eps, c.gen, c.dtype, c.device));
  if (!post) {
    const Shape C{c.hidden_size};
    layernorm_before_ =
        register_module("layernorm_before",
                        std::make_shared<LayerNorm>(C, c.layer_norm_eps, true, c.dtype, c.device));
    layernorm_after_ =
        register_module("layernorm_after",
                        std::make_shared<LayerNorm>(C, c.layer_norm_eps, true, c.dtype, c.device));
  }
}

Tensor TransformerEncoderLayer::forward(const Tensor& x, const Tensor& mask) const {
  if (norm_ == NormPlacement::kPost) {
    const Tensor a = attention_->forward(x, mask, x);       // LN1(x + Attn(x))
    return output_->forward(intermediate_->forward(a), a);  // LN2(a + FFN(a))
  }
  const Tensor a = attention_->forward(layernorm_before_->forward(x), mask, x);  // x + Attn(LN(x))
  return output_->forward(intermediate_->forward(layernorm_after_->forward(a)), a);
}

}  // namespace fftune::nn
