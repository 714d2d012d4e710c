// The adapter registry: every adapter fftune can attach, save and load by name. A registered
// adapter (an AdapterSpec) has
//   - a name (`--adapter hartley`), a title for tables and a peft_type for adapter_config.json;
//   - its options: keys of adapter_config.json, each with a default, a type and the
//     command-line flag that sets it (the example programs declare these flags from here);
//   - its own default learning rate;
//   - a factory for nn::Linear, and a slot for one for nn::Conv2d;
//   - optionally peft's exact file format (FOURIERFT, LORA); otherwise it is saved in the same
//     folder layout with its own "FFTUNE_*" peft_type (docs/new-adapter.md §7).
// Saving and loading the trainable state go through the injector and peft's tensor names
// (adapters/peft_format.h peft_state_dict), the same for every adapter.
//
// fftune's own adapters (FourierFT, LoRA, Hartley) are listed in registry.cpp, one line each;
// another adapter — a test's, a user's — calls register_adapter before use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/peft_format.h"
#include "nn/conv2d.h"
#include "nn/linear.h"

namespace fftune::adapters {

// One option of an adapter: a key of its adapter_config.json and the flag that sets it.
struct AdapterOption {
  enum class Type {
    kInteger,     // JSON integer; flag "--n 1000"
    kNumber,      // JSON number; flag "--alpha 150"
    kNumberPair,  // JSON null (off) or [a, b]; flag "--freq-bias 200,50"
  };
  std::string key;   // "n_frequency"
  std::string flag;  // "n" for --n; adapters whose options mean the same thing share a flag
  Type type = Type::kNumber;
  nlohmann::json default_value;  // null: off (kNumberPair only)
  std::string help;              // one line, for --help
};

// An adapter's options as adapter_config.json holds them: {key: value}, one per AdapterOption.
using AdapterOptions = nlohmann::json;

// Builds the adapter for one base layer. zero_init: start with a ΔW of zero and no random draws
// (the values come from a file next); otherwise draw the initial values from `gen`.
using LinearAdapterFactory = std::function<std::shared_ptr<nn::LinearAdapter>(
    const AdapterOptions& options, const nn::Linear& layer, Generator* gen, bool zero_init)>;
using Conv2dAdapterFactory = std::function<std::shared_ptr<nn::Conv2dAdapter>(
    const AdapterOptions& options, const nn::Conv2d& layer, Generator* gen, bool zero_init)>;

// What an adapter folder's adapter_config.json says: the adapter, its options and which layers
// it targets. `targets` is peft's targeting (target_modules, modules_to_save, task_type, ...).
struct AdapterConfig {
  std::string adapter;  // a registered name
  AdapterOptions options = nlohmann::json::object();
  PeftConfigBase targets;
};

// peft's own file format for an adapter peft has.
struct PeftFileFormat {
  std::string peft_type;  // "FOURIERFT"
  // Whether peft's format can say these options (FourierFT's frequency bias: it cannot).
  std::function<bool(const AdapterOptions&)> holds = [](const AdapterOptions&) { return true; };
  std::function<PeftAdapterConfig(const AdapterConfig&)> to_peft;
  std::function<AdapterConfig(const PeftAdapterConfig&)> from_peft;
  // The title of the options peft's format cannot say ("FourierFT-fb"), saved as peft_type.
  std::string extension_title;
};

struct AdapterSpec {
  std::string name;       // --adapter's value: "hartley"
  std::string title;      // the summary tables' name: "Hartley"
  std::string peft_type;  // fftune's own: "FFTUNE_HARTLEY" (used unless peft_format holds)
  std::vector<AdapterOption> options;
  double learning_rate = 1e-3;  // of the adapter's parameters, unless the program says otherwise
  LinearAdapterFactory make_linear;
  Conv2dAdapterFactory make_conv2d;  // empty: the adapter does not adapt convolutions (yet)
  std::optional<PeftFileFormat> peft_format;
};

// Adds `spec`. Errors: an empty name, no Linear factory, a name or peft_type already taken, an
// option whose flag another adapter declares with another type, a default of the wrong type.
void register_adapter(AdapterSpec spec);
// Removes a registered adapter (for tests that register their own); unknown names are an error.
void unregister_adapter(const std::string& name);

// Every registered adapter, fftune's own first, then in registration order (each pointer stays
// valid until its adapter is unregistered).
std::vector<const AdapterSpec*> registered_adapters();
// The adapter named `name`; otherwise an error listing the registered names.
const AdapterSpec& find_adapter(const std::string& name);
bool is_registered_adapter(const std::string& name);

// The adapter's options: its defaults, overridden by `given` (a subset of its keys). An unknown
// key or a value of the wrong type is an error naming `source`, the key and the adapter.
AdapterOptions complete_options(const AdapterSpec& spec, const AdapterOptions& given,
                                const std::string& source);

// The option keys in which `a` and `b` (two configs of the same adapter) differ.
std::vector<std::string> option_differences(const AdapterSpec& spec, const AdapterOptions& a,
                                            const AdapterOptions& b);

// The summary tables' name of `config`: the adapter's title, or its peft format's
// extension_title when that format cannot hold the options.
std::string adapter_title(const AdapterConfig& config);

// The peft_type `config` is written with: peft's when its format holds the options, the
// adapter's own FFTUNE_* otherwise.
std::string peft_type_of(const AdapterConfig& config);

// adapter_config.json's text for `config`, and back. Parsing is strict: a missing or unknown
// key, or a peft_type that no registered adapter writes, is an error naming `source` and the key.
std::string to_json(const AdapterConfig& config);
AdapterConfig adapter_config_from_json(const std::string& json_text, const std::string& source);
// Whether `json_text` has a peft_type that some registered adapter writes.
bool is_adapter_config(const std::string& json_text);

// Attaches the adapter to every target layer of `model` (the injector, inject.h; frozen base,
// the modules to save trainable). Returns the adapted layer names.
std::vector<std::string> attach_adapter(nn::Module& model, const AdapterConfig& config,
                                        Generator* gen, bool zero_init = false);

// Writes dir/adapter_model.safetensors and then dir/adapter_config.json (atomically, creating
// dir) for a model prepared by attach_adapter.
void save_adapter(nn::Module& model, const AdapterConfig& config, const std::string& dir);

struct LoadedAdapter {
  AdapterConfig config;
  std::vector<std::string> adapted;  // the layers holding an adapter
};

// The inverse of save_adapter on a model without adapters: reads dir/adapter_config.json,
// attaches what it describes and loads dir/adapter_model.safetensors; every name and shape is
// checked first and all problems are reported in one error. Everything is frozen afterwards.
// peft's files load as load_peft_adapter does, with `renames`.
LoadedAdapter load_adapter(nn::Module& model, const std::string& dir,
                           const nn::hf::ModuleRenames& renames = {});

// fftune's own adapters (registry.cpp lists them; each is defined next to its layer).
AdapterSpec fourierft_adapter_spec();  // peft_format.cpp
AdapterSpec lora_adapter_spec();       // peft_format.cpp
AdapterSpec hartley_adapter_spec();    // hartley_adapter.cpp

}  // namespace fftune::adapters
