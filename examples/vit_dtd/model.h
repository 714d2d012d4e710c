// The model side of a run: the ViT (loaded from an HF directory, or built from scratch for the
// demo), the adapter attached to it (FourierFT, LoRA, Hartley, full fine-tuning or head only),
// the optimizer's parameter groups, and saving/loading what was trained.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/peft_format.h"
#include "config.h"
#include "data/image.h"
#include "nn/models/vit.h"
#include "nn/optimizer.h"

namespace vit_dtd {

struct ModelSetup {
  std::unique_ptr<fftune::Generator> gen;  // initialisation; must outlive the model
  std::shared_ptr<fftune::nn::ViTForImageClassification> model;
  fftune::data::Normalization normalization;
  int64_t image_size = 224;
  std::vector<std::string> adapted;  // the layers holding an adapter
  // The peft config the adapter is saved with (FourierFT with uniform entries, LoRA); absent
  // for methods peft has no format for (Hartley, frequency-biased FourierFT, full, head).
  std::optional<fftune::adapters::PeftAdapterConfig> peft_config;
};

// The ViT with a fresh classifier of `num_labels` outputs: config.model_dir's weights, or
// config.scratch_model initialised from the seed. Prints the loading summary to `log`.
ModelSetup build_model(const Config& config, int64_t num_labels, std::ostream* log);

// Freezes the backbone and makes the method's parameters trainable (attaching adapters to
// config.target_modules for fourierft, lora and hartley). The classifier always trains.
void attach_adapter(ModelSetup& setup, const Config& config);

// The optimizer's groups: the adapter (or the whole backbone for full) at --lr, the classifier
// at --head-lr, all with --weight-decay.
std::vector<fftune::nn::ParamGroup> param_groups(const ModelSetup& setup, const Config& config);

// Trainable parameters of the adapter (the classifier excluded, as in the paper's counts) and of
// the classifier.
int64_t adapter_param_count(const ModelSetup& setup);
int64_t head_param_count(const ModelSetup& setup);

// Writes what training produced into `dir`:
//   adapter_config.json + adapter_model.safetensors   peft's format (when peft has one), the
//                                                     classifier included as modules_to_save
//   trainable.safetensors                             every trainable tensor by fftune name
//   head.safetensors                                  the classifier alone
//   backbone/                                         full fine-tuning only: the ViT without
//                                                     its classifier, an HF ViTModel directory
//                                                     (what the demo fine-tunes from)
// Returns the bytes of the adapter's tensors (classifier excluded) at f32.
int64_t save_trained(const ModelSetup& setup, const Config& config, const std::string& dir);

// The inverse for --eval-only: a peft directory (adapter_config.json) is injected and loaded as
// peft would; otherwise dir/trainable.safetensors is loaded into a model prepared by
// attach_adapter with the same flags as the training run.
// Returns the method's name as the summary table shows it ("FourierFT", "LoRA", ...).
std::string load_trained(ModelSetup& setup, const Config& config, const std::string& dir);

// The table's name of config.adapter ("FourierFT", "LoRA", "Hartley", "full", "head only").
std::string method_name(const Config& config);

// Parameters of the attached adapters, trainable or not (what --eval-only loaded).
int64_t attached_adapter_param_count(const ModelSetup& setup);

}  // namespace vit_dtd
