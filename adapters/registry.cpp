#include "adapters/registry.h"
#include "adapters/state_loading.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "adapters/key_reader.h"
#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/file.h"
#include "core/io/safetensors.h"

namespace fftune::adapters {

using nlohmann::json;

namespace {

constexpr const char* kConfigFile = "adapter_config.json";
constexpr const char* kWeightsFile = "adapter_model.safetensors";

// fftune's own adapters, one line each. They are listed here rather than registered by static
// objects in their own files, which a link against the static library would drop.
std::vector<AdapterSpec> builtin_adapters() {
  return {fourierft_adapter_spec(), lora_adapter_spec(), hartley_adapter_spec()};
}

using Entries = std::vector<std::unique_ptr<AdapterSpec>>;  // stable addresses

void check_spec(const AdapterSpec& spec, const Entries& others);

Entries& entries() {
  static Entries registered = [] {
    Entries specs;
    for (AdapterSpec& spec : builtin_adapters()) {
      check_spec(spec, specs);
      specs.push_back(std::make_unique<AdapterSpec>(std::move(spec)));
    }
    return specs;
  }();
  return registered;
}

std::string type_name(AdapterOption::Type type) {
  switch (type) {
    case AdapterOption::Type::kInteger:
      return "an integer";
    case AdapterOption::Type::kNumber:
      return "a number";
    case AdapterOption::Type::kNumberPair:
      return "null or a pair of numbers [a, b]";
  }
  return "?";
}

bool has_type(const json& v, AdapterOption::Type type) {
  switch (type) {
    case AdapterOption::Type::kInteger:
      return v.is_number_integer();
    case AdapterOption::Type::kNumber:
      return v.is_number();
    case AdapterOption::Type::kNumberPair:
      return v.is_null() || (v.is_array() && v.size() == 2 && v[0].is_number() && v[1].is_number());
  }
  return false;
}

void check_spec(const AdapterSpec& spec, const Entries& others) {
  FFTUNE_CHECK(!spec.name.empty(), "register_adapter: the adapter needs a name");
  FFTUNE_CHECK(spec.make_linear != nullptr, "register_adapter: '", spec.name,
               "' has no nn::Linear factory (make_linear)");
  FFTUNE_CHECK(spec.peft_type.starts_with("FFTUNE_") || spec.peft_format, "register_adapter: '",
               spec.name, "': its own peft_type must start with FFTUNE_ (",
               "so that peft refuses the file), got '", spec.peft_type, "'");
  std::set<std::string> keys;
  for (const AdapterOption& o : spec.options) {
    FFTUNE_CHECK(keys.insert(o.key).second, "register_adapter: '", spec.name, "' declares \"",
                 o.key, "\" twice");
    FFTUNE_CHECK(has_type(o.default_value, o.type), "register_adapter: '", spec.name,
                 "': the default of \"", o.key, "\" must be ", type_name(o.type), ", got ",
                 o.default_value.dump());
  }
  for (const auto& entry : others) {
    const AdapterSpec& other = *entry;
    FFTUNE_CHECK(other.name != spec.name, "register_adapter: '", spec.name,
                 "' is registered already");
    FFTUNE_CHECK(other.peft_type != spec.peft_type, "register_adapter: '", spec.name,
                 "': peft_type ", spec.peft_type, " belongs to '", other.name, "'");
    for (const AdapterOption& o : spec.options)
      for (const AdapterOption& p : other.options)
        FFTUNE_CHECK(o.flag != p.flag || o.type == p.type, "register_adapter: '", spec.name,
                     "': --", o.flag, " is ", type_name(o.type), ", but '", other.name,
                     "' declares it as ", type_name(p.type));
  }
}

// A registered adapter writing `peft_type` (its own, or peft's format), or null.
const AdapterSpec* find_by_peft_type(const std::string& peft_type) {
  for (const auto& spec : entries())
    if (spec->peft_type == peft_type ||
        (spec->peft_format && spec->peft_format->peft_type == peft_type))
      return spec.get();
  return nullptr;
}

std::string registered_names() {
  std::string names;
  for (const auto& spec : entries()) names += (names.empty() ? "" : ", ") + spec->name;
  return names;
}

bool in_peft_format(const AdapterSpec& spec, const AdapterConfig& config) {
  return spec.peft_format && spec.peft_format->holds(config.options);
}

}  // namespace

void register_adapter(AdapterSpec spec) {
  check_spec(spec, entries());
  entries().push_back(std::make_unique<AdapterSpec>(std::move(spec)));
}

void unregister_adapter(const std::string& name) {
  auto& specs = entries();
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const auto& spec) { return spec->name == name; });
  FFTUNE_CHECK(it != specs.end(), "unregister_adapter: no adapter '", name, "'");
  specs.erase(it);
}

