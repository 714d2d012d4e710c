#include "nn/models/roberta.h"

#include <vector>

#include "core/autograd/grad_mode.h"
#include "nn/init.h"
#include "ops/ops.h"

namespace fftune::nn {
using nlohmann::json;

// ---- config --------------------------------------------------------------------------------

RobertaConfig RobertaConfig::from_json(const json& config) {
  hf::expect_model_type(config, {"roberta", "xlm-roberta"});
  RobertaConfig c;
  c.vocab_size = hf::config_int(config, "vocab_size");
  c.hidden_size = hf::config_int(config, "hidden_size");
  c.num_hidden_layers = hf::config_int(config, "num_hidden_layers");
  c.num_attention_heads = hf::config_int(config, "num_attention_heads");
  c.intermediate_size = hf::config_int(config, "intermediate_size");
  c.hidden_act = hf::config_string(config, "hidden_act", c.hidden_act);
  hf::config_activation(config, "hidden_act");  // checks the name
  c.hidden_dropout_prob = hf::config_double(config, "hidden_dropout_prob", c.hidden_dropout_prob);
  c.attention_probs_dropout_prob =
      hf::config_double(config, "attention_probs_dropout_prob", c.attention_probs_dropout_prob);
  c.max_position_embeddings = hf::config_int(config, "max_position_embeddings");
  c.type_vocab_size = hf::config_int(config, "type_vocab_size", c.type_vocab_size);
  c.layer_norm_eps = hf::config_double(config, "layer_norm_eps", c.layer_norm_eps);
  c.pad_token_id = hf::config_int(config, "pad_token_id", c.pad_token_id);
  c.num_labels = hf::config_num_labels(config, c.num_labels);
  c.problem_type = hf::config_string(config, "problem_type", "");
  FFTUNE_CHECK(c.problem_type.empty() || c.problem_type == "regression" ||
                   c.problem_type == "single_label_classification" ||
                   c.problem_type == "multi_label_classification",
               "config.json: unsupported problem_type '", c.problem_type,
               "' (expected 'regression', 'single_label_classification' or ",
               "'multi_label_classification')");
  if (config.contains("classifier_dropout") && !config["classifier_dropout"].is_null())
    c.classifier_dropout = hf::config_double(config, "classifier_dropout");
  c.tie_word_embeddings = hf::config_bool(config, "tie_word_embeddings", c.tie_word_embeddings);
  FFTUNE_CHECK(!hf::config_bool(config, "is_decoder", false),
               "config.json: 'is_decoder' is true; fftune's RoBERTa is an encoder only "
               "(expected false)");
  hf::check_config_range("config.json", "vocab_size", c.vocab_size, 1, hf::kMaxConfigVocab);
  hf::check_config_range("config.json", "hidden_size", c.hidden_size, 1, hf::kMaxConfigWidth);
  hf::check_config_range("config.json", "num_hidden_layers", c.num_hidden_layers, 0,
                         hf::kMaxConfigLayers);
  hf::check_config_range("config.json", "num_attention_heads", c.num_attention_heads, 1,
                         c.hidden_size);
  hf::check_config_range("config.json", "intermediate_size", c.intermediate_size, 1,
                         hf::kMaxConfigWidth);
  hf::check_config_range("config.json", "max_position_embeddings", c.max_position_embeddings, 1,
                         hf::kMaxConfigPositions);
  hf::check_config_range("config.json", "type_vocab_size", c.type_vocab_size, 1,
                         hf::kMaxConfigVocab);
  hf::check_config_range("config.json", "num_labels", c.num_labels, 1, hf::kMaxConfigLabels);
  FFTUNE_CHECK(c.pad_token_id >= 0 && c.pad_token_id < c.vocab_size, "config.json: 'pad_token_id' ",
               c.pad_token_id, " must be in [0, vocab_size ", c.vocab_size, ")");
  FFTUNE_CHECK(c.max_position_embeddings > c.pad_token_id + 1,
               "config.json: 'max_position_embeddings' ", c.max_position_embeddings,
               " must exceed pad_token_id + 1 (positions start at pad_token_id + 1)");
  FFTUNE_CHECK(c.num_labels >= 1, "config.json: 'num_labels' must be >= 1, got ", c.num_labels);
  return c;
}

json RobertaConfig::to_json(const std::string& architecture) const {
  json j = {{"architectures", {architecture}},
            {"model_type", "roberta"},
            {"vocab_size", vocab_size},
            {"hidden_size", hidden_size},
            {"num_hidden_layers", num_hidden_layers},
            {"num_attention_heads", num_attention_heads},
            {"intermediate_size", intermediate_size},
            {"hidden_act", hidden_act},
            {"hidden_dropout_prob", hidden_dropout_prob},
            {"attention_probs_dropout_prob", attention_probs_dropout_prob},
            {"max_position_embeddings", max_position_embeddings},
            {"type_vocab_size", type_vocab_size},
            {"layer_norm_eps", layer_norm_eps},
            {"pad_token_id", pad_token_id},
            {"bos_token_id", 0},
            {"eos_token_id", 2},
            {"tie_word_embeddings", tie_word_embeddings},
            {"classifier_dropout", nullptr}};
  if (classifier_dropout) j["classifier_dropout"] = *classifier_dropout;
  if (!problem_type.empty()) j["problem_type"] = problem_type;
  json id2label = json::object(), label2id = json::object();
  for (int64_t i = 0; i < num_labels; ++i) {
    id2label[std::to_string(i)] = "LABEL_" + std::to_string(i);
    label2id["LABEL_" + std::to_string(i)] = i;
  }
  j["id2label"] = id2label;
  j["label2id"] = label2id;
  return j;
}

// ---- embeddings ----------------------------------------------------------------------------

Tensor roberta_position_ids(const Tensor& input_ids, int64_t padding_idx) {
  FFTUNE_CHECK(input_ids.dim() == 2 && input_ids.dtype() == DType::i64,
               "roberta_position_ids: input_ids must be i64 (B, T), got ", input_ids.dtype(), " ",
               input_ids.shape());
  const int64_t B = input_ids.size(0), T = input_ids.size(1);
  const std::vector<int64_t> ids = to_vector<int64_t>(input_ids.to(Device::cpu()).contiguous());
  std::vector<int64_t> pos(ids.size());
  for (int64_t b = 0; b < B; ++b) {
    int64_t tokens_so_far = 0;  // the running cumsum of the non-pad mask along the row
    for (int64_t t = 0; t < T; ++t) {
      const bool token = ids[b * T + t] != padding_idx;
      tokens_so_far += token;
      pos[b * T + t] = token ? padding_idx + tokens_so_far : padding_idx;
    }
  }
  return from_vector(pos, {B, T}).to(input_ids.device());
}

RobertaEmbeddings::RobertaEmbeddings(const RobertaConfig& c) : padding_idx_(c.pad_token_id) {
  const int64_t C = c.hidden_size;
  // Registration order as HF's RobertaEmbeddings.
  word_embeddings_ = register_module(
      "word_embeddings",
      std::make_shared<Embedding>(c.vocab_size, C, c.pad_token_id, c.gen, c.dtype, c.device));
  position_embeddings_ = register_module(
      "position_embeddings", std::make_shared<Embedding>(c.max_position_embeddings, C,
                                                         c.pad_token_id, c.gen, c.dtype, c.device));
  token_type_embeddings_ = register_module(
      "token_type_embeddings",
      std::make_shared<Embedding>(c.type_vocab_size, C, std::nullopt, c.gen, c.dtype, c.device));
  layer_norm_ = register_module("LayerNorm", std::make_shared<LayerNorm>(Shape{C}, c.layer_norm_eps,
                                                                         true, c.dtype, c.device));
  dropout_ = register_module("dropout", std::make_shared<Dropout>(c.hidden_dropout_prob, c.gen));
}

Tensor RobertaEmbeddings::forward(const Tensor& input_ids, const Tensor& token_type_ids) const {
  const Tensor positions = roberta_position_ids(input_ids, padding_idx_);  // (B, T)
  FFTUNE_CHECK(input_ids.size(1) + padding_idx_ < position_embeddings_->num_embeddings(),
               "RobertaEmbeddings: a sequence of ", input_ids.size(1), " tokens needs position ",
               input_ids.size(1) + padding_idx_, ", beyond max_position_embeddings ",
               position_embeddings_->num_embeddings());
  Tensor types = token_type_ids;
  if (!types.defined()) types = zeros(input_ids.shape(), DType::i64, input_ids.device());
  FFTUNE_CHECK(types.shape() == input_ids.shape(), "RobertaEmbeddings: token_type_ids must be ",
               input_ids.shape(), " like input_ids, got ", types.shape());
  Tensor h = add(word_embeddings_->forward(input_ids), token_type_embeddings_->forward(types));
  h = add(h, position_embeddings_->forward(positions));  // (B, T, C)
  return dropout_->forward(layer_norm_->forward(h));
}

RobertaPooler::RobertaPooler(const RobertaConfig& c) {
  dense_ = register_module("dense", std::make_shared<Linear>(c.hidden_size, c.hidden_size, true,
                                                             c.gen, c.dtype, c.device));
}

Tensor RobertaPooler::forward(const Tensor& h) const {
  return tanh(dense_->forward(first_token(h)));
}

// ---- RobertaModel --------------------------------------------------------------------------

namespace {

EncoderLayerConfig encoder_layer_config(const RobertaConfig& c) {
  return {.hidden_size = c.hidden_size,
          .num_heads = c.num_attention_heads,
          .intermediate_size = c.intermediate_size,
          .activation = activation_from_name(c.hidden_act),
          .layer_norm_eps = c.layer_norm_eps,
          .hidden_dropout = c.hidden_dropout_prob,
          .attention_dropout = c.attention_probs_dropout_prob,
          .qkv_bias = true,
          .norm = NormPlacement::kPost,
          .gen = c.gen,
          .dtype = c.dtype,
          .device = c.device};
}

const hf::IgnoreRule kPositionIds{"embeddings.position_ids",
                                  "a buffer older transformers saved; positions are computed "
                                  "from input_ids"};

}  // namespace

RobertaModel::RobertaModel(const RobertaConfig& config, bool add_pooling_layer) : config_(config) {
  embeddings_ = register_module("embeddings", std::make_shared<RobertaEmbeddings>(config));
  encoder_ = register_module(
      "encoder",
      std::make_shared<TransformerEncoder>(config.num_hidden_layers, encoder_layer_config(config)));
  if (add_pooling_layer)
    pooler_ = register_module("pooler", std::make_shared<RobertaPooler>(config));
}

RobertaOutput RobertaModel::forward(const Tensor& input_ids, const Tensor& attention_mask,
                                    const Tensor& token_type_ids) const {
  FFTUNE_CHECK(input_ids.dim() == 2 && input_ids.dtype() == DType::i64,
               "RobertaModel: input_ids must be i64 (B, T), got ", input_ids.dtype(), " ",
               input_ids.shape());
  FFTUNE_CHECK(!attention_mask.defined() || attention_mask.shape() == input_ids.shape(),
               "RobertaModel: attention_mask must be ", input_ids.shape(), " like input_ids, got ",
               attention_mask.shape());
  const Tensor h0 = embeddings_->forward(input_ids, token_type_ids);  // (B, T, C)
  const Tensor mask = attention_mask.defined()
                          ? additive_attention_mask(attention_mask, h0.dtype())  // (B, 1, 1, T)
                          : Tensor();
  RobertaOutput out;
  out.last_hidden_state = encoder_->forward(h0, mask);
  if (pooler_) out.pooler_output = pooler_->forward(out.last_hidden_state);
  return out;
}

hf::CheckpointLayout RobertaModel::checkpoint_layout() {
  return {.base_prefix = "roberta.",
          .ignorable = {kPositionIds,
                        {"lm_head", "the masked-LM head, not part of RobertaModel"},
                        {"classifier", "a classification head, not part of RobertaModel"},
                        {"pooler", "this RobertaModel was built without a pooler"}},
          .fresh = {"pooler"},
          .tied = {}};
}

// ---- RobertaForSequenceClassification ------------------------------------------------------

RobertaForSequenceClassification::RobertaForSequenceClassification(const RobertaConfig& config) {
  roberta_ = register_module("roberta", std::make_shared<RobertaModel>(config, false));
  classifier_ = register_module(
      "classifier", std::make_shared<RobertaClassificationHead>(
                        config.hidden_size, config.num_labels,
                        config.classifier_dropout.value_or(config.hidden_dropout_prob), config.gen,
                        config.dtype, config.device));
}

Tensor RobertaForSequenceClassification::forward(const Tensor& input_ids,
                                                 const Tensor& attention_mask,
                                                 const Tensor& token_type_ids) const {
  return classifier_->forward(
      roberta_->forward(input_ids, attention_mask, token_type_ids).last_hidden_state);
}

Tensor RobertaForSequenceClassification::loss(const Tensor& logits, const Tensor& labels) const {
  const int64_t num_labels = config().num_labels;
  FFTUNE_CHECK(logits.dim() == 2 && logits.size(1) == num_labels,
               "RobertaForSequenceClassification::loss: logits must be (B, ", num_labels, "), got ",
               logits.shape());
  const int64_t B = logits.size(0);
  std::string problem = config().problem_type;
  if (problem.empty()) {  // transformers' rule
    if (num_labels == 1)
      problem = "regression";
    else if (labels.dtype() == DType::i64)
      problem = "single_label_classification";
    else
      problem = "multi_label_classification";
  }
  if (problem == "regression") {
    if (num_labels == 1) {
      FFTUNE_CHECK(labels.numel() == B, "RobertaForSequenceClassification::loss: regression ",
                   "labels must hold one value per sequence (", B, "), got ", labels.shape());
      return mse_loss(logits.reshape({B}), labels.reshape({B}).to(logits.dtype()));
    }
    FFTUNE_CHECK(labels.shape() == logits.shape(),
                 "RobertaForSequenceClassification::loss: ", "regression labels must be ",
                 logits.shape(), ", got ", labels.shape());
    return mse_loss(logits, labels.to(logits.dtype()));
  }
  if (problem == "single_label_classification") {
    FFTUNE_CHECK(labels.dtype() == DType::i64 && labels.numel() == B,
                 "RobertaForSequenceClassification::loss: single-label labels must be i64 (", B,
                 "), got ", labels.dtype(), " ", labels.shape());
    return cross_entropy(logits, labels.reshape({B}));
  }
  // Multi-label: mean over elements of BCEWithLogits, in its stable form
  //   max(x, 0) − x·y + log(1 + exp(−|x|)).
  FFTUNE_CHECK(labels.shape() == logits.shape(),
               "RobertaForSequenceClassification::loss: ", "multi-label labels must be ",
               logits.shape(), ", got ", labels.shape());
  const Tensor y = labels.to(logits.dtype());
  const Tensor softplus = log(add(exp(neg(abs(logits))), 1.0));
  return mean(add(sub(relu(logits), mul(logits, y)), softplus));
}

hf::CheckpointLayout RobertaForSequenceClassification::checkpoint_layout() {
  return {.base_prefix = "roberta.",
          .ignorable = {kPositionIds,
                        {"lm_head", "the masked-LM head; sequence classification does not use it"},
                        {"pooler", "the classifier reads <s> directly; no pooler"}},
          .fresh = {"classifier"},
          .tied = {}};
}

// ---- RobertaForMaskedLM --------------------------------------------------------------------

TiedDecoder::TiedDecoder(const Tensor& weight, const Tensor& bias) {
  // The same tensors as the word embeddings' and the head's: registering them again only adds
  // names (requires_grad stays true, as it already is).
  weight_ = register_parameter("weight", weight, weight.requires_grad());
  bias_ = register_parameter("bias", bias, bias.requires_grad());
}

Tensor TiedDecoder::forward(const Tensor& x) const {
  return linear(x, weight_, bias_);
}

RobertaLMHead::RobertaLMHead(const RobertaConfig& c, const Tensor& decoder_weight) {
  const int64_t C = c.hidden_size, V = c.vocab_size;
  dense_ = register_module("dense", std::make_shared<Linear>(C, C, true, c.gen, c.dtype, c.device));
  layer_norm_ = register_module(
      "layer_norm",
      std::make_shared<LayerNorm>(Shape{C}, c.layer_norm_eps, true, c.dtype, c.device));
  bias_ = register_parameter("bias", zeros({V}, c.dtype, c.device));
  decoder_ = register_module("decoder", std::make_shared<TiedDecoder>(decoder_weight, bias_));
}

Tensor RobertaLMHead::forward(const Tensor& h) const {
  // HF's RobertaLMHead uses exact GELU whatever hidden_act says.
  const Tensor x = layer_norm_->forward(gelu(dense_->forward(h), GeluApproximation::kNone));
  return decoder_->forward(x);  // (B, T, V)
}

RobertaForMaskedLM::RobertaForMaskedLM(const RobertaConfig& config) {
  roberta_ = register_module("roberta", std::make_shared<RobertaModel>(config, false));
  Tensor decoder_weight = roberta_->embeddings()->word_embeddings()->weight();  // (V, C)
  if (!config.tie_word_embeddings) {
    decoder_weight = empty({config.vocab_size, config.hidden_size}, config.dtype, config.device);
    init::normal_(decoder_weight, 0.0, 0.02, config.gen);
    decoder_weight.set_requires_grad(true);
  }
  lm_head_ = register_module("lm_head", std::make_shared<RobertaLMHead>(config, decoder_weight));
}

Tensor RobertaForMaskedLM::forward(const Tensor& input_ids, const Tensor& attention_mask,
                                   const Tensor& token_type_ids) const {
  return lm_head_->forward(
      roberta_->forward(input_ids, attention_mask, token_type_ids).last_hidden_state);
}

Tensor RobertaForMaskedLM::loss(const Tensor& logits, const Tensor& labels) const {
  FFTUNE_CHECK(logits.dim() == 3 && labels.dtype() == DType::i64 &&
                   labels.shape() == Shape({logits.size(0), logits.size(1)}),
               "RobertaForMaskedLM::loss: logits must be (B, T, V) and labels i64 (B, T), got ",
               logits.shape(), " and ", labels.dtype(), " ", labels.shape());
  const int64_t V = logits.size(2);
  return cross_entropy(logits.reshape({-1, V}), labels.reshape({-1}), -100);
}

hf::CheckpointLayout RobertaForMaskedLM::checkpoint_layout() {
  return {.base_prefix = "roberta.",
          .ignorable = {kPositionIds,
                        {"pooler", "the masked-LM model has no pooler"},
                        {"classifier", "a classification head, not part of RobertaForMaskedLM"}},
          .fresh = {"lm_head"},
          .tied = {"lm_head.decoder.weight", "lm_head.decoder.bias"}};
}

void init_roberta_weights(Module& module, double initializer_range, Generator* gen) {
  NoGradGuard no_grad;
  for (const auto& [name, m] : module.named_modules()) {
    if (const auto* linear = dynamic_cast<const Linear*>(m)) {
      Tensor weight = linear->weight(), bias = linear->bias();
      init::normal_(weight, 0.0, initializer_range, gen);
      if (bias.defined()) init::zeros_(bias);
    } else if (const auto* embedding = dynamic_cast<const Embedding*>(m)) {
      Tensor weight = embedding->weight();
      init::normal_(weight, 0.0, initializer_range, gen);
      if (const auto pad = embedding->padding_idx()) {
        Tensor row = weight.select(0, *pad);
        init::zeros_(row);
      }
    } else if (const auto* norm = dynamic_cast<const LayerNorm*>(m)) {
      Tensor weight = norm->weight(), bias = norm->bias();
      if (weight.defined()) init::ones_(weight);
      if (bias.defined()) init::zeros_(bias);
    } else if (const auto* head = dynamic_cast<const RobertaLMHead*>(m)) {
      Tensor bias = head->bias();
      init::zeros_(bias);
    }
  }
}

}  // namespace fftune::nn
