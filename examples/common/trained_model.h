// What a run reports about the model it trained, and the merged export:
//   parameter_table   the paper's Table 1 for the model at hand (adapters/param_report.h):
//                     trainable and stored parameters of FourierFT, LoRA and full fine-tuning on
//                     the run's target layers, and the attached adapter measured
//   export_merged     --export-merged DIR: the model with every adapter merged into its base
//                     weight (adapters/merge_export.h), in the base checkpoint's layout — an HF
//                     directory (config.json + model.safetensors) that from_pretrained loads
//                     with no adapter code
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "method.h"
#include "nn/models/hf_checkpoint.h"
#include "nn/module.h"

namespace fftune::examples {

// A Markdown table (adapters::to_markdown) for `model` prepared by attach_method: with adapters
// attached, their layers and a measured row; otherwise the method's target modules.
std::string parameter_table(const nn::Module& model, const Method& method);

// Writes dir/config.json (`config`) and dir/model.safetensors: every parameter under its
// checkpoint name, an adapted Linear's weight as W0 + ΔW, the adapters' own parameters and
// layout.tied names left out. Each file is written to a temporary name and renamed.
void export_merged(const nn::Module& model, const std::string& dir, const nlohmann::json& config,
                   const nn::hf::CheckpointLayout& layout);

}  // namespace fftune::examples
