// RoBERTa (Liu et al. 2019) as Hugging Face transformers builds it, with HF's exact dotted names so
// that checkpoints such as roberta-base load unmodified (nn/models/hf_checkpoint.h):
//
//   RobertaModel                      embeddings.{word,position,token_type}_embeddings.weight,
//                                     embeddings.LayerNorm.*, encoder.layer.<i>.… (post-LN),
//                                     pooler.dense.* (optional)
//   RobertaForSequenceClassification  roberta.… (no pooler), classifier.{dense,out_proj}.*
//   RobertaForMaskedLM                roberta.… (no pooler), lm_head.{dense,layer_norm}.*,
//                                     lm_head.bias, lm_head.decoder.{weight,bias} (tied)
//
// Forward, with B sequences of T tokens:
//   positions p[b, t] = padding_idx + (number of non-pad tokens in ids[b, 0..t]) for a token,
//                       padding_idx for a pad (Note [RoBERTa position ids])
//   h0 = dropout(LayerNorm(word[ids] + token_type[type_ids] + position[p]))   (B, T, C)
//   h  = encoder(h0, mask)                                                     (B, T, C)
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "nn/classification_head.h"
#include "nn/embedding.h"
#include "nn/models/hf_checkpoint.h"
#include "nn/transformer_encoder.h"

namespace fftune::nn {

// The fields of RoBERTa's config.json that shape the model (defaults: roberta-base).
struct RobertaConfig {
  int64_t vocab_size = 50265;        // V
  int64_t hidden_size = 768;         // C
  int64_t num_hidden_layers = 12;    // L
  int64_t num_attention_heads = 12;  // H
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";  // nn/activation.h names
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 514;  // padding_idx + 1 + the longest sequence
  int64_t type_vocab_size = 1;
  double layer_norm_eps = 1e-5;
  int64_t pad_token_id = 1;  // padding_idx of the word and position embeddings
  int64_t num_labels = 2;    // len(id2label) when config.json has it
  // "" (decided per batch as HF does: 1 label → regression, integer labels → single-label,
  // float labels → multi-label), "regression", "single_label_classification" or
  // "multi_label_classification".
  std::string problem_type;
  std::optional<double> classifier_dropout;  // null → hidden_dropout_prob
  bool tie_word_embeddings = true;           // the MLM decoder shares the word embeddings

  Generator* gen = nullptr;  // initialisation and dropout masks (default generator when null)
  DType dtype = DType::f32;
  Device device = Device::cpu();

  // From a parsed config.json: model_type must be "roberta" (or "xlm-roberta", same layout);
  // hidden_act and problem_type are checked; errors name the key.
  static RobertaConfig from_json(const nlohmann::json& config);
  // The config.json transformers would write for this config (architectures given by the
  // caller).
  nlohmann::json to_json(const std::string& architecture) const;
};

// Note [RoBERTa position ids]
// RoBERTa numbers positions from padding_idx + 1 and gives every pad token position padding_idx
// (whose embedding row is never trained), so left- and right-padded batches embed their tokens
// identically: p = cumsum(ids != pad, dim 1) * (ids != pad) + padding_idx
// (transformers' create_position_ids_from_input_ids). ids i64 (B, T) -> p i64 (B, T).
Tensor roberta_position_ids(const Tensor& input_ids, int64_t padding_idx);

// word + position + token-type embeddings, LayerNorm, dropout (HF RobertaEmbeddings).
class RobertaEmbeddings : public Module {
 public:
  explicit RobertaEmbeddings(const RobertaConfig& config);

  // input_ids i64 (B, T), token_type_ids i64 (B, T) or undefined (all 0) -> (B, T, C).
  Tensor forward(const Tensor& input_ids, const Tensor& token_type_ids = Tensor()) const;

  const std::shared_ptr<Embedding>& word_embeddings() const { return word_embeddings_; }
  const std::shared_ptr<Embedding>& position_embeddings() const { return position_embeddings_; }
  const std::shared_ptr<Embedding>& token_type_embeddings() const { return token_type_embeddings_; }

 private:
  int64_t padding_idx_;
  std::shared_ptr<Embedding> word_embeddings_, position_embeddings_, token_type_embeddings_;
  std::shared_ptr<LayerNorm> layer_norm_;
  std::shared_ptr<Dropout> dropout_;
};

// dense (C -> C) + tanh on the first token (HF RobertaPooler): child "dense".
class RobertaPooler : public Module {
 public:
  explicit RobertaPooler(const RobertaConfig& config);
  Tensor forward(const Tensor& h) const;  // (B, T, C) -> (B, C)
  const std::shared_ptr<Linear>& dense() const { return dense_; }

 private:
  std::shared_ptr<Linear> dense_;
};

struct RobertaOutput {
  Tensor last_hidden_state;  // (B, T, C)
  Tensor pooler_output;      // (B, C), undefined without a pooler
};

class RobertaModel : public Module {
 public:
  explicit RobertaModel(const RobertaConfig& config, bool add_pooling_layer = true);

  // input_ids i64 (B, T); attention_mask (B, T), 1 for tokens and 0 for padding, or undefined
  // (everything attended); token_type_ids i64 (B, T) or undefined.
  RobertaOutput forward(const Tensor& input_ids, const Tensor& attention_mask = Tensor(),
                        const Tensor& token_type_ids = Tensor()) const;

