#include "adapters/inject.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

#include "core/error.h"
#include "core/regex.h"

namespace fftune::adapters {

namespace {

// Python's re.fullmatch(pattern, s); `what` names the pattern's field in errors.
bool full_match(const std::string& pattern, const std::string& s, const char* what) {
  return Regex(pattern, std::string("inject: ") + what).full_match(s);
}

// Python's re.match(pattern, s): anchored at the start, not at the end.
bool prefix_match(const std::string& pattern, const std::string& s,
                  std::vector<std::string>* groups, const char* what) {
  return Regex(pattern, std::string("inject: ") + what).prefix_match(s, groups);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Step 1 (list form) and step 3 (list form): key equals an entry or ends with "." + entry.
bool name_matches(const std::string& key, const std::string& entry) {
  return key == entry || ends_with(key, "." + entry);
}

bool contains(const std::vector<int64_t>& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Some module names, as the patterns see them.
std::string some_module_names(nn::Module& model, const nn::hf::ModuleRenames& renames) {
  std::ostringstream os;
  int shown = 0;
  for (const auto& [name, m] : model.named_modules()) {
    if (name.empty()) continue;
    if (shown == 12) {
      os << ", ...";
      break;
    }
    os << (shown++ ? ", " : "") << nn::hf::in_memory_name(name, renames);
  }
  return shown ? os.str() : "(none: the model has no submodules)";
}

std::string list_to_string(const std::vector<int64_t>& v) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

}  // namespace

std::optional<int64_t> layer_index(const std::string& key,
                                   const std::vector<std::string>& layers_pattern) {
  std::vector<std::string> groups;
  bool found = false;
  if (layers_pattern.empty()) {
    found = prefix_match(R"(.*?\.[^.]*\.(\d+)\.)", key, &groups, "default layer pattern");
  } else {
    for (const std::string& pattern : layers_pattern) {
      found =
          prefix_match(R"((?:^|.*?\.))" + pattern + R"(\.(\d+)\.)", key, &groups, "layers_pattern");
      if (found) break;
    }
  }
  if (!found) return std::nullopt;
  // The index is the last group; a run of digits too long for int64 matches no layer.
  try {
    return std::stoll(groups.back());
  } catch (const std::out_of_range&) {
    return std::nullopt;
  }
}

TargetMatch match_target(const InjectOptions& options, const std::string& key) {
  const ModulePatterns& exclude = options.exclude_modules;
  if (exclude.regex && full_match(*exclude.regex, key, "exclude_modules"))
    return TargetMatch::kExcluded;
  for (const std::string& entry : exclude.names)
    if (name_matches(key, entry)) return TargetMatch::kExcluded;
  for (const std::string& m : options.modules_to_save)
    if (prefix_match(R"((^|.*\.))" + m + R"(($|\..*))", key, nullptr, "modules_to_save"))
      return TargetMatch::kExcluded;

  const ModulePatterns& target = options.target_modules;
  if (target.regex)
    return full_match(*target.regex, key, "target_modules") ? TargetMatch::kYes : TargetMatch::kNo;
  if (std::find(target.names.begin(), target.names.end(), key) != target.names.end())
    return TargetMatch::kYes;  // an exact name skips the layer filter, as in peft
  bool found = false;
  for (const std::string& entry : target.names) found = found || ends_with(key, "." + entry);
  if (!found || options.layers_to_transform.empty())
    return found ? TargetMatch::kYes : TargetMatch::kNo;
  const std::optional<int64_t> index = layer_index(key, options.layers_pattern);
  return index && contains(options.layers_to_transform, *index) ? TargetMatch::kYes
                                                                : TargetMatch::kNo;
}

int64_t n_frequency_for(const std::vector<std::pair<std::string, int64_t>>& pattern,
                        const std::string& key, int64_t fallback) {
  // peft: next(filter(lambda k: re.match(rf".*\.{k}$", key), keys), key), then .get(that, n).
  for (const auto& [k, n] : pattern)
    if (prefix_match(R"(.*\.)" + k + "$", key, nullptr, "n_frequency_pattern key")) return n;
  for (const auto& [k, n] : pattern)
    if (k == key) return n;
  return fallback;
}

double lora_pattern_value(const std::vector<std::pair<std::string, double>>& pattern,
                          const std::string& key, double fallback) {
  // peft: get_pattern_key — the first k with re.match(rf"(.*\.)?({k})$", key), else key itself.
  for (const auto& [k, v] : pattern)
    if (prefix_match(R"((.*\.)?()" + k + ")$", key, nullptr, "rank/alpha pattern key")) return v;
  for (const auto& [k, v] : pattern)
    if (k == key) return v;
  return fallback;
}

std::vector<std::pair<std::string, nn::Module*>> modules_to_save(
    nn::Module& model, const std::vector<std::string>& names,
    const nn::hf::ModuleRenames& renames) {
  std::vector<std::pair<std::string, nn::Module*>> out;
  if (names.empty()) return out;
  for (const auto& [key, module] : model.named_modules()) {
    if (key.empty()) continue;
    bool inside = false;  // part of a module already taken
    for (const auto& [outer, m] : out) inside = inside || key.rfind(outer + ".", 0) == 0;
    if (inside) continue;
    const std::string seen_as = nn::hf::in_memory_name(key, renames);
    for (const std::string& entry : names)
      if (ends_with(seen_as, entry)) {
        out.emplace_back(key, module);
        break;
      }
  }
  return out;
}

std::vector<std::string> inject_adapters(nn::Module& model, const InjectOptions& options,
                                         const AdapterFactory& factory) {
  FFTUNE_CHECK(!options.target_modules.empty(),
               "inject: target_modules is empty (peft's per-model default target lists are not "
               "supported: name the layers)");
  FFTUNE_CHECK(options.layers_to_transform.empty() || !options.target_modules.regex,
               "inject: layers_to_transform cannot be used when target_modules is a regex (as in "
               "peft)");
  FFTUNE_CHECK(options.layers_pattern.empty() || !options.layers_to_transform.empty(),
               "inject: layers_pattern is given but layers_to_transform is not (as in peft)");

  // Pass 1: decide everything, so that an error leaves the model untouched.
  struct Target {
    std::string key;      // fftune's name
    std::string seen_as;  // as the patterns see it (InjectOptions::module_renames)
    nn::Linear* linear;
  };
  std::vector<Target> targets;
  std::vector<bool> entry_used(options.target_modules.names.size(), false);
  for (const auto& [key, module] : model.named_modules()) {
    const std::string seen_as = nn::hf::in_memory_name(key, options.module_renames);
    if (match_target(options, seen_as) != TargetMatch::kYes) continue;
    auto* linear = dynamic_cast<nn::Linear*>(module);
    FFTUNE_CHECK(linear != nullptr, "inject: target module '", key,
                 "' matches target_modules but is not an nn::Linear (only Linear layers can take "
                 "an adapter)");
    targets.push_back({key, seen_as, linear});
    for (size_t i = 0; i < entry_used.size(); ++i)
      entry_used[i] = entry_used[i] || name_matches(seen_as, options.target_modules.names[i]);
  }
  const std::string layer_note =
      options.layers_to_transform.empty()
          ? ""
          : " (with layers_to_transform " + list_to_string(options.layers_to_transform) + ")";
  if (options.target_modules.regex)
    FFTUNE_CHECK(!targets.empty(), "inject: target_modules regex '", *options.target_modules.regex,
                 "' matches no module (it must match a whole dotted name); modules: ",
                 some_module_names(model, options.module_renames));
  for (size_t i = 0; i < entry_used.size(); ++i)
    FFTUNE_CHECK(entry_used[i], "inject: target module '", options.target_modules.names[i],
                 "' matches no module", layer_note,
                 " (an entry matches a name equal to it or ending in '.<entry>', after "
                 "exclude_modules and modules_to_save); modules: ",
                 some_module_names(model, options.module_renames));

  const auto saved = modules_to_save(model, options.modules_to_save, options.module_renames);
  bool optional_found = options.optional_modules_to_save.empty();
  for (const std::string& entry : options.modules_to_save) {
    bool found = false;
    for (const auto& [key, m] : saved)
      found = found || ends_with(nn::hf::in_memory_name(key, options.module_renames), entry);
    const bool optional =
        std::find(options.optional_modules_to_save.begin(), options.optional_modules_to_save.end(),
                  entry) != options.optional_modules_to_save.end();
    if (optional) {
      optional_found = optional_found || found;
    } else {
      FFTUNE_CHECK(found, "inject: modules_to_save entry '", entry,
                   "' matches no module (a module is saved when its name ends with an entry); "
                   "modules: ",
                   some_module_names(model, options.module_renames));
    }
  }
  FFTUNE_CHECK(optional_found,
               "inject: none of the task-head modules to save matches a module; "
               "modules: ",
               some_module_names(model, options.module_renames));

  // Pass 2: build every adapter, then change the model.
  std::vector<std::shared_ptr<nn::LinearAdapter>> adapters;
  for (const auto& [key, seen_as, linear] : targets) {
    FFTUNE_CHECK(linear->adapter() == nullptr, "inject: layer '", key, "' already has a '",
                 linear->adapter()->method(), "' adapter");
    try {
      adapters.push_back(factory(seen_as, *linear));
    } catch (const Error& e) {
      FFTUNE_FAIL("inject: layer '", key, "' (", linear->out_features(), " x ",
                  linear->in_features(), "): ", e.what());
    }
    FFTUNE_CHECK(adapters.back() != nullptr, "inject: the adapter factory returned null for '", key,
                 "'");
  }
  model.set_requires_grad(false);
  std::vector<std::string> names;
  for (size_t i = 0; i < targets.size(); ++i) {
    targets[i].linear->attach_adapter(adapters[i]);
    adapters[i]->set_requires_grad(true);
    names.push_back(targets[i].key);
  }
  for (const auto& [key, m] : saved) m->set_requires_grad(true);
  return names;
}

std::vector<std::string> inject_fourierft(
    nn::Module& model, const InjectOptions& options, const fourierft::FourierFTOptions& base,
    const std::vector<std::pair<std::string, int64_t>>& n_frequency_pattern, Generator* gen) {
  // The adapted layers of one parent module (an attention block's query and value) usually
  // read the same input: they get one row spectrum share (Note [row spectrum sharing] in
  // fourierft/fourierft_linear_op.h), which checks that it is the same input before sharing.
  std::map<std::string, std::shared_ptr<fourierft::RowSpectrumShare>> shares;
  return inject_adapters(model, options, [&](const std::string& name, const nn::Linear& layer) {
    fourierft::FourierFTOptions layer_options = base;
    layer_options.n_frequency = n_frequency_for(n_frequency_pattern, name, base.n_frequency);
    auto adapter = std::make_shared<fourierft::FourierFTLinear>(
        layer.out_features(), layer.in_features(), layer_options, gen, layer.weight().dtype(),
        layer.weight().device());
    const size_t dot = name.rfind('.');
    auto& share = shares[dot == std::string::npos ? std::string() : name.substr(0, dot)];
    if (!share) share = std::make_shared<fourierft::RowSpectrumShare>();
    adapter->share_row_spectrum(share);
    return adapter;
  });
}

}  // namespace fftune::adapters
