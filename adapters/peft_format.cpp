#include "adapters/peft_format.h"
#include "adapters/state_loading.h"

#include "adapters/registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/file.h"
#include "core/io/safetensors.h"
#include "core/regex.h"

namespace fftune::adapters {

namespace {

using ReadJson = nlohmann::ordered_json;  // keeps the file's key order (pattern dicts)
using WriteJson = nlohmann::json;         // sorted keys, as peft's json.dumps(sort_keys=True)

constexpr const char* kPeftPrefix = "base_model.model.";

// Reads the keys of one config object, remembering which were read, so that whatever is left
// at the end is a key fftune does not know.
class ConfigReader {
 public:
  ConfigReader(const ReadJson& j, std::string source) : j_(j), source_(std::move(source)) {
    FFTUNE_CHECK(j.is_object(), source_, ": the adapter config must be a JSON object");
  }

  bool has(const std::string& key) const { return j_.contains(key); }
  // The value of `key` (null when absent), marked as read.
  const ReadJson& take(const std::string& key) {
    read_.insert(key);
    static const ReadJson kNull = nullptr;
    auto it = j_.find(key);
    return it == j_.end() ? kNull : *it;
  }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    FFTUNE_FAIL(source_, ": \"", key, "\": ", what);
  }
  std::string type_error(const std::string& expected, const ReadJson& v) const {
    return "expected " + expected + ", got " + v.dump();
  }

