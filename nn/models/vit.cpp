#include "nn/models/vit.h"

#include <filesystem>
#include <fstream>

#include "nn/classification_head.h"
#include "nn/init.h"
#include "ops/ops.h"

namespace fftune::nn {
namespace {

using json = nlohmann::json;

// A module that only holds children, for HF's containers without a forward of their own
// ("encoder", "encoder.layer", "pooler").
struct Container : Module {
  using Module::register_module;
};

// Reads json[key] into `out` if present and not null; a value of the wrong type is an error
// naming the file's field.
template <typename T>
void read_field(const json& j, const char* where, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->template get<T>();
  } catch (const json::exception&) {
    FFTUNE_FAIL(where, ": field '", key, "' has the wrong type: ", it->dump());
  }
}

// image_size / patch_size: an int, or [n, n] (HF allows [h, w]; fftune's ViT is square).
int64_t config_square(const json& config, const std::string& key, int64_t fallback) {
  const auto it = config.find(key);
  if (it != config.end() && it->is_array()) {
    FFTUNE_CHECK(it->size() == 2 && (*it)[0].is_number_integer() && (*it)[0] == (*it)[1],
                 "config.json: '", key, "' must be an integer or [n, n] (non-square is not ",
                 "supported), got ", it->dump());
    return (*it)[0].get<int64_t>();
  }
  return hf::config_int(config, key, fallback);
}

json read_json_file(const std::string& path) {
  std::ifstream in(path);
  FFTUNE_CHECK(in.good(), "cannot open ", path);
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    FFTUNE_FAIL(path, " is not valid JSON: ", e.what());
  }
}

}  // namespace

// ---- ViTConfig ----

void ViTConfig::validate() const {
  // Ranges first, so that no product below (or in the model) can overflow.
  hf::check_config_range("ViTConfig", "hidden_size", hidden_size, 1, hf::kMaxConfigWidth);
  hf::check_config_range("ViTConfig", "num_hidden_layers", num_hidden_layers, 0,
                         hf::kMaxConfigLayers);
  hf::check_config_range("ViTConfig", "num_attention_heads", num_attention_heads, 1, hidden_size);
  hf::check_config_range("ViTConfig", "intermediate_size", intermediate_size, 1,
                         hf::kMaxConfigWidth);
  hf::check_config_range("ViTConfig", "image_size", image_size, 1, hf::kMaxConfigImageSize);
  hf::check_config_range("ViTConfig", "patch_size", patch_size, 1, image_size);
  hf::check_config_range("ViTConfig", "num_channels", num_channels, 1, 64);
  hf::check_config_range("ViTConfig", "num_labels", num_labels, 0, hf::kMaxConfigLabels);
  hf::check_config_range("ViTConfig", "pooler_output_size", pooler_output_size, 0,
                         hf::kMaxConfigWidth);
  const int64_t patches_per_side = image_size / patch_size;
  FFTUNE_CHECK(patches_per_side * patches_per_side <= hf::kMaxConfigPatches,
               "ViTConfig: ", patches_per_side * patches_per_side, " patches (image_size ",
               image_size, " / patch_size ", patch_size, ", squared) is over the limit of ",
               hf::kMaxConfigPatches);
  FFTUNE_CHECK(
      hidden_size > 0 && num_hidden_layers >= 0 && num_attention_heads > 0 && intermediate_size > 0,
      "ViTConfig: hidden_size, num_attention_heads and intermediate_size must be positive ",
      "and num_hidden_layers non-negative, got ", hidden_size, ", ", num_attention_heads, ", ",
      intermediate_size, ", ", num_hidden_layers);
  FFTUNE_CHECK(hidden_size % num_attention_heads == 0, "ViTConfig: hidden_size ", hidden_size,
               " is not a multiple of num_attention_heads ", num_attention_heads);
  FFTUNE_CHECK(image_size > 0 && patch_size > 0 && image_size % patch_size == 0,
               "ViTConfig: image_size ", image_size, " must be a positive multiple of patch_size ",
               patch_size);
  FFTUNE_CHECK(num_channels > 0, "ViTConfig: num_channels must be positive, got ", num_channels);
  FFTUNE_CHECK(num_labels >= 0, "ViTConfig: num_labels must be >= 0, got ", num_labels);
  FFTUNE_CHECK(layer_norm_eps > 0, "ViTConfig: layer_norm_eps must be positive, got ",
               layer_norm_eps);
  for (const auto& [key, name] :
       {std::pair{"hidden_act", hidden_act}, {"pooler_act", pooler_act}}) {
    try {
      activation_from_name(name);
    } catch (const Error& e) {
      FFTUNE_FAIL("ViTConfig: '", key, "': ", e.what());
    }
  }
}

