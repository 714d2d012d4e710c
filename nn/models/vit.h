// The Vision Transformer (Dosovitskiy et al. 2021) as Hugging Face's ViTModel and
// ViTForImageClassification, with HF's module names, so that real checkpoints load unmodified.
//
//   pixel_values (B, 3, 224, 224)
//     embeddings.patch_embeddings.projection   conv, kernel = stride = patch   (B, C, 14, 14)
//     flatten + transpose                                                       (B, 196, C)
//     cat(embeddings.cls_token, ·)                                              (B, 197, C)
//     + embeddings.position_embeddings, dropout
//     encoder.layer.<i>   pre-LN Transformer layers (nn/encoder_layer.h)
//     layernorm                                                                 (B, 197, C)
//   ViTModel:                  pooler.dense + tanh on the CLS token (optional)  (B, C)
//   ViTForImageClassification: "vit." + the model without pooler, classifier Linear on the CLS
//                              token                                            (B, num_labels)
//
// Checkpoint layouts (hf::load_pretrained with checkpoint_layout(), nn/models/hf_checkpoint.h):
// google's pre-trained vit-base-patch16-224-in21k is a bare ViTModel (no "vit." prefix) with a
// pooler; fine-tuned ViTs are ViTForImageClassification ("vit.", "classifier."). Either loads
// into either model; hf::save_pretrained writes each model back in its own layout.
//
//   const nlohmann::json json = hf::read_config(dir);
//   ViTConfig config = ViTConfig::from_json(json);
//   config.num_labels = 47;                      // a new task: the classifier starts fresh
//   ViTForImageClassification model(config);
//   hf::load_pretrained(model, dir, ViTForImageClassification::checkpoint_layout(), &std::cout);
//   ...
//   hf::save_pretrained(model, out, config.to_json("ViTForImageClassification"),
//                       ViTForImageClassification::checkpoint_layout());
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/layer_norm.h"
#include "nn/linear.h"
#include "nn/models/hf_checkpoint.h"
#include "nn/transformer_encoder.h"

namespace fftune::nn {

// HF's ViTConfig: the fields of config.json the model uses, with transformers' defaults.
struct ViTConfig {
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";
  double layer_norm_eps = 1e-12;
  int64_t image_size = 224;  // square images; config.json may say 224 or [224, 224]
  int64_t patch_size = 16;
  int64_t num_channels = 3;
  bool qkv_bias = true;
  double hidden_dropout_prob = 0.0;
  double attention_probs_dropout_prob = 0.0;
  double initializer_range = 0.02;
  // The classifier's outputs: config.json's num_labels, else the size of its id2label, else 2
  // (transformers' default). A fine-tuning run sets its own.
  int64_t num_labels = 2;
  std::string pooler_act = "tanh";
  int64_t pooler_output_size = 0;  // 0: hidden_size

  Generator* gen = nullptr;  // initialisation and dropout masks (default generator when null)
  DType dtype = DType::f32;
  Device device = Device::cpu();

  int64_t grid_size() const { return image_size / patch_size; }  // patches per side
  int64_t num_patches() const { return grid_size() * grid_size(); }
  int64_t pooler_size() const { return pooler_output_size > 0 ? pooler_output_size : hidden_size; }

  // Checks the fields are consistent (positive sizes, heads divide hidden_size, patches tile the
  // image, a known hidden_act); throws fftune::Error naming the field.
  void validate() const;

  // From a parsed config.json (hf::read_config): model_type must be "vit"; the sizes are
  // required, the rest default as in transformers; errors name the key.
  static ViTConfig from_json(const nlohmann::json& config);
  // The config.json transformers would write for this config (architectures given by the
  // caller).
  nlohmann::json to_json(const std::string& architecture) const;
};

// What the image processor does before the model (preprocessor_config.json, HF's
// ViTImageProcessor): resize to height × width, scale by rescale_factor, normalise per channel.
// transformers' defaults (mean = std = 0.5, as google's in21k checkpoint uses) when absent.
struct ViTImageProcessorConfig {
  int64_t height = 224, width = 224;
  int64_t resample = 2;  // PIL's code: 2 = bilinear
  bool do_resize = true;
  bool do_rescale = true;
  double rescale_factor = 1.0 / 255.0;
  bool do_normalize = true;
  std::vector<double> image_mean = {0.5, 0.5, 0.5};
  std::vector<double> image_std = {0.5, 0.5, 0.5};

  // `size` may be an int (old files) or {"height", "width"} (or {"shortest_edge"}, taken as
  // square).
  static ViTImageProcessorConfig from_json(const nlohmann::json& json);
  // <dir>/preprocessor_config.json if it exists; otherwise the defaults at the model's
  // image_size.
  static ViTImageProcessorConfig from_pretrained(const std::string& dir, const ViTConfig& config);
};

// embeddings: parameters "cls_token" (1, 1, C) and "position_embeddings" (1, 1 + P, C), children
// "patch_embeddings.projection" (Conv2d) and "dropout".
class ViTEmbeddings : public Module {
 public:
  explicit ViTEmbeddings(const ViTConfig& config);
  // pixel_values (B, num_channels, image_size, image_size) -> (B, 1 + P, C).
  Tensor forward(const Tensor& pixel_values) const;

