#include "nn/models/hf_checkpoint.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "core/autograd/grad_mode.h"
#include "core/io/file.h"
#include "core/io/safetensors.h"
#include "ops/ops.h"

namespace fftune::nn::hf {
namespace fs = std::filesystem;
using nlohmann::json;

// ---- config.json ---------------------------------------------------------------------------

json read_config(const std::string& dir) {
  const fs::path path = fs::path(dir) / "config.json";
  std::ifstream in(path);
  FFTUNE_CHECK(in.good(), "read_config: cannot open '", path.string(),
               "' (an HF model directory holds config.json)");
  json config;
  try {
    config = json::parse(in);
  } catch (const json::exception& e) {
    FFTUNE_FAIL("read_config: '", path.string(), "' is not valid JSON: ", e.what());
  }
  FFTUNE_CHECK(config.is_object(), "read_config: '", path.string(), "' must hold a JSON object");
  return config;
}

namespace {

// config[key], or null when absent.
const json* find_key(const json& config, const std::string& key) {
  auto it = config.find(key);
  return it == config.end() || it->is_null() ? nullptr : &*it;
}

int64_t as_int(const json& v, const std::string& key) {
  FFTUNE_CHECK(v.is_number_integer(), "config.json: '", key, "' must be an integer, got ",
               v.dump());
  FFTUNE_CHECK(!v.is_number_unsigned() ||
                   v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
               "config.json: '", key, "' is too large for a 64-bit integer: ", v.dump());
  return v.get<int64_t>();
}

bool as_bool(const json& v, const std::string& key) {
  FFTUNE_CHECK(v.is_boolean(), "config.json: '", key, "' must be true or false, got ", v.dump());
  return v.get<bool>();
}

double as_double(const json& v, const std::string& key) {
  FFTUNE_CHECK(v.is_number(), "config.json: '", key, "' must be a number, got ", v.dump());
  return v.get<double>();
}

std::string as_string(const json& v, const std::string& key) {
  FFTUNE_CHECK(v.is_string(), "config.json: '", key, "' must be a string, got ", v.dump());
  return v.get<std::string>();
}

const json& require(const json& config, const std::string& key, const char* type) {
  const json* v = find_key(config, key);
  FFTUNE_CHECK(v != nullptr, "config.json: missing key '", key, "' (expected ", type, ")");
  return *v;
}

}  // namespace

int64_t config_int(const json& config, const std::string& key) {
  return as_int(require(config, key, "an integer"), key);
}
int64_t config_int(const json& config, const std::string& key, int64_t fallback) {
  const json* v = find_key(config, key);
  return v ? as_int(*v, key) : fallback;
}
double config_double(const json& config, const std::string& key) {
  return as_double(require(config, key, "a number"), key);
}
double config_double(const json& config, const std::string& key, double fallback) {
  const json* v = find_key(config, key);
  return v ? as_double(*v, key) : fallback;
}
bool config_bool(const json& config, const std::string& key, bool fallback) {
  const json* v = find_key(config, key);
  return v ? as_bool(*v, key) : fallback;
}
void check_config_range(const char* where, const std::string& key, int64_t value, int64_t lo,
                        int64_t hi) {
  FFTUNE_CHECK(value >= lo && value <= hi, where, ": '", key, "' must be in [", lo, ", ", hi,
               "], got ", value);
}
std::string config_string(const json& config, const std::string& key) {
  return as_string(require(config, key, "a string"), key);
}
int64_t config_num_labels(const json& config, int64_t fallback) {
  if (config.contains("id2label") && config["id2label"].is_object())
    return static_cast<int64_t>(config["id2label"].size());
  return config_int(config, "num_labels", fallback);
}

std::string config_string(const json& config, const std::string& key, const std::string& fallback) {
  const json* v = find_key(config, key);
  return v ? as_string(*v, key) : fallback;
}

void expect_model_type(const json& config, const std::vector<std::string>& accepted) {
  const std::string type = config_string(config, "model_type");
  if (std::find(accepted.begin(), accepted.end(), type) != accepted.end()) return;
  std::string expected;
  for (const std::string& a : accepted) expected += (expected.empty() ? "'" : ", '") + a + "'";
  FFTUNE_FAIL("config.json: unsupported model_type '", type, "' (expected ", expected, ")");
}

Activation config_activation(const json& config, const std::string& key) {
  const std::string name = config_string(config, key);
  try {
    return activation_from_name(name);
  } catch (const Error& e) {
    FFTUNE_FAIL("config.json: '", key, "': ", e.what());
  }
}

// ---- weights -------------------------------------------------------------------------------

std::map<std::string, Tensor> read_weights(const std::string& dir) {
  const fs::path single = fs::path(dir) / "model.safetensors";
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  if (fs::exists(single)) return io::load_safetensors(single.string()).tensors;
  if (!fs::exists(index)) {
    FFTUNE_CHECK(!fs::exists(fs::path(dir) / "pytorch_model.bin"), "read_weights: '", dir,
                 "' holds pytorch_model.bin only; fftune reads safetensors (convert it with "
                 "transformers: model.save_pretrained(dir, safe_serialization=True))");
    FFTUNE_FAIL("read_weights: '", dir, "' has neither model.safetensors nor ",
                "model.safetensors.index.json");
  }

  json map;
  {
    std::ifstream in(index);
    try {
      map = json::parse(in);
    } catch (const json::exception& e) {
      FFTUNE_FAIL("read_weights: '", index.string(), "' is not valid JSON: ", e.what());
    }
  }
  FFTUNE_CHECK(map.is_object() && map.contains("weight_map") && map["weight_map"].is_object(),
               "read_weights: '", index.string(), "' has no \"weight_map\" object");
  // shard file -> the keys the map places in it.
  std::map<std::string, std::set<std::string>> shards;
  for (const auto& [key, shard] : map["weight_map"].items()) {
    FFTUNE_CHECK(shard.is_string(), "read_weights: '", index.string(), "': weight_map['", key,
                 "'] must be a file name, got ", shard.dump());
    shards[shard.get<std::string>()].insert(key);
  }
  std::map<std::string, Tensor> out;
  for (const auto& [file, keys] : shards) {
    const fs::path path = fs::path(dir) / file;
    FFTUNE_CHECK(fs::exists(path), "read_weights: shard '", file, "' (holding '", *keys.begin(),
                 "' and ", keys.size() - 1, " more) is missing from '", dir, "'");
    io::SafetensorsFile shard = io::load_safetensors(path.string());
    for (const std::string& key : keys)
      FFTUNE_CHECK(shard.tensors.count(key), "read_weights: tensor '", key,
                   "' is missing from shard '", file, "' (model.safetensors.index.json puts it ",
                   "there)");
    for (auto& [key, tensor] : shard.tensors) {
      FFTUNE_CHECK(keys.count(key), "read_weights: unexpected tensor '", key, "' in shard '", file,
                   "' (model.safetensors.index.json does not list it there)");
      out.emplace(key, tensor);
    }
  }
  return out;
}

// ---- loading -------------------------------------------------------------------------------

std::string LoadSummary::to_string() const {
  std::ostringstream os;
  os << "loaded " << loaded.size() << " tensors";
  if (!tied.empty()) os << ", " << tied.size() << " tied";
  os << "; ignored " << ignored.size() << "; freshly initialised " << fresh.size();
  if (!mismatched.empty()) os << "; mismatched " << mismatched.size();
  if (!renamed.empty()) os << "; renamed " << renamed.size();
  if (!prefix_change.empty()) os << "; " << prefix_change;
  for (const auto& [key, reason] : ignored) os << "\n  ignored: " << key << " (" << reason << ")";
  for (const std::string& name : fresh) os << "\n  freshly initialised: " << name;
  for (const std::string& m : mismatched) os << "\n  mismatched, freshly initialised: " << m;
  for (const std::string& name : tied) os << "\n  tied: " << name;
  for (const std::string& r : renamed) os << "\n  renamed: " << r;
  return os.str();
}

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return !prefix.empty() && s.compare(0, prefix.size(), prefix) == 0;
}