ViTConfig ViTConfig::from_json(const json& config) {
  hf::expect_model_type(config, {"vit"});
  ViTConfig c;
  c.hidden_size = hf::config_int(config, "hidden_size");
  c.num_hidden_layers = hf::config_int(config, "num_hidden_layers");
  c.num_attention_heads = hf::config_int(config, "num_attention_heads");
  c.intermediate_size = hf::config_int(config, "intermediate_size");
  c.hidden_act = hf::config_string(config, "hidden_act", c.hidden_act);
  c.layer_norm_eps = hf::config_double(config, "layer_norm_eps", c.layer_norm_eps);
  c.image_size = config_square(config, "image_size", c.image_size);
  c.patch_size = config_square(config, "patch_size", c.patch_size);
  c.num_channels = hf::config_int(config, "num_channels", c.num_channels);
  c.qkv_bias = hf::config_bool(config, "qkv_bias", c.qkv_bias);
  c.hidden_dropout_prob = hf::config_double(config, "hidden_dropout_prob", c.hidden_dropout_prob);
  c.attention_probs_dropout_prob =
      hf::config_double(config, "attention_probs_dropout_prob", c.attention_probs_dropout_prob);
  c.initializer_range = hf::config_double(config, "initializer_range", c.initializer_range);
  c.pooler_act = hf::config_string(config, "pooler_act", c.pooler_act);
  c.pooler_output_size = hf::config_int(config, "pooler_output_size", c.pooler_output_size);
  c.num_labels = hf::config_num_labels(config, c.num_labels);
  try {
    c.validate();
  } catch (const Error& e) {
    FFTUNE_FAIL("config.json: ", e.what());
  }
  return c;
}

json ViTConfig::to_json(const std::string& architecture) const {
  json id2label = json::object(), label2id = json::object();
  for (int64_t i = 0; i < num_labels; ++i) {
    id2label[std::to_string(i)] = "LABEL_" + std::to_string(i);
    label2id["LABEL_" + std::to_string(i)] = i;
  }
  json j = {{"architectures", json::array({architecture})},
            {"model_type", "vit"},
            {"hidden_size", hidden_size},
            {"num_hidden_layers", num_hidden_layers},
            {"num_attention_heads", num_attention_heads},
            {"intermediate_size", intermediate_size},
            {"hidden_act", hidden_act},
            {"layer_norm_eps", layer_norm_eps},
            {"image_size", image_size},
            {"patch_size", patch_size},
            {"num_channels", num_channels},
            {"qkv_bias", qkv_bias},
            {"hidden_dropout_prob", hidden_dropout_prob},
            {"attention_probs_dropout_prob", attention_probs_dropout_prob},
            {"initializer_range", initializer_range},
            {"pooler_act", pooler_act},
            {"id2label", id2label},
            {"label2id", label2id}};
  if (pooler_output_size > 0) j["pooler_output_size"] = pooler_output_size;
  return j;
}

// ---- ViTImageProcessorConfig ----

ViTImageProcessorConfig ViTImageProcessorConfig::from_json(const json& j) {
  FFTUNE_CHECK(j.is_object(), "preprocessor_config.json: expected an object, got ", j.dump());
  ViTImageProcessorConfig c;
  const char* f = "preprocessor_config.json";
  if (const auto it = j.find("size"); it != j.end() && !it->is_null()) {
    if (it->is_number_integer()) {
      c.height = c.width = it->get<int64_t>();
    } else if (it->is_object() && it->contains("height") && it->contains("width")) {
      read_field(*it, f, "height", c.height);
      read_field(*it, f, "width", c.width);
    } else if (it->is_object() && it->contains("shortest_edge")) {
      read_field(*it, f, "shortest_edge", c.height);
      c.width = c.height;
    } else {
      FFTUNE_FAIL(f, ": field 'size' must be an int or {height, width}, got ", it->dump());
    }
  }
  read_field(j, f, "resample", c.resample);
  read_field(j, f, "do_resize", c.do_resize);
  read_field(j, f, "do_rescale", c.do_rescale);
  read_field(j, f, "rescale_factor", c.rescale_factor);
  read_field(j, f, "do_normalize", c.do_normalize);
  for (auto [key, out] : {std::pair{"image_mean", &c.image_mean}, {"image_std", &c.image_std}}) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (it->is_number()) {
      *out = std::vector<double>(3, it->get<double>());
    } else {
      read_field(j, f, key, *out);
    }
  }
  FFTUNE_CHECK(c.height > 0 && c.width > 0 && c.height <= hf::kMaxConfigImageSize &&
                   c.width <= hf::kMaxConfigImageSize,
               f, ": size must be in [1, ", hf::kMaxConfigImageSize, "] a side, got ", c.height,
               "x", c.width);
  FFTUNE_CHECK(c.image_mean.size() == c.image_std.size(), f,
               ": image_mean and image_std must have one value per channel, got ",
               c.image_mean.size(), " and ", c.image_std.size());
  for (double s : c.image_std) FFTUNE_CHECK(s != 0.0, f, ": image_std has a zero");
  return c;
}