  const Tensor& cls_token() const { return cls_token_; }
  const Tensor& position_embeddings() const { return position_embeddings_; }
  const std::shared_ptr<Conv2d>& projection() const { return projection_; }

 private:
  int64_t image_size_, num_channels_;
  Tensor cls_token_, position_embeddings_;
  std::shared_ptr<Conv2d> projection_;
  std::shared_ptr<Dropout> dropout_;
};

struct ViTModelOutput {
  Tensor last_hidden_state;  // (B, 1 + P, C), after the final layernorm
  Tensor pooler_output;      // (B, pooler size), undefined without a pooler
};

// HF's ViTModel: children "embeddings", "encoder" (its "layer.<i>"), "layernorm", "pooler"
// (with add_pooling_layer, as transformers' argument of that name; its child "dense").
class ViTModel : public Module {
 public:
  // Weights initialised as transformers' ViTPreTrainedModel._init_weights (init_vit_weights),
  // drawn from config.gen, which also draws the dropout masks (it must outlive the model).
  explicit ViTModel(const ViTConfig& config, bool add_pooling_layer = true);

  ViTModelOutput forward(const Tensor& pixel_values) const;

  const ViTConfig& config() const { return config_; }
  const std::shared_ptr<ViTEmbeddings>& embeddings() const { return embeddings_; }
  const std::shared_ptr<TransformerEncoder>& encoder() const { return encoder_; }
  const std::shared_ptr<LayerNorm>& layernorm() const { return layernorm_; }
  const std::shared_ptr<Linear>& pooler_dense() const { return pooler_dense_; }  // null if none

  // Recompute each encoder layer in backward instead of keeping its activations
  // (TransformerEncoder::set_activation_checkpointing; HF's gradient_checkpointing_enable).
  void set_activation_checkpointing(bool on) { encoder_->set_activation_checkpointing(on); }

  // A ViTForImageClassification checkpoint's "vit." prefix is stripped and its classifier
  // ignored; a missing pooler (the model has one, the checkpoint not) is initialised freshly.
  static hf::CheckpointLayout checkpoint_layout();
  // How transformers 5.24 renames ViT's modules in memory (Note [in-memory module names]):
  // encoder.layer -> layers, attention.attention.{query,key,value} -> attention.{q,k,v}_proj,
  // attention.output.dense -> attention.o_proj, intermediate.dense -> mlp.fc1, output.dense ->
  // mlp.fc2. peft's ViT adapters name their layers so; load_peft_adapter takes these.
  static hf::ModuleRenames transformers_module_renames();

 private:
  ViTConfig config_;
  Activation pooler_activation_;
  std::shared_ptr<ViTEmbeddings> embeddings_;
  std::shared_ptr<TransformerEncoder> encoder_;
  std::shared_ptr<LayerNorm> layernorm_;
  std::shared_ptr<Linear> pooler_dense_;
};

// HF's ViTForImageClassification: children "vit" (a ViTModel without pooler) and "classifier"
// (Linear C -> num_labels on the CLS token of the final layernorm's output; no dropout).
class ViTForImageClassification : public Module {
 public:
  explicit ViTForImageClassification(const ViTConfig& config);

  // pixel_values (B, num_channels, image_size, image_size) -> logits (B, num_labels).
  Tensor forward(const Tensor& pixel_values) const;

  const ViTConfig& config() const { return vit_->config(); }
  const std::shared_ptr<ViTModel>& vit() const { return vit_; }
  const std::shared_ptr<Linear>& classifier() const { return classifier_; }
  void set_activation_checkpointing(bool on) { vit_->set_activation_checkpointing(on); }

  // Loads in21k-style ViTModel checkpoints ("vit." added, the pooler ignored, the classifier
  // initialised freshly) and fine-tuned ones ("vit.", "classifier.").
  static hf::CheckpointLayout checkpoint_layout();
  static hf::ModuleRenames transformers_module_renames() {
    return ViTModel::transformers_module_renames();
  }

 private:
  std::shared_ptr<ViTModel> vit_;
  std::shared_ptr<Linear> classifier_;
};

// transformers' ViT initialisation for the parameters of `module` (a model or any part of it):
// Linear and Conv2d weights ~ N(0, initializer_range²) (HF truncates at ±2, i.e. at 100 σ), their
// biases 0, LayerNorm 1 and 0, cls_token and position_embeddings ~ N(0, initializer_range²).
void init_vit_weights(Module& module, double initializer_range, Generator* gen = nullptr);

}  // namespace fftune::nn
