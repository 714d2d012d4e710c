#include "method.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/hartley_adapter.h"
#include "adapters/inject.h"
#include "adapters/peft_format.h"
#include "core/autograd/grad_mode.h"
#include "core/error.h"
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

adapters::FourierFTConfig fourierft_config(const Method& m) {
  adapters::FourierFTConfig c;
  static_cast<adapters::PeftConfigBase&>(c) = peft_base(m);
  c.n_frequency = m.n_frequency;
  c.scaling = m.scaling;
  c.random_loc_seed = m.random_loc_seed;
  return c;
}

adapters::LoRAConfig lora_config(const Method& m) {
  adapters::LoRAConfig c;
  static_cast<adapters::PeftConfigBase&>(c) = peft_base(m);
  c.r = m.r;
  c.lora_alpha = m.lora_alpha;
  return c;
}

// peft's format holds this method exactly.
bool is_peft_method(const Method& m) {
  return m.adapter == "lora" || (m.adapter == "fourierft" && !m.frequency_bias);
}

// The Method a peft config describes (its per-layer patterns aside).
Method method_of(const adapters::PeftAdapterConfig& config) {
  const adapters::PeftConfigBase& base = adapters::base_config(config);
  Method m;
  m.target_modules = base.target_modules.names;
  if (base.target_modules.regex) m.target_modules = {*base.target_modules.regex};
  m.modules_to_save = base.modules_to_save;
  m.task_type = base.task_type;
  if (const auto* f = std::get_if<adapters::FourierFTConfig>(&config)) {
    m.adapter = "fourierft";
    m.n_frequency = f->n_frequency;
    m.scaling = f->scaling;
    m.random_loc_seed = f->random_loc_seed;
  } else {
    const auto& l = std::get<adapters::LoRAConfig>(config);
    m.adapter = "lora";
    m.r = l.r;
    m.lora_alpha = l.lora_alpha;
  }
  return m;
}

// Reads the keys of one FFTUNE_* config; every key must be read exactly once, so that an
// unknown one is an error.
class KeyReader {
 public:
  KeyReader(const json& j, std::string source) : j_(j), source_(std::move(source)) {}
  const json& take(const std::string& key) {
    FFTUNE_CHECK(j_.contains(key), source_, ": \"", key, "\" is missing (peft_type ",
                 j_.at("peft_type").get<std::string>(), ")");
    taken_.insert(key);
    return j_.at(key);
  }
  template <typename T>
  T get(const std::string& key) {
    const json& v = take(key);
    try {
      return v.get<T>();
    } catch (const json::exception&) {
      FFTUNE_CHECK(false, source_, ": \"", key, "\" has the wrong type: ", v.dump());
      return T{};
    }
  }
  void check_all_taken() const {
    for (const auto& [key, value] : j_.items())
      FFTUNE_CHECK(taken_.count(key) == 1, source_, ": unknown key \"", key, "\" for peft_type ",
                   j_.at("peft_type").get<std::string>(), " (fftune would drop its setting)");
  }