ViTImageProcessorConfig ViTImageProcessorConfig::from_pretrained(const std::string& dir,
                                                                 const ViTConfig& config) {
  const std::string path = (std::filesystem::path(dir) / "preprocessor_config.json").string();
  if (!std::filesystem::exists(path)) {
    ViTImageProcessorConfig c;
    c.height = c.width = config.image_size;
    c.image_mean.assign(config.num_channels, 0.5);
    c.image_std.assign(config.num_channels, 0.5);
    return c;
  }
  try {
    return from_json(read_json_file(path));
  } catch (const Error& e) {
    FFTUNE_FAIL(path, ": ", e.what());
  }
}

// ---- the model ----

ViTEmbeddings::ViTEmbeddings(const ViTConfig& c)
    : image_size_(c.image_size), num_channels_(c.num_channels) {
  const int64_t C = c.hidden_size;
  const std::pair<int64_t, int64_t> patch{c.patch_size, c.patch_size}, no_padding{0, 0};
  // Registration order = HF's ViTEmbeddings (cls_token, patch_embeddings, position_embeddings).
  cls_token_ = register_parameter("cls_token", zeros({1, 1, C}, c.dtype, c.device));
  auto patch_embeddings = register_module("patch_embeddings", std::make_shared<Container>());
  projection_ = patch_embeddings->register_module(
      "projection", std::make_shared<Conv2d>(c.num_channels, C, patch, patch, no_padding, true,
                                             c.gen, c.dtype, c.device));
  position_embeddings_ = register_parameter("position_embeddings",
                                            zeros({1, 1 + c.num_patches(), C}, c.dtype, c.device));
  dropout_ = register_module("dropout", std::make_shared<Dropout>(c.hidden_dropout_prob, c.gen));
}

Tensor ViTEmbeddings::forward(const Tensor& pixel_values) const {
  FFTUNE_CHECK(pixel_values.defined() && pixel_values.dim() == 4,
               "ViTEmbeddings: pixel_values must be (B, ", num_channels_, ", ", image_size_, ", ",
               image_size_, "), got ", pixel_values.defined() ? pixel_values.shape() : Shape{});
  FFTUNE_CHECK(pixel_values.size(1) == num_channels_, "ViTEmbeddings: pixel_values has ",
               pixel_values.size(1),
               " channels, the configuration says num_channels = ", num_channels_);
  FFTUNE_CHECK(pixel_values.size(2) == image_size_ && pixel_values.size(3) == image_size_,
               "ViTEmbeddings: input image size (", pixel_values.size(2), "*", pixel_values.size(3),
               ") doesn't match model (", image_size_, "*", image_size_, ")");
  const Tensor& w = projection_->weight();
  const Tensor x = pixel_values.dtype() == w.dtype() ? pixel_values : pixel_values.to(w.dtype());
  const int64_t B = x.size(0), C = w.size(0);
  const Tensor grid = projection_->forward(x);  // (B, C, g, g)
  const Tensor patches = grid.reshape({B, C, grid.size(2) * grid.size(3)}).transpose(1, 2);
  const Tensor h = cat({cls_token_.expand({B, 1, C}), patches}, 1);  // (B, 1 + P, C)
  return dropout_->forward(add(h, position_embeddings_));
}

