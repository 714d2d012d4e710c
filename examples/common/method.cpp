#include "method.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/inject.h"
#include "adapters/key_reader.h"
#include "adapters/peft_format.h"
#include "adapters/state_loading.h"
#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/file.h"
#include "core/io/safetensors.h"

namespace fftune::examples {

using nlohmann::json;

namespace {

constexpr const char* kConfigFile = "adapter_config.json";
constexpr const char* kWeightsFile = "adapter_model.safetensors";
constexpr const char* kPeftPrefix = "base_model.model.";

// The targeting fields as peft's config base (task heads added per task_type, as peft does).
adapters::PeftConfigBase peft_base(const Method& m) {
  adapters::PeftConfigBase base;
  base.task_type = m.task_type;
  base.target_modules = adapters::ModulePatterns::list(m.target_modules);
  base.modules_to_save = m.modules_to_save;
  return base;
}

// A registered adapter's method as the registry's config.
adapters::AdapterConfig adapter_config(const Method& m) {
  adapters::AdapterConfig config;
  config.adapter = m.adapter;
  config.options = adapters::complete_options(adapters::find_adapter(m.adapter), m.options,
                                              "--adapter " + m.adapter);
  config.targets = peft_base(m);
  return config;
}

// The Method a registry config describes (its per-layer patterns aside).
Method method_of(const adapters::AdapterConfig& config) {
  const adapters::PeftConfigBase& base = config.targets;
  Method m;
  m.adapter = config.adapter;
  m.target_modules = base.target_modules.names;
  if (base.target_modules.regex) m.target_modules = {*base.target_modules.regex};
  m.modules_to_save = base.modules_to_save;
  m.task_type = base.task_type;
  m.options = config.options;
  return m;
}

// The tensors an FFTUNE_* folder holds for a model prepared by attach_method, by peft name.
std::vector<std::pair<std::string, Tensor>> method_state(nn::Module& model, const Method& m) {
  if (m.adapter == "full") {
    std::vector<std::pair<std::string, Tensor>> out;
    for (const auto& [name, t] : model.named_parameters()) out.emplace_back(kPeftPrefix + name, t);
    return out;
  }
  return adapters::peft_state_dict(model, peft_base(m).effective_modules_to_save());
}

}  // namespace

bool is_method(const std::string& adapter) {
  return adapter == "full" || adapter == "head" || adapters::is_registered_adapter(adapter);
}

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const adapters::AdapterSpec* spec : adapters::registered_adapters())
    names.push_back(spec->name);
  names.push_back("full");
  names.push_back("head");
  return names;
}

std::string peft_type(const Method& m) {
  if (m.adapter == "head") return "FFTUNE_HEAD";
  if (m.adapter == "full") return "FFTUNE_FULL";
  return adapters::peft_type_of(adapter_config(m));
}

std::string method_name(const Method& m) {
  if (m.adapter == "full") return "full";
  if (m.adapter == "head") return "head only";
  return adapters::adapter_title(adapter_config(m));
}

std::string to_json(const Method& m) {
  if (m.adapter != "head" && m.adapter != "full") return adapters::to_json(adapter_config(m));
  json j;
  j["peft_type"] = peft_type(m);
  j["task_type"] = m.task_type ? json(*m.task_type) : json(nullptr);
  j["modules_to_save"] = peft_base(m).effective_modules_to_save();
  return j.dump(2) + "\n";
}

Method method_from_json(const std::string& text, const std::string& source) {
  if (adapters::is_adapter_config(text))
    return method_of(adapters::adapter_config_from_json(text, source));
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    FFTUNE_CHECK(false, source, ": not valid JSON: ", e.what());
  }
  FFTUNE_CHECK(j.is_object() && j.contains("peft_type") && j["peft_type"].is_string(), source,
               ": \"peft_type\" is missing or not a string");
  const std::string type = j["peft_type"].get<std::string>();
  std::string known;
  for (const adapters::AdapterSpec* spec : adapters::registered_adapters()) {
    if (spec->peft_format) known += spec->peft_format->peft_type + ", ";
    known += spec->peft_type + ", ";
  }
  FFTUNE_CHECK(type == "FFTUNE_HEAD" || type == "FFTUNE_FULL", source, ": unknown peft_type '",
               type, "' (fftune reads ", known, "FFTUNE_HEAD and FFTUNE_FULL)");
  adapters::KeyReader r(j, source);
  r.take("peft_type");
  Method m;
  m.adapter = type == "FFTUNE_HEAD" ? "head" : "full";
  const json& task_type = r.take("task_type");
  if (!task_type.is_null()) m.task_type = r.get<std::string>("task_type");
  m.modules_to_save = r.get<std::vector<std::string>>("modules_to_save");
  r.check_all_taken();
  return m;
}

