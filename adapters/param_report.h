// param_report: the paper's Table 1 (trainable parameters and adapter storage of FourierFT, LoRA
// and full fine-tuning) computed for any model and set of target Linear layers.
//
// Per adapted layer with weight (out, in):
//   FourierFT with n coefficients: n trainable, and the adapter file stores only the n-vector
//     spectrum — the entries are regenerated from the seed (random_loc_seed);
//   LoRA with rank r: r·(in + out) trainable (A (r, in) and B (out, r)), all of it stored;
//   full fine-tuning: every parameter of the base model, the whole checkpoint stored.
// Storage is counted at f32, 4 bytes per parameter. Like the paper, the task head (a classifier
// trained alongside the adapter) is not counted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/module.h"

namespace fftune::adapters {

// One row of the table.
struct MethodCost {
  std::string method;   // "FourierFT", "LoRA", "full fine-tuning", or an attached method()
  std::string setting;  // "n = 1000", "r = 8", "" for full fine-tuning
  int64_t trainable_params = 0;
  int64_t storage_bytes = 0;  // the adapter file's tensor data at f32
  bool attached = false;      // measured from adapters attached to the model, not a formula
};

struct ParamReport {
  int64_t base_params = 0;           // the base model's parameters (adapters' excluded)
  std::vector<std::string> targets;  // paths of the target Linear layers
  std::vector<MethodCost> rows;
};

// The settings to tabulate (the paper's Table 1 lists several n and r per model).
struct ParamReportSettings {
  std::vector<int64_t> fourierft_n = {1000};
  std::vector<int64_t> lora_r = {8};
  bool full_fine_tuning = true;
};

inline constexpr int64_t kBytesPerParam = 4;  // f32

// The Linear layers of `model` whose path matches one of `target_modules` the way peft matches a
// list of names: the path equals the target or ends with "." + target ("query" matches
// "roberta.encoder.layer.0.attention.self.query"). A target that matches no Linear is an error,
// as is an n larger than a target layer's out·in.
ParamReport param_report(const nn::Module& model, const std::vector<std::string>& target_modules,
                         const ParamReportSettings& settings = {});

// For a model with adapters attached: the targets are its adapted layers, and after the formula
// rows come one row per attached method, measured from the adapters' own parameters.
ParamReport param_report(const nn::Module& model, const ParamReportSettings& settings = {});

// A Markdown table of the report, e.g.
//   | method | setting | trainable params | storage (bytes) | storage |
//   | FourierFT | n = 1000 | 24,000 | 96,000 | 93.75 KB |
std::string to_markdown(const ParamReport& report);

}  // namespace fftune::adapters