std::vector<const AdapterSpec*> registered_adapters() {
  std::vector<const AdapterSpec*> out;
  for (const auto& spec : entries()) out.push_back(spec.get());
  return out;
}

const AdapterSpec& find_adapter(const std::string& name) {
  for (const auto& spec : entries())
    if (spec->name == name) return *spec;
  FFTUNE_FAIL("unknown adapter '", name, "' (registered: ", registered_names(), ")");
}

bool is_registered_adapter(const std::string& name) {
  return std::any_of(entries().begin(), entries().end(),
                     [&](const auto& spec) { return spec->name == name; });
}

AdapterOptions complete_options(const AdapterSpec& spec, const AdapterOptions& given,
                                const std::string& source) {
  FFTUNE_CHECK(given.is_object() || given.is_null(), source, ": the options of '", spec.name,
               "' must be a JSON object, got ", given.dump());
  AdapterOptions out = json::object();
  for (const AdapterOption& o : spec.options) out[o.key] = o.default_value;
  if (given.is_null()) return out;
  for (const auto& [key, value] : given.items()) {
    auto it = std::find_if(spec.options.begin(), spec.options.end(),
                           [&key = key](const AdapterOption& o) { return o.key == key; });
    FFTUNE_CHECK(it != spec.options.end(), source, ": '", spec.name, "' has no option \"", key,
                 "\"");
    FFTUNE_CHECK(has_type(value, it->type), source, ": \"", key, "\" of '", spec.name, "' must be ",
                 type_name(it->type), ", got ", value.dump());
    out[key] = value;
  }
  return out;
}

std::vector<std::string> option_differences(const AdapterSpec& spec, const AdapterOptions& a,
                                            const AdapterOptions& b) {
  std::vector<std::string> out;
  for (const AdapterOption& o : spec.options)
    if ((a.contains(o.key) ? a[o.key] : json()) != (b.contains(o.key) ? b[o.key] : json()))
      out.push_back(o.key);
  return out;
}

std::string adapter_title(const AdapterConfig& config) {
  const AdapterSpec& spec = find_adapter(config.adapter);
  return spec.peft_format && !in_peft_format(spec, config) ? spec.peft_format->extension_title
                                                           : spec.title;
}

std::string peft_type_of(const AdapterConfig& config) {
  const AdapterSpec& spec = find_adapter(config.adapter);
  return in_peft_format(spec, config) ? spec.peft_format->peft_type : spec.peft_type;
}

std::string to_json(const AdapterConfig& config) {
  const AdapterSpec& spec = find_adapter(config.adapter);
  if (in_peft_format(spec, config)) return to_json(spec.peft_format->to_peft(config));
  const PeftConfigBase& t = config.targets;
  FFTUNE_CHECK(!t.target_modules.regex && t.exclude_modules.empty() &&
                   t.layers_to_transform.empty() && t.layers_pattern.empty(),
               "adapter config of '", spec.name, "': ", spec.peft_type,
               " files name their target modules as a list (no regex, exclusions or layer "
               "selection)");
  json j;
  j["peft_type"] = spec.peft_type;
  j["task_type"] = t.task_type ? json(*t.task_type) : json(nullptr);
  j["modules_to_save"] = t.effective_modules_to_save();
  j["target_modules"] = t.target_modules.names;
  const AdapterOptions options = complete_options(spec, config.options, spec.name);
  for (const AdapterOption& o : spec.options) j[o.key] = options[o.key];
  return j.dump(2) + "\n";
}

bool is_adapter_config(const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("peft_type") && j["peft_type"].is_string() &&
         find_by_peft_type(j["peft_type"].get<std::string>()) != nullptr;
}