bool matches_any(const std::string& name, const std::vector<std::string>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return name_matches(name, p); });
}

// Step 1 of Note [checkpoint key mapping]: a last component gamma/beta -> weight/bias.
std::string rename_old_key(const std::string& key) {
  const size_t dot = key.rfind('.');
  const std::string head = dot == std::string::npos ? "" : key.substr(0, dot + 1);
  const std::string last = dot == std::string::npos ? key : key.substr(dot + 1);
  if (last == "gamma") return head + "weight";
  if (last == "beta") return head + "bias";
  return key;
}

// state_dict hands out detached handles, so two names of one tied tensor are two handles over
// the same storage and offset: that pair identifies the tensor.
using TensorIdentity = std::pair<const Storage*, int64_t>;
TensorIdentity identity(const Tensor& t) {
  return {t.storage().get(), t.offset()};
}

std::string describe(const Tensor& t) {
  std::ostringstream os;
  os << t.dtype() << " " << t.shape();
  return os.str();
}

}  // namespace

LoadSummary load_weights(Module& module, const std::map<std::string, Tensor>& weights,
                         const CheckpointLayout& layout, std::ostream* log,
                         const LoadOptions& options) {
  LoadSummary summary;
  const auto own = module.state_dict();  // module name -> tensor (tied names listed each)
  std::map<std::string, Tensor> by_name(own.begin(), own.end());

  // Steps 1 and 2: renames, then the base prefix.
  std::map<std::string, std::string> renamed;  // checkpoint key -> its key after renaming
  for (const auto& [key, t] : weights) renamed[key] = rename_old_key(key);
  const std::string& prefix = layout.base_prefix;
  const bool module_prefixed = std::any_of(
      own.begin(), own.end(), [&](const auto& kv) { return starts_with(kv.first, prefix); });
  const bool ckpt_prefixed = std::any_of(renamed.begin(), renamed.end(), [&](const auto& kv) {
    return starts_with(kv.second, prefix);
  });
  if (module_prefixed && !ckpt_prefixed)
    summary.prefix_change = "'" + prefix + "' added to the checkpoint keys";
  if (!module_prefixed && ckpt_prefixed)
    summary.prefix_change = "'" + prefix + "' stripped from the checkpoint keys";
  std::map<std::string, std::string> target;  // module name -> checkpoint key
  std::vector<std::string> problems;
  for (auto& [key, name] : renamed) {
    if (module_prefixed && !ckpt_prefixed) name = prefix + name;
    if (!module_prefixed && ckpt_prefixed && starts_with(name, prefix))
      name = name.substr(prefix.size());
    if (name != key && rename_old_key(key) != key) summary.renamed.push_back(key + " -> " + name);
    auto [it, inserted] = target.emplace(name, key);
    if (!inserted)
      problems.push_back("'" + key + "' and '" + it->second + "' both map to '" + name + "'");
  }

  // Step 3: match against the module.
  struct Copy {
    std::string name;
    Tensor dst, src;
  };
  std::vector<Copy> copies;
  std::map<TensorIdentity, std::string> filled;  // module tensor -> the key that fills it
  // ignore_mismatched_sizes: module tensor -> its name, for a tied twin's summary line.
  std::map<TensorIdentity, std::string> mismatched;
  for (const auto& [name, key] : target) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      auto rule = std::find_if(
          layout.ignorable.begin(), layout.ignorable.end(),
          [&name = name](const IgnoreRule& r) { return name_matches(name, r.pattern); });
      if (rule != layout.ignorable.end())
        summary.ignored.emplace_back(key, rule->reason);
      else
        problems.push_back("unexpected tensor '" + key + "'" +
                           (name != key ? " (as '" + name + "')" : std::string()) +
                           ": the model has no such parameter or buffer");
      continue;
    }
    const Tensor& dst = it->second;
    const Tensor& src = weights.at(key);
    if (src.shape() != dst.shape() && options.ignore_mismatched_sizes) {
      summary.mismatched.push_back(name + ": checkpoint " + describe(src) + ", model " +
                                   describe(dst));
      mismatched.emplace(identity(dst), name);
      continue;
    }
    if (src.shape() != dst.shape() || src.dtype() != dst.dtype()) {
      problems.push_back("'" + key + "': expected " + describe(dst) + " (from config.json), got " +
                         describe(src) +
                         (src.shape() != dst.shape()
                              ? " (load with ignore_mismatched_sizes to initialise it freshly)"
                              : std::string()));
      continue;
    }
    auto twin = filled.find(identity(dst));
    if (twin == filled.end()) {
      copies.push_back({name, dst, src});
      filled.emplace(identity(dst), key);
    } else if (max(abs(sub(src, weights.at(twin->second)))).item() != 0.0) {
      // Tied in the model (one tensor, two names) but two different tensors in the file.
      problems.push_back("'" + key + "' and '" + twin->second +
                         "' are one tied tensor in the model but differ in the checkpoint");
    } else {
      summary.tied.push_back(name);
    }
  }
  for (const auto& [name, dst] : own) {
    if (target.count(name)) continue;
    const bool tied = std::find(layout.tied.begin(), layout.tied.end(), name) != layout.tied.end();
    if (tied && filled.count(identity(dst))) {
      summary.tied.push_back(name);
    } else if (tied && mismatched.count(identity(dst))) {
      summary.mismatched.push_back(name + ": tied to " + mismatched.at(identity(dst)) +
                                   ", whose checkpoint shape differs");
    } else if (matches_any(name, layout.fresh)) {
      summary.fresh.push_back(name);
    } else {
      problems.push_back("missing tensor '" + name + "'" +
                         (module_prefixed && !ckpt_prefixed
                              ? " (checkpoint key without '" + prefix + "')"
                              : std::string()) +
                         ": the checkpoint has no such key");
    }
  }
  if (!problems.empty()) {
    std::ostringstream os;
    os << "load_weights: " << problems.size() << " problem(s), nothing was loaded:";
    for (const std::string& p : problems) os << "\n  " << p;
    FFTUNE_FAIL(os.str());
  }

  NoGradGuard no_grad;
  for (Copy& c : copies) {
    c.dst.copy_(c.src);
    summary.loaded.push_back(c.name);
  }
  if (log) *log << summary.to_string() << "\n";
  return summary;
}

