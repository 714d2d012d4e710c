#include "nn/attention.h"

#include <cmath>
#include <limits>

#include "ops/ops.h"

namespace fftune::nn {

Tensor additive_attention_mask(const Tensor& attention_mask, DType dtype) {
  FFTUNE_CHECK(attention_mask.defined() && attention_mask.dim() == 2,
               "additive_attention_mask: attention_mask must be (B, T), got ",
               attention_mask.defined() ? attention_mask.shape() : Shape{});
  FFTUNE_CHECK(is_floating(dtype), "additive_attention_mask: dtype must be f32 or f64, got ",
               dtype);
  const double lowest = dtype == DType::f32 ? std::numeric_limits<float>::lowest()
                                            : std::numeric_limits<double>::lowest();
  NoGradGuard no_grad;
  const Tensor keep = attention_mask.detach().to(DType::f64);  // (B, T)
  const Tensor padded = eq(keep, zeros({}, DType::f64, keep.device()));
  const int64_t B = attention_mask.size(0), T = attention_mask.size(1);
  return mul(padded, lowest).to(dtype).view({B, 1, 1, T});
}

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const Tensor& mask, double dropout_p, bool training,
                                    Generator* gen) {
  FFTUNE_CHECK(q.dim() == 4 && k.shape() == q.shape() && v.shape() == q.shape(),
               "scaled_dot_product_attention: q, k, v must be (B, H, T, D) of one shape, got ",
               q.shape(), ", ", k.shape(), ", ", v.shape());
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(3)));
  Tensor scores = matmul(mul(q, scale), k.transpose(2, 3));  // (B, H, T, T)
  if (mask.defined()) scores = add(scores, mask);
  const Tensor probs = dropout(softmax(scores, -1), dropout_p, training, gen);  // (B, H, T, T)
  return matmul(probs, v);                                                      // (B, H, T, D)
}

SelfAttention::SelfAttention(const AttentionConfig& c) : num_heads_(c.num_heads) {
  FFTUNE_CHECK(c.num_heads > 0 && c.hidden_size > 0 && c.hidden_size % c.num_heads == 0,
               "SelfAttention: hidden_size ", c.hidden_size,
               " must be a positive multiple of num_heads ", c.num_heads);
  head_dim_ = c.hidden_size / c.num_heads;
  const int64_t C = c.hidden_size;
  query_ = register_module("query",
                           std::make_shared<Linear>(C, C, c.qkv_bias, c.gen, c.dtype, c.device));
  key_ =
      register_module("key", std::make_shared<Linear>(C, C, c.qkv_bias, c.gen, c.dtype, c.device));
  value_ = register_module("value",
                           std::make_shared<Linear>(C, C, c.qkv_bias, c.gen, c.dtype, c.device));
  dropout_ = register_module("dropout", std::make_shared<Dropout>(c.attention_dropout, c.gen));
}

Tensor SelfAttention::forward(const Tensor& x, const Tensor& mask) const {
  FFTUNE_CHECK(x.dim() == 3 && x.size(2) == num_heads_ * head_dim_,
               "SelfAttention: x must be (B, T, ", num_heads_ * head_dim_, "), got ", x.shape());
  const int64_t B = x.size(0), T = x.size(1), H = num_heads_, D = head_dim_;
  // (B, T, C) -> (B, T, H, D) -> (B, H, T, D): views.
  auto heads = [&](const Tensor& y) { return y.view({B, T, H, D}).permute({0, 2, 1, 3}); };
  const Tensor q = heads(query_->forward(x));
  const Tensor k = heads(key_->forward(x));
  const Tensor v = heads(value_->forward(x));
  const Tensor ctx = scaled_dot_product_attention(q, k, v, mask, dropout_->p(), is_training(),
                                                  dropout_->generator());  // (B, H, T, D)
  return ctx.permute({0, 2, 1, 3}).reshape({B, T, H * D});                 // (B, T, C)
}

DenseOutput::DenseOutput(int64_t in_features, int64_t out_features, double dropout, bool layer_norm,
                         double layer_norm_eps, Generator* gen, DType dtype, Device device) {
  dense_ = register_module(
      "dense", std::make_shared<Linear>(in_features, out_features, true, gen, dtype, device));
  dropout_ = register_module("dropout", std::make_shared<Dropout>(dropout, gen));
  if (layer_norm)
    layer_norm_ = register_module(
        "LayerNorm",
        std::make_shared<LayerNorm>(Shape{out_features}, layer_norm_eps, true, dtype, device));
}

Tensor DenseOutput::forward(const Tensor& h, const Tensor& residual) const {
  const Tensor y = add(dropout_->forward(dense_->forward(h)), residual);
  return layer_norm_ ? layer_norm_->forward(y) : y;
}

Attention::Attention(const AttentionConfig& config, const std::string& self_name, bool post_ln,
                     double layer_norm_eps, double hidden_dropout) {
  self_ = register_module(self_name, std::make_shared<SelfAttention>(config));
  output_ = register_module(
      "output",
      std::make_shared<DenseOutput>(config.hidden_size, config.hidden_size, hidden_dropout, post_ln,
                                    layer_norm_eps, config.gen, config.dtype, config.device));
}

Tensor Attention::forward(const Tensor& x, const Tensor& mask, const Tensor& residual) const {
  return output_->forward(self_->forward(x, mask), residual);
}

}  // namespace fftune::nn
