// The model side of a run: the ViT (loaded from an HF directory, or built from scratch for the
// demo), the adapter attached to it (FourierFT, LoRA, Hartley, full fine-tuning or head only),
// the optimizer's parameter groups, and saving/loading what was trained.
#pragma once

#include <memory>
#include <string>
#include <vector>

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
//   adapter_config.json + adapter_model.safetensors   the method and its trained tensors, the
//                                                     classifier included (examples/common/
//                                                     method.h: peft's format for FourierFT and
//                                                     LoRA, fftune's FFTUNE_* types otherwise)
//   backbone/                                         full fine-tuning only: the encoder without
//                                                     its classifier, an HF ViTModel directory
//                                                     (what the demo fine-tunes from)
// Returns the bytes of the adapter's tensors (classifier excluded) at f32.
int64_t save_trained(const ModelSetup& setup, const Config& config, const std::string& dir);

// The inverse for --eval-only: attaches the method that dir/adapter_config.json describes (the
// command line's adapter flags play no part) and loads its tensors; frozen afterwards.
fftune::examples::LoadedMethod load_trained(ModelSetup& setup, const std::string& dir);

// Parameters of the attached adapters, trainable or not (what --eval-only loaded).
int64_t attached_adapter_param_count(const ModelSetup& setup);

}  // namespace vit_dtd