LoadSummary load_pretrained(Module& module, const std::string& dir, const CheckpointLayout& layout,
                            std::ostream* log, const LoadOptions& options) {
  try {
    if (log) *log << "loading '" << dir << "': ";
    return load_weights(module, read_weights(dir), layout, log, options);
  } catch (const Error& e) {
    FFTUNE_FAIL("load_pretrained('", dir, "'): ", e.what());
  }
}

// ---- transformers' in-memory module names -------------------------------------------------

std::string in_memory_name(const std::string& path, const ModuleRenames& renames) {
  if (renames.empty()) return path;
  // Dots around the name and around each rule make a match a run of whole components.
  std::string name = "." + path + ".";
  for (const ModuleRename& r : renames) {
    const std::string from = "." + r.checkpoint + ".", to = "." + r.in_memory + ".";
    for (size_t at = name.find(from); at != std::string::npos; at = name.find(from, at)) {
      name.replace(at, from.size(), to);
      at += to.size() - 1;  // the closing dot may open the next match
    }
  }
  return name.substr(1, name.size() - 2);
}

// ---- saving --------------------------------------------------------------------------------

void save_pretrained(const Module& module, const std::string& dir, const json& config,
                     const CheckpointLayout& layout) {
  fs::create_directories(dir);
  // A tied name is dropped when its tensor is saved under another name (transformers writes
  // each tied tensor once); an untied one (tie_word_embeddings false) is saved like any other.
  const auto state = module.state_dict();
  std::map<TensorIdentity, int> names_per_tensor;
  for (const auto& [name, t] : state) ++names_per_tensor[identity(t)];
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& [name, t] : state) {
    const bool tied = std::find(layout.tied.begin(), layout.tied.end(), name) != layout.tied.end();
    if (tied && names_per_tensor[identity(t)] > 1) {
      --names_per_tensor[identity(t)];
      continue;
    }
    tensors.emplace_back(name, t.contiguous());
  }
  io::save_safetensors((fs::path(dir) / "model.safetensors").string(), tensors, {{"format", "pt"}});

  io::write_file_atomically((fs::path(dir) / "config.json").string(), config.dump(2) + "\n");
}

}  // namespace fftune::nn::hf
