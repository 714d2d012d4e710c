// HF peft adapter files: adapter_config.json + adapter_model.safetensors, read and written so
// that an adapter moves between peft (v0.21.2, the pinned version) and fftune both ways.
//
// adapter_config.json is peft's config dataclass as JSON (sorted keys). fftune reads every key
// that peft writes for the method; a key it does not know, or a value it does not implement
// (fan_in_fan_out, a bias mode other than "none", ...), is an error that names the key: an
// adapter is never loaded with a setting silently dropped.
//
// adapter_model.safetensors holds only the adapter's tensors, under peft's names (the adapter
// name "default" removed, as peft's get_peft_model_state_dict does):
//   base_model.model.<layer path>.fourierft_spectrum (N)   fftune: <layer path>.adapter.…
//   base_model.model.<module path>.<param>                 for each module to save
// The modules to save are written under their plain paths (peft strips its
// "modules_to_save.default." wrapper level when saving). A path is the module's name as the
// model has it in memory (Note [in-memory module names] in nn/models/hf_checkpoint.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/inject.h"
#include "adapters/lora_linear.h"

namespace fftune::adapters {

// The peft version whose adapter format fftune reads and writes (written as "peft_version").
inline constexpr const char* kPeftFormatVersion = "0.21.2";

// The fields every peft tuner config shares (peft/config.py PeftConfig, and the targeting
// fields of the tuner configs), with peft's defaults.
struct PeftConfigBase {
  std::optional<std::string> base_model_name_or_path;
  std::optional<std::string> revision;
  // peft's TaskType: SEQ_CLS, SEQ_2_SEQ_LM, CAUSAL_LM, TOKEN_CLS, QUESTION_ANS,
  // FEATURE_EXTRACTION. For SEQ_CLS / TOKEN_CLS peft adds "classifier" and "score" to
  // modules_to_save, for QUESTION_ANS "qa_outputs"; fftune does the same.
  std::optional<std::string> task_type;
  bool inference_mode = false;
  ModulePatterns target_modules;
  ModulePatterns exclude_modules;
  std::string bias = "none";    // only "none" is supported
  bool fan_in_fan_out = false;  // only false: fftune's Linear is (out, in)
  std::vector<std::string> modules_to_save;
  std::vector<int64_t> layers_to_transform;
  std::vector<std::string> layers_pattern;
  // Not in the file: the names the patterns and tensor keys use (InjectOptions::module_renames).
  // load_peft_adapter sets it when the file uses transformers' in-memory names; empty, fftune's.
  nn::hf::ModuleRenames module_renames;

  // modules_to_save with the task-head modules peft adds for task_type appended.
  std::vector<std::string> effective_modules_to_save() const;
  // The injector's options for this config.
  InjectOptions inject_options() const;
};

// peft's FourierFTConfig (tuners/fourierft/config.py), peft_type "FOURIERFT".
struct FourierFTConfig : PeftConfigBase {
  int64_t n_frequency = 1000;
  double scaling = 150.0;
  uint64_t random_loc_seed = 777;
  // Per-layer n_frequency: (key, n) in the file's order; lookup as n_frequency_for (inject.h).
  std::vector<std::pair<std::string, int64_t>> n_frequency_pattern;
  bool init_weights = false;

  // The layer options before n_frequency_pattern.
  fourierft::FourierFTOptions layer_options() const;
};

// peft's LoRAConfig (tuners/lora/config.py), peft_type "LORA". Of LoRA's many variants fftune
// implements plain LoRA and rsLoRA; the keys of the others (DoRA, QALoRA, LoftQ, EVA, CorDA,
// layer replication, lora_bias, ...) must hold peft's "off" values.
struct LoRAConfig : PeftConfigBase {
  int64_t r = 8;
  double lora_alpha = 8.0;
  double lora_dropout = 0.0;
  bool init_lora_weights = true;  // true or false; peft's named schemes are not supported
  bool use_rslora = false;
  // Per-layer r and lora_alpha: (key, value) in the file's order; lookup as lora_pattern_value.
  std::vector<std::pair<std::string, int64_t>> rank_pattern;
  std::vector<std::pair<std::string, double>> alpha_pattern;