AdapterConfig adapter_config_from_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    FFTUNE_FAIL(source, ": not valid JSON: ", e.what());
  }
  FFTUNE_CHECK(j.is_object() && j.contains("peft_type") && j["peft_type"].is_string(), source,
               ": \"peft_type\" is missing or not a string");
  const std::string type = j["peft_type"].get<std::string>();
  const AdapterSpec* spec = find_by_peft_type(type);
  FFTUNE_CHECK(spec != nullptr, source, ": no registered adapter writes peft_type '", type,
               "' (registered: ", registered_names(), ")");
  if (spec->peft_format && spec->peft_format->peft_type == type)
    return spec->peft_format->from_peft(parse_peft_config(text, source));
  KeyReader r(j, source);
  r.take("peft_type");
  AdapterConfig config;
  config.adapter = spec->name;
  const json& task_type = r.take("task_type");
  FFTUNE_CHECK(task_type.is_null() || task_type.is_string(), source,
               ": \"task_type\" must be a string or null");
  if (task_type.is_string()) config.targets.task_type = task_type.get<std::string>();
  config.targets.modules_to_save = r.strings("modules_to_save");
  config.targets.target_modules = ModulePatterns::list(r.strings("target_modules"));
  AdapterOptions given = json::object();
  for (const AdapterOption& o : spec->options) given[o.key] = r.take(o.key);
  r.check_all_taken();
  config.options = complete_options(*spec, given, source);
  return config;
}

std::vector<std::string> attach_adapter(nn::Module& model, const AdapterConfig& config,
                                        Generator* gen, bool zero_init) {
  const AdapterSpec& spec = find_adapter(config.adapter);
  const AdapterOptions options = complete_options(spec, config.options, "attach_adapter");
  return inject_adapters(model, config.targets.inject_options(),
                         [&](const std::string&, const nn::Linear& layer) {
                           return spec.make_linear(options, layer, gen, zero_init);
                         });
}

void save_adapter(nn::Module& model, const AdapterConfig& config, const std::string& dir) {
  const AdapterSpec& spec = find_adapter(config.adapter);
  if (in_peft_format(spec, config))
    return save_peft_adapter(model, dir, spec.peft_format->to_peft(config));
  const std::string text = to_json(config);  // checks the config before anything is written
  std::filesystem::create_directories(dir);
  const auto tensors = peft_state_dict(model, config.targets.effective_modules_to_save());
  FFTUNE_CHECK(!tensors.empty(), "save_adapter: the model holds no '", spec.name,
               "' adapter to save");
  io::save_safetensors(dir + "/" + kWeightsFile, tensors, {{"format", "pt"}});
  io::write_file_atomically(dir + "/" + kConfigFile, text);  // last: the folder is complete
}

LoadedAdapter load_adapter(nn::Module& model, const std::string& dir,
                           const nn::hf::ModuleRenames& renames) {
  const std::string config_path = dir + "/" + kConfigFile;
  FFTUNE_CHECK(std::filesystem::exists(config_path), dir, " holds no ", kConfigFile);
  LoadedAdapter loaded{adapter_config_from_json(io::read_file(config_path), config_path), {}};
  const AdapterSpec& spec = find_adapter(loaded.config.adapter);
  if (in_peft_format(spec, loaded.config)) {
    const LoadedPeftAdapter peft = load_peft_adapter(model, dir, false, renames);
    loaded.config = spec.peft_format->from_peft(peft.config);
    loaded.adapted = peft.adapted;
    return loaded;
  }
  // The values come from the file: no random draws for the adapters.
  loaded.adapted = attach_adapter(model, loaded.config, nullptr, /*zero_init=*/true);
  const std::string weights_path = dir + "/" + kWeightsFile;
  const io::SafetensorsFile file = io::load_safetensors(weights_path);
  const auto expected = peft_state_dict(model, loaded.config.targets.effective_modules_to_save());
  load_state_exactly(expected, file.tensors, "load_adapter", weights_path,
                     "the adapter " + config_path + " describes");

  model.set_requires_grad(false);
  return loaded;
}

}  // namespace fftune::adapters
