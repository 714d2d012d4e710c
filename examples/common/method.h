// The fine-tuning method of a run (--adapter and its options), and the self-describing folder a
// run saves what it trained into: adapter_config.json (the method and its options) +
// adapter_model.safetensors (the trained tensors). Both example programs write and read it here,
// so the same method gives the same folder in both.
//
// A method is a registered adapter (adapters/registry.h: FourierFT and LoRA in peft's format,
// FourierFT with frequency-biased entries as FFTUNE_FOURIERFT, Hartley as FFTUNE_HARTLEY, and
// whatever else is registered, with its own FFTUNE_* type), or one of two methods that attach no
// adapter:
//   peft_type          --adapter    adapter_model.safetensors holds
//   FFTUNE_HEAD        head         the modules to save (the classifier) alone
//   FFTUNE_FULL        full         every parameter of the model, base_model.model.<name>
// In every case the modules to save (the task head) are stored under peft's names
// (base_model.model.<path>.<param>). The FFTUNE_* types are fftune's own (docs/new-adapter.md):
// peft refuses them instead of loading them as something else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/registry.h"
#include "nn/models/hf_checkpoint.h"
#include "nn/module.h"

namespace fftune::examples {

struct Method {
  std::string adapter = "fourierft";  // a registered adapter, "full" or "head"
  std::vector<std::string> target_modules = {"query", "value"};  // registered adapters
  std::vector<std::string> modules_to_save;  // trained and saved with every method
  // peft's task_type: "SEQ_CLS" adds the classifier ("classifier" or "score") to the modules to
  // save, as peft does. Empty: none.
  std::optional<std::string> task_type;
  // The adapter's options, {key: value} as its adapter_config.json holds them (the registry's
  // AdapterOption keys; missing keys take the registry's defaults). Empty for full and head.
  adapters::AdapterOptions options = nlohmann::json::object();
};

// Whether `adapter` names a method: a registered adapter, "full" or "head".
bool is_method(const std::string& adapter);
// The method names --adapter accepts: the registered adapters, then "full" and "head".
std::vector<std::string> method_names();

// The peft_type adapter_config.json records (the header's table).
std::string peft_type(const Method& method);
// The name the summary tables show: the adapter's title ("FourierFT", "FourierFT-fb", "LoRA",
// "Hartley", ...), "full" or "head only".
std::string method_name(const Method& method);

// adapter_config.json's text for `method`, and back. Parsing is strict: a missing or unknown key,
// or a peft_type other than the table's, is an error naming `source` and the key. A FOURIERFT
// or LORA file written by peft parses too (as far as a Method can say what it holds: the
// per-layer patterns are not part of it; load_method loads such files with all of them).
std::string to_json(const Method& method);
Method method_from_json(const std::string& json_text, const std::string& source);

// The fields in which `a` and `b` differ, among those that matter for a.adapter: "adapter",
// "target_modules" and the adapter's option keys ("n_frequency", "r", ...); the modules to save
// and the task type are not compared.
std::vector<std::string> method_differences(const Method& a, const Method& b);

// Freezes `model` and makes the method's parameters trainable: attaches the adapters to the
// target modules (a registered adapter; random initial values from `gen`), every parameter
// for full, and the modules to save in every case. Returns the adapted layer names.
std::vector<std::string> attach_method(nn::Module& model, const Method& method, Generator* gen);

// Writes dir/adapter_model.safetensors and then dir/adapter_config.json (each atomically;
// creating dir) for a model prepared by attach_method.
void save_method(nn::Module& model, const Method& method, const std::string& dir);

struct LoadedMethod {
  Method method;
  std::vector<std::string> adapted;  // the layers holding an adapter
};

// The inverse of save_method on a model as built for training, before attach_method: reads
// dir/adapter_config.json (a folder without it is refused, naming the folder and the file),
// attaches the method it describes and loads dir/adapter_model.safetensors into it; every name
// and shape is checked first and all problems are reported in one error. Everything is frozen
// afterwards. FOURIERFT and LORA load as adapters::load_peft_adapter does, with `renames` (the
// model's in-memory module names, for peft's files on transformers 5).
LoadedMethod load_method(nn::Module& model, const std::string& dir,
                         const nn::hf::ModuleRenames& renames = {});

// The value of one of method_differences' fields in `method`, as text ("1000", "[\"query\"]").
std::string field_value(const Method& method, const std::string& field);

}  // namespace fftune::examples