std::vector<std::string> method_differences(const Method& a, const Method& b) {
  if (a.adapter != b.adapter) return {"adapter"};
  if (a.adapter == "head" || a.adapter == "full") return {};
  std::vector<std::string> out;
  if (a.target_modules != b.target_modules) out.push_back("target_modules");
  const adapters::AdapterSpec& spec = adapters::find_adapter(a.adapter);
  for (const std::string& key : adapters::option_differences(
           spec, adapters::complete_options(spec, a.options, "method_differences"),
           adapters::complete_options(spec, b.options, "method_differences")))
    out.push_back(key);
  return out;
}

std::string field_value(const Method& m, const std::string& field) {
  if (field == "adapter") return m.adapter;
  if (field == "target_modules") return json(m.target_modules).dump();
  if (m.adapter == "head" || m.adapter == "full") return "";
  const adapters::AdapterOptions options = adapter_config(m).options;
  return options.contains(field) ? options[field].dump() : "";
}

namespace {

// attach_method; with zero_init the adapters start at zero, without drawing (their values come
// from a file).
std::vector<std::string> attach(nn::Module& model, const Method& m, Generator* gen,
                                bool zero_init) {
  if (adapters::is_registered_adapter(m.adapter))
    return adapters::attach_adapter(model, adapter_config(m), gen, zero_init);
  const adapters::InjectOptions options = peft_base(m).inject_options();
  FFTUNE_CHECK(m.adapter == "head" || m.adapter == "full", "attach_method: unknown adapter '",
               m.adapter, "'");
  model.set_requires_grad(m.adapter == "full");
  const auto heads = adapters::modules_to_save(model, options.modules_to_save);
  FFTUNE_CHECK(!heads.empty() || m.adapter == "full",
               "attach_method: --adapter head, but no module matches the modules to save");
  for (const auto& [path, module] : heads) module->set_requires_grad(true);
  return {};
}

}  // namespace

std::vector<std::string> attach_method(nn::Module& model, const Method& m, Generator* gen) {
  return attach(model, m, gen, /*zero_init=*/false);
}

void save_method(nn::Module& model, const Method& m, const std::string& dir) {
  if (adapters::is_registered_adapter(m.adapter))
    return adapters::save_adapter(model, adapter_config(m), dir);
  std::filesystem::create_directories(dir);
  const auto tensors = method_state(model, m);
  FFTUNE_CHECK(!tensors.empty(), "save_method: the model holds nothing to save for ", peft_type(m));
  io::save_safetensors(dir + "/" + kWeightsFile, tensors, {{"format", "pt"}});
  io::write_file_atomically(dir + "/" + kConfigFile, to_json(m));  // last: the folder is complete
}

LoadedMethod load_method(nn::Module& model, const std::string& dir,
                         const nn::hf::ModuleRenames& renames) {
  const std::string config_path = dir + "/" + kConfigFile;
  FFTUNE_CHECK(std::filesystem::exists(config_path), dir, " holds no ", kConfigFile,
               ": it does not describe a trained method (adapter_config.json names the method "
               "and its options; without it the folder cannot be evaluated or loaded)");
  const std::string text = io::read_file(config_path);
  if (adapters::is_adapter_config(text)) {
    const adapters::LoadedAdapter adapter = adapters::load_adapter(model, dir, renames);
    return {method_of(adapter.config), adapter.adapted};
  }
  LoadedMethod loaded{method_from_json(text, config_path), {}};
  // The values come from the file: no random draws for the adapters.
  loaded.adapted = attach(model, loaded.method, nullptr, /*zero_init=*/true);
  const std::string weights_path = dir + "/" + kWeightsFile;
  const io::SafetensorsFile file = io::load_safetensors(weights_path);
  const auto expected = method_state(model, loaded.method);
  adapters::load_state_exactly(expected, file.tensors, "load_method", weights_path,
                               "the method " + config_path + " describes");

  model.set_requires_grad(false);
  return loaded;
}

}  // namespace fftune::examples