  const RobertaConfig& config() const { return config_; }
  const std::shared_ptr<RobertaEmbeddings>& embeddings() const { return embeddings_; }
  const std::shared_ptr<TransformerEncoder>& encoder() const { return encoder_; }
  const std::shared_ptr<RobertaPooler>& pooler() const { return pooler_; }  // null if none

  // Recompute each encoder layer in backward instead of keeping its activations
  // (TransformerEncoder::set_activation_checkpointing; HF's gradient_checkpointing_enable).
  void set_activation_checkpointing(bool on) { encoder_->set_activation_checkpointing(on); }

  // How RobertaModel's names meet checkpoints: a task model's "roberta." prefix is stripped,
  // its heads (lm_head, classifier) are ignored, a missing pooler is initialised freshly.
  static hf::CheckpointLayout checkpoint_layout();

 private:
  RobertaConfig config_;
  std::shared_ptr<RobertaEmbeddings> embeddings_;
  std::shared_ptr<TransformerEncoder> encoder_;
  std::shared_ptr<RobertaPooler> pooler_;
};

// RobertaModel (as "roberta", without pooler) + RobertaClassificationHead ("classifier") on <s>.
class RobertaForSequenceClassification : public Module {
 public:
  explicit RobertaForSequenceClassification(const RobertaConfig& config);

  // -> logits (B, num_labels).
  Tensor forward(const Tensor& input_ids, const Tensor& attention_mask = Tensor(),
                 const Tensor& token_type_ids = Tensor()) const;
  // The loss HF's problem_type logic picks (RobertaConfig::problem_type):
  //   regression                  MSE; labels float (B) when num_labels is 1, else (B, num_labels)
  //   single_label_classification cross-entropy; labels i64 (B)
  //   multi_label_classification  mean binary cross-entropy with logits; labels float
  //                               (B, num_labels)
  Tensor loss(const Tensor& logits, const Tensor& labels) const;

  const RobertaConfig& config() const { return roberta_->config(); }
  const std::shared_ptr<RobertaModel>& roberta() const { return roberta_; }
  const std::shared_ptr<RobertaClassificationHead>& classifier() const { return classifier_; }
  void set_activation_checkpointing(bool on) { roberta_->set_activation_checkpointing(on); }

  // Loads RobertaModel / RobertaForMaskedLM / fine-tuned checkpoints: "lm_head.*" and a pooler
  // are ignored, a missing classifier is initialised freshly.
  static hf::CheckpointLayout checkpoint_layout();

 private:
  std::shared_ptr<RobertaModel> roberta_;
  std::shared_ptr<RobertaClassificationHead> classifier_;
};

// The decoder of the MLM head: logits = x·Wᵀ + b with W the word-embedding table (V, C) and b
// the head's own bias (V), registered under the names HF gives them ("decoder.weight",
// "decoder.bias"): the same tensors, so state_dict lists them twice and named_parameters once.
class TiedDecoder : public Module {
 public:
  TiedDecoder(const Tensor& weight, const Tensor& bias);
  Tensor forward(const Tensor& x) const;  // (…, C) -> (…, V)
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  Tensor weight_, bias_;
};

// dense → gelu → layer_norm → decoder (HF RobertaLMHead): children "dense", "layer_norm",
// "decoder", parameter "bias".
class RobertaLMHead : public Module {
 public:
  // decoder_weight (V, C): the word embeddings when tied.
  RobertaLMHead(const RobertaConfig& config, const Tensor& decoder_weight);
  Tensor forward(const Tensor& h) const;  // (B, T, C) -> (B, T, V)
  const std::shared_ptr<TiedDecoder>& decoder() const { return decoder_; }
  const Tensor& bias() const { return bias_; }

 private:
  std::shared_ptr<Linear> dense_;
  std::shared_ptr<LayerNorm> layer_norm_;
  Tensor bias_;
  std::shared_ptr<TiedDecoder> decoder_;
};

class RobertaForMaskedLM : public Module {
 public:
  explicit RobertaForMaskedLM(const RobertaConfig& config);

  // -> logits (B, T, V).
  Tensor forward(const Tensor& input_ids, const Tensor& attention_mask = Tensor(),
                 const Tensor& token_type_ids = Tensor()) const;
  // Cross-entropy over the positions whose label is not -100: logits (B, T, V), labels i64
  // (B, T).
  Tensor loss(const Tensor& logits, const Tensor& labels) const;

  const RobertaConfig& config() const { return roberta_->config(); }
  const std::shared_ptr<RobertaModel>& roberta() const { return roberta_; }
  const std::shared_ptr<RobertaLMHead>& lm_head() const { return lm_head_; }
  void set_activation_checkpointing(bool on) { roberta_->set_activation_checkpointing(on); }

  // roberta-base's own layout; a pooler and a classifier are ignored, and a checkpoint without
  // lm_head (a RobertaModel) gets a fresh head.
  static hf::CheckpointLayout checkpoint_layout();

 private:
  std::shared_ptr<RobertaModel> roberta_;
  std::shared_ptr<RobertaLMHead> lm_head_;
};

// transformers' RobertaPreTrainedModel._init_weights for the parameters of `module` (a model or
// any part of it), for training from scratch: Linear weights and embedding tables ~ N(0,
// initializer_range²) (0.02 in every RoBERTa config), with an embedding's padding_idx row zeroed;
// Linear biases 0, LayerNorm 1 and 0, the masked-LM head's bias 0. The constructors keep torch's
// default initialisation (what a checkpoint then overwrites).
void init_roberta_weights(Module& module, double initializer_range = 0.02,
                          Generator* gen = nullptr);

}  // namespace fftune::nn