  bool get_bool(const std::string& key, bool fallback) {
    const ReadJson& v = take(key);
    if (v.is_null()) return fallback;
    if (!v.is_boolean()) fail(key, type_error("true or false", v));
    return v.get<bool>();
  }
  int64_t get_int(const std::string& key, int64_t fallback) {
    const ReadJson& v = take(key);
    if (v.is_null()) return fallback;
    if (!v.is_number_integer()) fail(key, type_error("an integer", v));
    return v.get<int64_t>();
  }
  double get_number(const std::string& key, double fallback) {
    const ReadJson& v = take(key);
    if (v.is_null()) return fallback;
    if (!v.is_number()) fail(key, type_error("a number", v));
    return v.get<double>();
  }
  std::optional<std::string> get_optional_string(const std::string& key) {
    const ReadJson& v = take(key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_string()) fail(key, type_error("a string or null", v));
    return v.get<std::string>();
  }
  std::vector<std::string> get_string_list(const std::string& key) {
    const ReadJson& v = take(key);
    std::vector<std::string> out;
    if (v.is_null()) return out;
    if (!v.is_array()) fail(key, type_error("a list of strings or null", v));
    for (const auto& e : v) {
      if (!e.is_string()) fail(key, type_error("a list of strings", v));
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  // peft's Union[list[str], str]: a list of names or one regex.
  ModulePatterns get_patterns(const std::string& key) {
    const ReadJson& v = take(key);
    if (v.is_string()) return ModulePatterns::full_match(v.get<std::string>());
    read_.erase(key);
    ModulePatterns p = ModulePatterns::list(get_string_list(key));
    return p;
  }
  // peft's Union[list[str], str] for layers_pattern: one string is a list of one.
  std::vector<std::string> get_string_or_list(const std::string& key) {
    const ReadJson& v = take(key);
    if (v.is_string()) return {v.get<std::string>()};
    read_.erase(key);
    return get_string_list(key);
  }
  // peft's Union[list[int], int].
  std::vector<int64_t> get_int_or_list(const std::string& key) {
    const ReadJson& v = take(key);
    if (v.is_null()) return {};
    if (v.is_number_integer()) return {v.get<int64_t>()};
    if (!v.is_array()) fail(key, type_error("an integer, a list of integers or null", v));
    std::vector<int64_t> out;
    for (const auto& e : v) {
      if (!e.is_number_integer()) fail(key, type_error("a list of integers", v));
      out.push_back(e.get<int64_t>());
    }
    return out;
  }
  // A {name pattern: number} dict, in the file's order.
  template <typename T>
  std::vector<std::pair<std::string, T>> get_pattern_dict(const std::string& key, bool integer) {
    const ReadJson& v = take(key);
    std::vector<std::pair<std::string, T>> out;
    if (v.is_null()) return out;
    if (!v.is_object()) fail(key, type_error("an object {name pattern: value}", v));
    for (const auto& [k, e] : v.items()) {
      if (integer ? !e.is_number_integer() : !e.is_number())
        fail(key, "the value of '" + k + "' must be " + (integer ? "an integer" : "a number") +
                      ", got " + e.dump());
      out.emplace_back(k, e.template get<T>());
    }
    return out;
  }

  // Every key of the file must have been read.
  void check_all_read(const std::string& method) const {
    for (const auto& [key, value] : j_.items())
      if (!read_.count(key))
        FFTUNE_FAIL(source_, ": unknown key \"", key, "\" (value ", value.dump(), ") in a ", method,
                    " adapter config; fftune reads the keys peft ", kPeftFormatVersion,
                    " writes and refuses others rather than ignore them");
  }

 private:
  const ReadJson& j_;
  std::string source_;
  std::set<std::string> read_;
};

ReadJson parse_json(const std::string& text, const std::string& source) {
  try {
    return ReadJson::parse(text);
  } catch (const nlohmann::json::exception& e) {
    FFTUNE_FAIL(source, ": not valid JSON: ", e.what());
  }
}

void read_base(ConfigReader& r, PeftConfigBase& c, const std::string& method) {
  c.base_model_name_or_path = r.get_optional_string("base_model_name_or_path");
  c.revision = r.get_optional_string("revision");
  c.task_type = r.get_optional_string("task_type");
  static const std::set<std::string> kTaskTypes = {
      "SEQ_CLS", "SEQ_2_SEQ_LM", "CAUSAL_LM", "TOKEN_CLS", "QUESTION_ANS", "FEATURE_EXTRACTION"};
  if (c.task_type && !kTaskTypes.count(*c.task_type))
    r.fail("task_type", "unknown peft task type '" + *c.task_type + "'");
  c.inference_mode = r.get_bool("inference_mode", false);
  // The peft version that wrote the file: informational (fftune writes its own).
  r.get_optional_string("peft_version");
  // peft writes {"base_model_class": ..., "parent_library": ...} when task_type is unset: which
  // Python class to rebuild the base model with. A transformers class is informational here
  // (the caller supplies the model); a custom one cannot be honoured.
  const ReadJson& auto_mapping = r.take("auto_mapping");
  if (!auto_mapping.is_null()) {
    const bool transformers_class =
        auto_mapping.is_object() && auto_mapping.contains("parent_library") &&
        auto_mapping["parent_library"].is_string() &&
        auto_mapping["parent_library"].get<std::string>().starts_with("transformers.");
    if (!transformers_class)
      r.fail("auto_mapping",
             "names a custom (non-transformers) Python base model class, which fftune cannot "
             "load: " +
                 auto_mapping.dump());
  }
  c.target_modules = r.get_patterns("target_modules");
  if (c.target_modules.empty())
    r.fail("target_modules",
           "must name the layers to adapt (peft's per-model default lists are not supported)");
  c.exclude_modules = r.get_patterns("exclude_modules");
  // A regex that does not compile, or is over a limit of core/regex.h, stops here, before any
  // model is touched.
  for (const auto& [key, patterns] : {std::pair{"target_modules", &c.target_modules},
                                      std::pair{"exclude_modules", &c.exclude_modules}}) {
    try {
      if (patterns->regex) Regex(*patterns->regex, key);
    } catch (const Error& e) {
      r.fail(key, e.what());
    }
  }
  c.bias = r.get_optional_string("bias").value_or("none");
  if (c.bias != "none")
    r.fail("bias", "'" + c.bias + "' is not supported: fftune's " + method +
                       " adapters train no biases (only \"none\")");
  c.fan_in_fan_out = r.get_bool("fan_in_fan_out", false);
  if (c.fan_in_fan_out)
    r.fail("fan_in_fan_out",
           "true is not supported: it is for GPT-2 style Conv1D layers that store (in, out); "
           "fftune's Linear stores (out, in)");
  c.modules_to_save = r.get_string_list("modules_to_save");
  c.layers_to_transform = r.get_int_or_list("layers_to_transform");
  c.layers_pattern = r.get_string_or_list("layers_pattern");
  if (c.target_modules.regex && !c.layers_to_transform.empty())
    r.fail("layers_to_transform", "cannot be used when target_modules is a regex (as in peft)");
  if (!c.layers_pattern.empty() && c.layers_to_transform.empty())
    r.fail("layers_pattern", "needs layers_to_transform (as in peft)");
}

WriteJson patterns_json(const ModulePatterns& p) {
  if (p.regex) return *p.regex;
  if (p.names.empty()) return nullptr;
  return p.names;
}

template <typename T>
WriteJson list_or_null(const std::vector<T>& v) {
  return v.empty() ? WriteJson(nullptr) : WriteJson(v);
}

WriteJson optional_json(const std::optional<std::string>& s) {
  return s ? WriteJson(*s) : WriteJson(nullptr);
}

void write_base(WriteJson& j, const PeftConfigBase& c, const std::string& peft_type) {
  j["auto_mapping"] = nullptr;
  j["base_model_name_or_path"] = optional_json(c.base_model_name_or_path);
  j["bias"] = c.bias;
  j["exclude_modules"] = patterns_json(c.exclude_modules);
  j["fan_in_fan_out"] = c.fan_in_fan_out;
  j["inference_mode"] = c.inference_mode;
  j["layers_pattern"] = list_or_null(c.layers_pattern);
  j["layers_to_transform"] = list_or_null(c.layers_to_transform);
  j["modules_to_save"] = list_or_null(c.effective_modules_to_save());
  j["peft_type"] = peft_type;
  j["peft_version"] = kPeftFormatVersion;
  j["revision"] = optional_json(c.revision);
  j["target_modules"] = patterns_json(c.target_modules);
  j["task_type"] = optional_json(c.task_type);
}

std::vector<std::string> task_head_modules(const std::optional<std::string>& task_type) {
  if (task_type == "SEQ_CLS" || task_type == "TOKEN_CLS") return {"classifier", "score"};
  if (task_type == "QUESTION_ANS") return {"qa_outputs"};
  return {};
}

// peft's name for an adapter parameter: the adapter's own parameter name, with ".weight" for
// the nn.Linear factors of LoRA.
std::string peft_parameter_name(const std::string& param) {
  if (param == "lora_A" || param == "lora_B") return param + ".weight";
  return param;
}

std::string read_peft_type(const ReadJson& j, const std::string& source) {
  FFTUNE_CHECK(j.is_object() && j.contains("peft_type") && j["peft_type"].is_string(), source,
               ": \"peft_type\" is missing or not a string");
  return j["peft_type"].get<std::string>();
}

// Whether an adapter file names its modules as transformers does in memory (Note [in-memory
// module names]): some key lies under a module path that exists only after `renames`.
bool uses_in_memory_names(nn::Module& model, const std::map<std::string, Tensor>& tensors,
                          const nn::hf::ModuleRenames& renames) {
  if (renames.empty()) return false;
  std::set<std::string> own, renamed_only;
  for (const auto& [path, m] : model.named_modules()) own.insert(path);
  for (const std::string& path : own) {
    std::string renamed = nn::hf::in_memory_name(path, renames);
    if (!own.count(renamed)) renamed_only.insert(std::move(renamed));
  }
  const std::string prefix = kPeftPrefix;
  for (const auto& [key, t] : tensors) {
    if (key.rfind(prefix, 0) != 0) continue;
    const std::string path = key.substr(prefix.size());
    for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1))
      if (renamed_only.count(path.substr(0, dot))) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> PeftConfigBase::effective_modules_to_save() const {
  std::vector<std::string> out = modules_to_save;
  for (const std::string& m : task_head_modules(task_type))
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  return out;
}

InjectOptions PeftConfigBase::inject_options() const {
  InjectOptions o;
  o.target_modules = target_modules;
  o.exclude_modules = exclude_modules;
  o.layers_to_transform = layers_to_transform;
  o.layers_pattern = layers_pattern;
  o.modules_to_save = effective_modules_to_save();
  // The task heads peft adds may be absent (a model has "classifier" or "score", not both). A
  // file peft wrote lists them with the user's entries, so they are optional even when listed.
  o.optional_modules_to_save = task_head_modules(task_type);
  o.module_renames = module_renames;
  return o;
}

fourierft::FourierFTOptions FourierFTConfig::layer_options() const {
  fourierft::FourierFTOptions o;
  o.n_frequency = n_frequency;
  o.scaling = scaling;
  o.random_loc_seed = random_loc_seed;
  o.init_weights = init_weights;
  return o;
}

FourierFTConfig parse_fourierft_config(const std::string& json_text, const std::string& source) {
  const ReadJson j = parse_json(json_text, source);
  ConfigReader r(j, source);
  const ReadJson& type = r.take("peft_type");
  if (type != "FOURIERFT") r.fail("peft_type", "expected \"FOURIERFT\", got " + type.dump());
  FourierFTConfig c;
  read_base(r, c, "FourierFT");
  c.n_frequency = r.get_int("n_frequency", c.n_frequency);
  if (c.n_frequency <= 0) r.fail("n_frequency", "must be positive");
  c.scaling = r.get_number("scaling", c.scaling);
  if (r.take("random_loc_seed").is_null() && r.has("random_loc_seed"))
    r.fail("random_loc_seed", "must be an integer (peft seeds torch.Generator with it)");
  const int64_t seed = r.get_int("random_loc_seed", static_cast<int64_t>(c.random_loc_seed));
  if (seed < 0) r.fail("random_loc_seed", "must not be negative");
  c.random_loc_seed = static_cast<uint64_t>(seed);
  c.n_frequency_pattern = r.get_pattern_dict<int64_t>("n_frequency_pattern", true);
  for (const auto& [k, n] : c.n_frequency_pattern)
    if (n <= 0) r.fail("n_frequency_pattern", "the value of '" + k + "' must be positive");
  c.init_weights = r.get_bool("init_weights", false);
  r.check_all_read("FOURIERFT");
  return c;
}

std::string to_json(const FourierFTConfig& c) {
  WriteJson j;
  write_base(j, c, "FOURIERFT");
  j["n_frequency"] = c.n_frequency;
  j["scaling"] = c.scaling;
  j["random_loc_seed"] = c.random_loc_seed;
  WriteJson pattern = WriteJson::object();
  for (const auto& [k, n] : c.n_frequency_pattern) pattern[k] = n;
  j["n_frequency_pattern"] = pattern;
  j["init_weights"] = c.init_weights;
  return j.dump(2);
}

LoRAOptions LoRAConfig::layer_options(const std::string& name) const {
  LoRAOptions o;
  o.r = static_cast<int64_t>(lora_pattern_value(
      [&] {
        std::vector<std::pair<std::string, double>> p;
        for (const auto& [k, v] : rank_pattern) p.emplace_back(k, static_cast<double>(v));
        return p;
      }(),
      name, static_cast<double>(r)));
  o.lora_alpha = lora_pattern_value(alpha_pattern, name, lora_alpha);
  o.lora_dropout = lora_dropout;
  o.init_lora_weights = init_lora_weights;
  o.use_rslora = use_rslora;
  return o;
}

// LoRAConfig keys of LoRA variants fftune does not implement, with the value that means "off"
// (what peft 0.21.2 writes by default).
const std::vector<std::pair<const char*, WriteJson>>& lora_variant_keys() {
  static const std::vector<std::pair<const char*, WriteJson>> kKeys = {
      {"alora_invocation_tokens", nullptr},
      {"arrow_config", nullptr},
      {"corda_config", nullptr},
      {"ensure_weight_tying", false},
      {"eva_config", nullptr},
      {"kasa_config", nullptr},
      {"layer_replication", nullptr},
      {"loftq_config", WriteJson::object()},
      {"lora_bias", false},
      {"lora_ga_config", nullptr},
      {"megatron_config", nullptr},
      {"monteclora_config", nullptr},
      {"target_parameters", nullptr},
      {"trainable_token_indices", nullptr},
      {"use_bdlora", nullptr},
      {"use_dora", false},
      {"use_qalora", false},
      {"velora_config", nullptr}};
  return kKeys;
}

LoRAConfig parse_lora_config(const std::string& json_text, const std::string& source) {
  const ReadJson j = parse_json(json_text, source);
  ConfigReader r(j, source);
  const ReadJson& type = r.take("peft_type");
  if (type != "LORA") r.fail("peft_type", "expected \"LORA\", got " + type.dump());
  LoRAConfig c;
  read_base(r, c, "LoRA");
  c.r = r.get_int("r", c.r);
  if (c.r <= 0) r.fail("r", "must be positive");
  c.lora_alpha = r.get_number("lora_alpha", c.lora_alpha);
  c.lora_dropout = r.get_number("lora_dropout", c.lora_dropout);
  if (!(c.lora_dropout >= 0.0 && c.lora_dropout < 1.0)) r.fail("lora_dropout", "must be in [0, 1)");
  const ReadJson& init = r.take("init_lora_weights");
  if (!init.is_null() && !init.is_boolean())
    r.fail("init_lora_weights",
           init.dump() + " is not supported (fftune implements true and false)");
  c.init_lora_weights = init.is_null() ? true : init.get<bool>();
  c.use_rslora = r.get_bool("use_rslora", false);
  c.rank_pattern = r.get_pattern_dict<int64_t>("rank_pattern", true);
  for (const auto& [k, v] : c.rank_pattern)
    if (v <= 0) r.fail("rank_pattern", "the value of '" + k + "' must be positive");
  c.alpha_pattern = r.get_pattern_dict<double>("alpha_pattern", false);
  for (const auto& [key, off] : lora_variant_keys()) {
    const ReadJson& v = r.take(key);
    const bool is_off = v.is_null() || v.dump() == off.dump() ||
                        (std::string(key) == "target_parameters" && v == ReadJson::array());
    if (!is_off)
      r.fail(key, v.dump() +
                      " is not supported: fftune implements plain LoRA and rsLoRA (this "
                      "key must be " +
                      off.dump() + ")");
  }
  // Settings of the variants above, meaningful only when those are on.
  r.get_int("qalora_group_size", 16);
  r.get_optional_string("megatron_core");
  r.check_all_read("LORA");
  return c;
}

std::string to_json(const LoRAConfig& c) {
  WriteJson j;
  write_base(j, c, "LORA");
  j["r"] = c.r;
  j["lora_alpha"] = c.lora_alpha;
  j["lora_dropout"] = c.lora_dropout;
  j["init_lora_weights"] = c.init_lora_weights;
  j["use_rslora"] = c.use_rslora;
  WriteJson rank = WriteJson::object(), alpha = WriteJson::object();
  for (const auto& [k, v] : c.rank_pattern) rank[k] = v;
  for (const auto& [k, v] : c.alpha_pattern) alpha[k] = v;
  j["rank_pattern"] = rank;
  j["alpha_pattern"] = alpha;
  for (const auto& [key, off] : lora_variant_keys()) j[key] = off;
  j["qalora_group_size"] = 16;
  j["megatron_core"] = "megatron.core";
  return j.dump(2);
}

PeftAdapterConfig parse_peft_config(const std::string& json_text, const std::string& source) {
  const std::string type = read_peft_type(parse_json(json_text, source), source);
  if (type == "FOURIERFT") return parse_fourierft_config(json_text, source);
  if (type == "LORA") return parse_lora_config(json_text, source);
  FFTUNE_FAIL(source, ": \"peft_type\": \"", type,
              "\" is not supported (fftune reads FOURIERFT and LORA adapters)");
}

std::string to_json(const PeftAdapterConfig& config) {
  return std::visit([](const auto& c) { return to_json(c); }, config);
}

std::string peft_type(const PeftAdapterConfig& config) {
  return std::holds_alternative<FourierFTConfig>(config) ? "FOURIERFT" : "LORA";
}

const PeftConfigBase& base_config(const PeftAdapterConfig& config) {
  return std::visit([](const auto& c) -> const PeftConfigBase& { return c; }, config);
}

std::vector<std::string> inject_lora(nn::Module& model, const LoRAConfig& config, Generator* gen) {
  return inject_adapters(
      model, config.inject_options(), [&](const std::string& name, const nn::Linear& layer) {
        return std::make_shared<LoRALinear>(layer.out_features(), layer.in_features(),
                                            config.layer_options(name), gen, layer.weight().dtype(),
                                            layer.weight().device());
      });
}

std::vector<std::string> inject_fourierft(nn::Module& model, const FourierFTConfig& config,
                                          Generator* gen) {
  return inject_fourierft(model, config.inject_options(), config.layer_options(),
                          config.n_frequency_pattern, gen);
}

std::vector<std::pair<std::string, Tensor>> peft_state_dict(
    nn::Module& model, const std::vector<std::string>& modules_to_save_names,
    const nn::hf::ModuleRenames& renames) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [path, module] : model.named_modules()) {
    auto* linear = dynamic_cast<nn::Linear*>(module);
    if (linear == nullptr || linear->adapter() == nullptr) continue;
    for (const auto& [param, t] : linear->adapter()->named_parameters())
      out.emplace_back(
          kPeftPrefix + nn::hf::in_memory_name(path, renames) + "." + peft_parameter_name(param),
          t);
  }
  for (const auto& [path, module] : modules_to_save(model, modules_to_save_names, renames))
    for (const auto& [param, t] : module->named_parameters())
      out.emplace_back(kPeftPrefix + nn::hf::in_memory_name(path, renames) + "." + param, t);
  return out;
}

void save_peft_adapter(nn::Module& model, const std::string& dir, const PeftAdapterConfig& config) {
  std::filesystem::create_directories(dir);
  const PeftConfigBase& base = base_config(config);
  const auto tensors =
      peft_state_dict(model, base.effective_modules_to_save(), base.module_renames);
  FFTUNE_CHECK(!tensors.empty(), "save_peft_adapter: the model has no adapters to save");
  io::save_safetensors(dir + "/adapter_model.safetensors", tensors, {{"format", "pt"}});
  io::write_file_atomically(dir + "/adapter_config.json", to_json(config));
}

LoadedPeftAdapter load_peft_adapter(nn::Module& model, const std::string& dir, bool is_trainable,
                                    const nn::hf::ModuleRenames& renames) {
  const std::string config_path = dir + "/adapter_config.json";
  const std::string text = io::read_file(config_path);
  LoadedPeftAdapter loaded{parse_peft_config(text, config_path), {}};
  const std::string weights_path = dir + "/adapter_model.safetensors";
  const io::SafetensorsFile file = io::load_safetensors(weights_path);
  if (uses_in_memory_names(model, file.tensors, renames))
    std::visit([&](auto& c) { c.module_renames = renames; }, loaded.config);
  // The values come from the file (FourierFT then skips its random draws).
  PeftAdapterConfig init = loaded.config;
  if (auto* f = std::get_if<FourierFTConfig>(&init)) f->init_weights = true;
  if (auto* l = std::get_if<LoRAConfig>(&init)) l->init_lora_weights = true;
  try {
    if (const auto* f = std::get_if<FourierFTConfig>(&init))
      loaded.adapted = inject_fourierft(model, *f);
    else
      loaded.adapted = inject_lora(model, std::get<LoRAConfig>(init));
  } catch (const Error& e) {
    FFTUNE_FAIL("load_peft_adapter: ", config_path, ": ", e.what());
  }

  const PeftConfigBase& base = base_config(loaded.config);
  const auto expected =
      peft_state_dict(model, base.effective_modules_to_save(), base.module_renames);
  load_state_exactly(expected, file.tensors, "load_peft_adapter", weights_path,
                     "the adapter described by adapter_config.json");

  if (!is_trainable) model.set_requires_grad(false);
  return loaded;
}

// ---- the registry's entries for the adapters peft has (adapters/registry.h) ----

namespace {

fourierft::FourierFTOptions fourierft_options(const AdapterOptions& o) {
  fourierft::FourierFTOptions layer;
  layer.n_frequency = o.at("n_frequency").get<int64_t>();
  layer.scaling = o.at("scaling").get<double>();
  layer.random_loc_seed = o.at("random_loc_seed").get<uint64_t>();
  const nlohmann::json& bias = o.at("frequency_bias");
  if (!bias.is_null())
    layer.frequency_bias = fourierft::FrequencyBias{bias[0].get<double>(), bias[1].get<double>()};
  return layer;
}

}  // namespace

AdapterSpec fourierft_adapter_spec() {
  AdapterSpec spec;
  spec.name = "fourierft";
  spec.title = "FourierFT";
  spec.peft_type = "FFTUNE_FOURIERFT";  // with frequency-biased entries, which peft lacks
  using Type = AdapterOption::Type;
  spec.options = {{"n_frequency", "n", Type::kInteger, 1000, "spectral coefficients per layer"},
                  {"scaling", "alpha", Type::kNumber, 150.0, "the scaling α of ΔW = α·Re(IDFT2)"},
                  {"random_loc_seed", "random-loc-seed", Type::kInteger, 777,
                   "seed of the spectral entries (peft's)"},
                  {"frequency_bias", "freq-bias", Type::kNumberPair, nullptr,
                   "FC,W: frequency-biased entries (off: uniform, as peft)"}};
  spec.learning_rate = 5e-2;  // the paper's RoBERTa-base setting (Table 8)
  spec.make_linear = [](const AdapterOptions& o, const nn::Linear& layer, Generator* gen,
                        bool zero_init) {
    fourierft::FourierFTOptions options = fourierft_options(o);
    options.init_weights = zero_init;
    return std::make_shared<fourierft::FourierFTLinear>(layer.out_features(), layer.in_features(),
                                                        options, gen, layer.weight().dtype(),
                                                        layer.weight().device());
  };
  PeftFileFormat format;
  format.peft_type = "FOURIERFT";
  format.holds = [](const AdapterOptions& o) {
    return o.value("frequency_bias", nlohmann::json()).is_null();
  };
  format.to_peft = [](const AdapterConfig& c) -> PeftAdapterConfig {
    FourierFTConfig config;
    static_cast<PeftConfigBase&>(config) = c.targets;
    const fourierft::FourierFTOptions o =
        fourierft_options(complete_options(find_adapter("fourierft"), c.options, "fourierft"));
    config.n_frequency = o.n_frequency;
    config.scaling = o.scaling;
    config.random_loc_seed = o.random_loc_seed;
    return config;
  };
  format.from_peft = [](const PeftAdapterConfig& peft) {
    const auto& f = std::get<FourierFTConfig>(peft);
    AdapterConfig c;
    c.adapter = "fourierft";
    c.targets = f;
    c.options = {{"n_frequency", f.n_frequency},
                 {"scaling", f.scaling},
                 {"random_loc_seed", f.random_loc_seed},
                 {"frequency_bias", nullptr}};
    return c;
  };
  format.extension_title = "FourierFT-fb";
  spec.peft_format = format;
  return spec;
}

AdapterSpec lora_adapter_spec() {
  AdapterSpec spec;
  spec.name = "lora";
  spec.title = "LoRA";
  spec.peft_type = "LORA";
  using Type = AdapterOption::Type;
  spec.options = {{"r", "rank", Type::kInteger, 8, "LoRA's rank r"},
                  {"lora_alpha", "alpha", Type::kNumber, 16.0, "LoRA's α (ΔW = α/r·B·A)"}};
  spec.learning_rate = 5e-4;  // the LoRA paper's RoBERTa-base setting
  spec.make_linear = [](const AdapterOptions& o, const nn::Linear& layer, Generator* gen, bool) {
    LoRAOptions options;  // B = 0: ΔW starts at zero either way
    options.r = o.at("r").get<int64_t>();
    options.lora_alpha = o.at("lora_alpha").get<double>();
    return std::make_shared<LoRALinear>(layer.out_features(), layer.in_features(), options, gen,
                                        layer.weight().dtype(), layer.weight().device());
  };
  PeftFileFormat format;
  format.peft_type = "LORA";
  format.to_peft = [](const AdapterConfig& c) -> PeftAdapterConfig {
    const AdapterOptions o = complete_options(find_adapter("lora"), c.options, "lora");
    LoRAConfig config;
    static_cast<PeftConfigBase&>(config) = c.targets;
    config.r = o.at("r").get<int64_t>();
    config.lora_alpha = o.at("lora_alpha").get<double>();
    return config;
  };
  format.from_peft = [](const PeftAdapterConfig& peft) {
    const auto& l = std::get<LoRAConfig>(peft);
    AdapterConfig c;
    c.adapter = "lora";
    c.targets = l;
    c.options = {{"r", l.r}, {"lora_alpha", l.lora_alpha}};
    return c;
  };
  spec.peft_format = format;
  return spec;
}

}  // namespace fftune::adapters