 private:
  const json& j_;
  std::string source_;
  std::set<std::string> taken_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FFTUNE_CHECK(in.good(), "cannot read ", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    FFTUNE_CHECK(out.good(), "cannot write ", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  FFTUNE_CHECK(!ec, "cannot rename ", tmp, " to ", path, ": ", ec.message());
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

std::string peft_type(const Method& m) {
  if (is_peft_method(m)) return m.adapter == "lora" ? "LORA" : "FOURIERFT";
  if (m.adapter == "fourierft") return "FFTUNE_FOURIERFT";
  if (m.adapter == "hartley") return "FFTUNE_HARTLEY";
  if (m.adapter == "head") return "FFTUNE_HEAD";
  FFTUNE_CHECK(m.adapter == "full", "method: unknown adapter '", m.adapter, "'");
  return "FFTUNE_FULL";
}

std::string method_name(const Method& m) {
  if (m.adapter == "fourierft") return m.frequency_bias ? "FourierFT-fb" : "FourierFT";
  if (m.adapter == "lora") return "LoRA";
  if (m.adapter == "hartley") return "Hartley";
  if (m.adapter == "full") return "full";
  return "head only";
}

std::string to_json(const Method& m) {
  if (m.adapter == "lora") return adapters::to_json(lora_config(m));
  if (is_peft_method(m)) return adapters::to_json(fourierft_config(m));
  const std::string type = peft_type(m);
  json j;
  j["peft_type"] = type;
  j["task_type"] = m.task_type ? json(*m.task_type) : json(nullptr);
  j["modules_to_save"] = peft_base(m).effective_modules_to_save();
  if (m.adapter == "fourierft" || m.adapter == "hartley") {
    j["target_modules"] = m.target_modules;
    j["n_frequency"] = m.n_frequency;
    j["scaling"] = m.scaling;
    j["random_loc_seed"] = m.random_loc_seed;
  }
  if (m.adapter == "fourierft")  // with frequency-biased entries (else FOURIERFT above)
    j["frequency_bias"] = {{"fc", m.frequency_bias->fc}, {"width", m.frequency_bias->width}};
  return j.dump(2) + "\n";
}

Method method_from_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    FFTUNE_CHECK(false, source, ": not valid JSON: ", e.what());
  }
  FFTUNE_CHECK(j.is_object() && j.contains("peft_type") && j["peft_type"].is_string(), source,
               ": \"peft_type\" is missing or not a string");
  const std::string type = j["peft_type"].get<std::string>();
  if (type == "FOURIERFT" || type == "LORA")
    return method_of(adapters::parse_peft_config(text, source));
  static const std::map<std::string, std::string> kAdapters = {{"FFTUNE_FOURIERFT", "fourierft"},
                                                               {"FFTUNE_HARTLEY", "hartley"},
                                                               {"FFTUNE_HEAD", "head"},
                                                               {"FFTUNE_FULL", "full"}};
  auto it = kAdapters.find(type);
  FFTUNE_CHECK(it != kAdapters.end(), source, ": unknown peft_type '", type,
               "' (fftune reads FOURIERFT, LORA, FFTUNE_FOURIERFT, FFTUNE_HARTLEY, FFTUNE_HEAD "
               "and FFTUNE_FULL)");
  KeyReader r(j, source);
  r.take("peft_type");
  Method m;
  m.adapter = it->second;
  const json& task_type = r.take("task_type");
  if (!task_type.is_null()) m.task_type = r.get<std::string>("task_type");
  m.modules_to_save = r.get<std::vector<std::string>>("modules_to_save");
  if (m.adapter == "fourierft" || m.adapter == "hartley") {
    m.target_modules = r.get<std::vector<std::string>>("target_modules");
    m.n_frequency = r.get<int64_t>("n_frequency");
    m.scaling = r.get<double>("scaling");
    m.random_loc_seed = r.get<uint64_t>("random_loc_seed");
  }
  if (m.adapter == "fourierft") {
    const json& bias = r.take("frequency_bias");
    FFTUNE_CHECK(bias.is_object() && bias.size() == 2 && bias.contains("fc") &&
                     bias.contains("width") && bias["fc"].is_number() && bias["width"].is_number(),
                 source, ": \"frequency_bias\" must be {\"fc\": number, \"width\": number}, got ",
                 bias.dump());
    m.frequency_bias =
        fourierft::FrequencyBias{bias["fc"].get<double>(), bias["width"].get<double>()};
  }
  r.check_all_taken();
  return m;
}

std::vector<std::string> method_differences(const Method& a, const Method& b) {
  if (a.adapter != b.adapter) return {"adapter"};
  std::vector<std::string> out;
  const bool spectral = a.adapter == "fourierft" || a.adapter == "hartley";
  if ((spectral || a.adapter == "lora") && a.target_modules != b.target_modules)
    out.push_back("target_modules");
  if (spectral) {
    if (a.n_frequency != b.n_frequency) out.push_back("n_frequency");
    if (a.scaling != b.scaling) out.push_back("scaling");
    if (a.random_loc_seed != b.random_loc_seed) out.push_back("random_loc_seed");
  }
  if (a.adapter == "fourierft" &&
      (a.frequency_bias.has_value() != b.frequency_bias.has_value() ||
       (a.frequency_bias && (a.frequency_bias->fc != b.frequency_bias->fc ||
                             a.frequency_bias->width != b.frequency_bias->width))))
    out.push_back("frequency_bias");
  if (a.adapter == "lora") {
    if (a.r != b.r) out.push_back("r");
    if (a.lora_alpha != b.lora_alpha) out.push_back("lora_alpha");
  }
  return out;
}

namespace {

// attach_method; with zero_init the adapters start at zero, without drawing (their values come
// from a file).
std::vector<std::string> attach(nn::Module& model, const Method& m, Generator* gen,
                                bool zero_init) {
  if (m.adapter == "lora") return adapters::inject_lora(model, lora_config(m), gen);
  if (is_peft_method(m)) return adapters::inject_fourierft(model, fourierft_config(m), gen);
  const adapters::InjectOptions options = peft_base(m).inject_options();
  if (m.adapter == "fourierft") {  // frequency-biased entries: fftune's extension
    fourierft::FourierFTOptions layer;
    layer.n_frequency = m.n_frequency;
    layer.scaling = m.scaling;
    layer.random_loc_seed = m.random_loc_seed;
    layer.frequency_bias = m.frequency_bias;
    layer.init_weights = zero_init;
    return adapters::inject_fourierft(model, options, layer, {}, gen);
  }
  if (m.adapter == "hartley") {
    adapters::HartleyOptions layer;
    layer.n_frequency = m.n_frequency;
    layer.scaling = m.scaling;
    layer.random_loc_seed = m.random_loc_seed;
    layer.init_weights = zero_init;
    return adapters::inject_adapters(model, options,
                                     [&](const std::string&, const nn::Linear& linear) {
                                       return std::make_shared<adapters::HartleyLinear>(
                                           linear.out_features(), linear.in_features(), layer, gen,
                                           linear.weight().dtype(), linear.weight().device());
                                     });
  }
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
  if (m.adapter == "lora") return adapters::save_peft_adapter(model, dir, lora_config(m));
  if (is_peft_method(m)) return adapters::save_peft_adapter(model, dir, fourierft_config(m));
  std::filesystem::create_directories(dir);
  const auto tensors = method_state(model, m);
  FFTUNE_CHECK(!tensors.empty(), "save_method: the model holds nothing to save for ", peft_type(m));
  io::save_safetensors(dir + "/" + kWeightsFile, tensors, {{"format", "pt"}});
  write_text_atomically(dir + "/" + kConfigFile, to_json(m));  // last: the folder is complete
}

LoadedMethod load_method(nn::Module& model, const std::string& dir,
                         const nn::hf::ModuleRenames& renames) {
  const std::string config_path = dir + "/" + kConfigFile;
  FFTUNE_CHECK(std::filesystem::exists(config_path), dir, " holds no ", kConfigFile,
               ": it does not describe a trained method (adapter_config.json names the method "
               "and its options; without it the folder cannot be evaluated or loaded)");
  const std::string text = read_text(config_path);
  LoadedMethod loaded{method_from_json(text, config_path), {}};
  if (is_peft_method(loaded.method)) {
    const adapters::LoadedPeftAdapter peft =
        adapters::load_peft_adapter(model, dir, false, renames);
    loaded.method = method_of(peft.config);
    loaded.adapted = peft.adapted;
    return loaded;
  }
  // The values come from the file: no random draws for the adapters.
  loaded.adapted = attach(model, loaded.method, nullptr, /*zero_init=*/true);
  const std::string weights_path = dir + "/" + kWeightsFile;
  const io::SafetensorsFile file = io::load_safetensors(weights_path);
  const auto expected = method_state(model, loaded.method);
  std::ostringstream problems;
  int64_t count = 0;
  std::set<std::string> expected_names;
  for (const auto& [name, t] : expected) {
    expected_names.insert(name);
    auto it = file.tensors.find(name);
    if (it == file.tensors.end()) {
      problems << "\n  missing tensor " << name << " (expected shape " << t.shape() << ")";
      ++count;
    } else if (it->second.shape() != t.shape()) {
      problems << "\n  shape mismatch for " << name << ": the file has " << it->second.shape()
               << ", the model expects " << t.shape();
      ++count;
    }
  }
  for (const auto& [name, t] : file.tensors)
    if (expected_names.count(name) == 0) {
      problems << "\n  unexpected tensor " << name << " " << t.shape();
      ++count;
    }
  FFTUNE_CHECK(count == 0, "load_method: ", weights_path, " does not fit the method ", config_path,
               " describes (", count, " problem", count == 1 ? "" : "s", "):", problems.str());
  {
    NoGradGuard no_grad;
    for (const auto& [name, t] : expected) {
      Tensor target = t;
      target.copy_(file.tensors.at(name).to(t.device()));
    }
  }
  model.set_requires_grad(false);
  return loaded;
}

}  // namespace fftune::examples