ViTModel::ViTModel(const ViTConfig& config, bool add_pooling_layer) : config_(config) {
  config_.validate();
  const ViTConfig& c = config_;
  pooler_activation_ = activation_from_name(c.pooler_act);
  embeddings_ = register_module("embeddings", std::make_shared<ViTEmbeddings>(c));
  const EncoderLayerConfig layer{.hidden_size = c.hidden_size,
                                 .num_heads = c.num_attention_heads,
                                 .intermediate_size = c.intermediate_size,
                                 .activation = activation_from_name(c.hidden_act),
                                 .layer_norm_eps = c.layer_norm_eps,
                                 .hidden_dropout = c.hidden_dropout_prob,
                                 .attention_dropout = c.attention_probs_dropout_prob,
                                 .qkv_bias = c.qkv_bias,
                                 .norm = NormPlacement::kPre,
                                 .gen = c.gen,
                                 .dtype = c.dtype,
                                 .device = c.device};
  encoder_ =
      register_module("encoder", std::make_shared<TransformerEncoder>(c.num_hidden_layers, layer));
  layernorm_ = register_module(
      "layernorm",
      std::make_shared<LayerNorm>(Shape{c.hidden_size}, c.layer_norm_eps, true, c.dtype, c.device));
  if (add_pooling_layer) {
    auto pooler = register_module("pooler", std::make_shared<Container>());
    pooler_dense_ = pooler->register_module(
        "dense",
        std::make_shared<Linear>(c.hidden_size, c.pooler_size(), true, c.gen, c.dtype, c.device));
  }
  init_vit_weights(*this, c.initializer_range, c.gen);
}

ViTModelOutput ViTModel::forward(const Tensor& pixel_values) const {
  ViTModelOutput out;
  out.last_hidden_state =
      layernorm_->forward(encoder_->forward(embeddings_->forward(pixel_values)));
  if (pooler_dense_) {
    out.pooler_output = apply_activation(
        pooler_activation_, pooler_dense_->forward(first_token(out.last_hidden_state)));
  }
  return out;
}

namespace {
const hf::IgnoreRule kMaskToken{"embeddings.mask_token",
                                "the masked-image-modeling token; classification does not use it"};
}  // namespace

hf::CheckpointLayout ViTModel::checkpoint_layout() {
  return {.base_prefix = "vit.",
          .ignorable = {kMaskToken,
                        {"classifier", "a classification head, not part of ViTModel"},
                        {"pooler", "this ViTModel was built without a pooler"}},
          .fresh = {"pooler"},
          .tied = {}};
}

hf::ModuleRenames ViTModel::transformers_module_renames() {
  // The order matters: attention.output.dense before output.dense, which it contains.
  return {{"encoder.layer", "layers"},
          {"attention.attention.query", "attention.q_proj"},
          {"attention.attention.key", "attention.k_proj"},
          {"attention.attention.value", "attention.v_proj"},
          {"attention.output.dense", "attention.o_proj"},
          {"intermediate.dense", "mlp.fc1"},
          {"output.dense", "mlp.fc2"}};
}

ViTForImageClassification::ViTForImageClassification(const ViTConfig& config) {
  FFTUNE_CHECK(config.num_labels > 0, "ViTForImageClassification: num_labels must be positive, ",
               "got ", config.num_labels);
  vit_ = register_module("vit", std::make_shared<ViTModel>(config, false));
  classifier_ = register_module(
      "classifier", std::make_shared<Linear>(config.hidden_size, config.num_labels, true,
                                             config.gen, config.dtype, config.device));
  init_vit_weights(*classifier_, config.initializer_range, config.gen);
}

Tensor ViTForImageClassification::forward(const Tensor& pixel_values) const {
  return classifier_->forward(first_token(vit_->forward(pixel_values).last_hidden_state));
}

hf::CheckpointLayout ViTForImageClassification::checkpoint_layout() {
  return {.base_prefix = "vit.",
          .ignorable = {kMaskToken,
                        {"pooler", "the classifier reads the CLS token directly; no pooler"}},
          .fresh = {"classifier"},
          .tied = {}};
}

void init_vit_weights(Module& module, double initializer_range, Generator* gen) {
  for (const auto& [name, m] : module.named_modules()) {
    Tensor weight, bias;
    if (const auto* linear = dynamic_cast<const Linear*>(m)) {
      weight = linear->weight();
      bias = linear->bias();
    } else if (const auto* conv = dynamic_cast<const Conv2d*>(m)) {
      weight = conv->weight();
      bias = conv->bias();
    } else if (const auto* norm = dynamic_cast<const LayerNorm*>(m)) {
      Tensor w = norm->weight(), b = norm->bias();
      if (w.defined()) init::ones_(w);
      if (b.defined()) init::zeros_(b);
    } else if (const auto* emb = dynamic_cast<const ViTEmbeddings*>(m)) {
      Tensor cls = emb->cls_token(), pos = emb->position_embeddings();
      init::normal_(cls, 0.0, initializer_range, gen);
      init::normal_(pos, 0.0, initializer_range, gen);
    }
    if (weight.defined()) init::normal_(weight, 0.0, initializer_range, gen);
    if (bias.defined()) init::zeros_(bias);
  }
}

}  // namespace fftune::nn