  // The options of the layer named `name` (rank_pattern and alpha_pattern applied).
  LoRAOptions layer_options(const std::string& name) const;
};

using PeftAdapterConfig = std::variant<FourierFTConfig, LoRAConfig>;

// Parses adapter_config.json text; `source` names it in errors. parse_peft_config dispatches on
// "peft_type" (FOURIERFT or LORA).
FourierFTConfig parse_fourierft_config(const std::string& json_text,
                                       const std::string& source = "adapter_config.json");
LoRAConfig parse_lora_config(const std::string& json_text,
                             const std::string& source = "adapter_config.json");
PeftAdapterConfig parse_peft_config(const std::string& json_text,
                                    const std::string& source = "adapter_config.json");
// The JSON peft writes for the config (every key peft writes, sorted, two-space indent).
std::string to_json(const FourierFTConfig& config);
std::string to_json(const LoRAConfig& config);
std::string to_json(const PeftAdapterConfig& config);
// "FOURIERFT" or "LORA".
std::string peft_type(const PeftAdapterConfig& config);
const PeftConfigBase& base_config(const PeftAdapterConfig& config);

// Injects the adapters peft would for `config` (per-layer patterns applied); random initial
// values from `gen` (FourierFT: unless init_weights; LoRA: A, and B unless init_lora_weights).
std::vector<std::string> inject_fourierft(nn::Module& model, const FourierFTConfig& config,
                                          Generator* gen = nullptr);
std::vector<std::string> inject_lora(nn::Module& model, const LoRAConfig& config,
                                     Generator* gen = nullptr);

// The adapter's tensors under peft's names (the header comment), in named_modules() order:
// every adapter of the model, and the parameters of its modules to save; module paths after
// `renames` (InjectOptions::module_renames).
std::vector<std::pair<std::string, Tensor>> peft_state_dict(
    nn::Module& model, const std::vector<std::string>& modules_to_save,
    const nn::hf::ModuleRenames& renames = {});

// Writes dir/adapter_config.json and dir/adapter_model.safetensors (creating dir), each to a
// temporary name and renamed into place; the keys name modules after config.module_renames.
void save_peft_adapter(nn::Module& model, const std::string& dir, const PeftAdapterConfig& config);

struct LoadedPeftAdapter {
  PeftAdapterConfig config;          // as parsed
  std::vector<std::string> adapted;  // layer names, named_modules() order
};

// Reads dir/adapter_config.json, injects the adapters into `model` (FourierFT entries
// regenerated from random_loc_seed), and loads dir/adapter_model.safetensors into them and into
// the modules to save. Every name and shape is checked first; all problems (missing tensor,
// unexpected tensor, shape mismatch) are reported in one error, and no weight is loaded then
// (the adapters stay attached with their initial values). With is_trainable false (peft's
// default) everything ends up frozen, as after peft's PeftModel.from_pretrained; with true the
// adapters and modules to save train.
//
// `renames`: the model's in-memory renames (ViTModel::transformers_module_renames(); Note
// [in-memory module names]). A file whose keys name a module by a path that exists only after
// them — peft's adapters for ViT on transformers 5: "…vit.layers.0.attention.q_proj…",
// target_modules ["q_proj", "v_proj"] — is matched and loaded through them, and the returned
// config says so (module_renames); a file in the checkpoint names (fftune's own, peft's on
// transformers 4) loads as without them.
LoadedPeftAdapter load_peft_adapter(nn::Module& model, const std::string& dir,
                                    bool is_trainable = false,
                                    const nn::hf::ModuleRenames& renames = {});

}  // namespace fftune::adapters
