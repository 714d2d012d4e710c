// The injector: attaches an adapter to every Linear of a model whose dotted name matches the
// target patterns, freezes everything else, and marks peft's `modules_to_save` trainable
// (DESIGN.md §4). The matching rules are HF peft's (v0.21.2), so that one adapter_config.json
// selects the same layers in both (Note [peft module matching]).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fourierft/fourierft_linear.h"
#include "nn/linear.h"
#include "nn/models/hf_checkpoint.h"

namespace fftune::adapters {

// Note [peft module matching]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~
// peft (tuners/tuners_utils.py check_target_module_exists, utils/other.py _set_trainable) decides
// per module name `key` (the dotted path from named_modules(), e.g.
// "roberta.encoder.layer.0.attention.self.query"):
//   1. exclude_modules: a list excludes key if key equals an entry or ends with "." + entry; a
//      single string excludes key if it matches the whole key as a regex (re.fullmatch).
//   2. modules_to_save: key is excluded if it is, or lies inside, a module to save:
//      re.match(r"(^|.*\.)" + m + r"($|\..*)", key).
//   3. target_modules: a single string must match the whole key as a regex (re.fullmatch); a
//      list matches key if key equals an entry, or ends with "." + entry.
//   4. layers_to_transform (list form of target_modules only, and not for an exact-name match):
//      the layer index is the first number segment of key found by
//        re.match(r".*?\.[^.]*\.(?P<idx>\d+)\.", key)                     (no layers_pattern)
//        re.match(r"(?:^|.*?\.)" + pattern + r"\.(?P<idx>\d+)\.", key)    (each layers_pattern)
//      and key is adapted only if that index is in the list (no index: not adapted).
// Modules to save are those whose key ends with an entry (plain str.endswith, no dot); their
// parameters become trainable and are saved with the adapter.
// Per-layer overrides: FourierFT's n_frequency_pattern takes the first key (in the config's
// order) with re.match(r".*\." + key + "$", name), else the entry for the exact name, else the
// default; LoRA's rank_pattern / alpha_pattern take the first key with
// re.match(r"(.*\.)?(" + key + ")$", name) (utils/other.py get_pattern_key).
// fftune mirrors these with PCRE2 (core/regex.h: Python re's syntax, lookarounds and
// (?P<name>...) included, under match and nesting limits; a pattern over a limit is an Error
// naming the field). It is stricter in one place: every entry of a target list must adapt at least
// one layer, where peft only fails when nothing at all matched.

// peft's target_modules / exclude_modules: a list of names, or one regex.
struct ModulePatterns {
  std::vector<std::string> names;    // list form
  std::optional<std::string> regex;  // single-string form (full match)

  static ModulePatterns list(std::vector<std::string> names) { return {std::move(names), {}}; }
  static ModulePatterns full_match(std::string regex) { return {{}, std::move(regex)}; }
  bool empty() const { return names.empty() && !regex; }
};

struct InjectOptions {
  ModulePatterns target_modules;
  ModulePatterns exclude_modules;            // empty: exclude nothing
  std::vector<int64_t> layers_to_transform;  // empty: every layer
  std::vector<std::string> layers_pattern;   // empty: peft's default index rule
  std::vector<std::string> modules_to_save;  // made trainable and saved
  // Entries of modules_to_save that may match nothing (peft adds "classifier" and "score" for
  // sequence classification, most models have one of the two); at least one of them must match.
  std::vector<std::string> optional_modules_to_save;
  // The names the patterns above refer to (Note [in-memory module names] in
  // nn/models/hf_checkpoint.h). Empty: fftune's own names, the checkpoint's. Otherwise each module
  // is matched as hf::in_memory_name(its name, module_renames) — the way transformers names it
  // in memory, as peft adapters for such models do (ViT's "attention.q_proj").
  nn::hf::ModuleRenames module_renames;
};

// What matching decides for one module name (Note [peft module matching], steps 1-4).
enum class TargetMatch { kNo, kYes, kExcluded };
TargetMatch match_target(const InjectOptions& options, const std::string& key);

// The layer index of `key` by step 4, or nullopt.
std::optional<int64_t> layer_index(const std::string& key,
                                   const std::vector<std::string>& layers_pattern);

// FourierFT's n_frequency_pattern lookup: the value for `key`, or `fallback`.
int64_t n_frequency_for(const std::vector<std::pair<std::string, int64_t>>& pattern,
                        const std::string& key, int64_t fallback);
// LoRA's rank_pattern / alpha_pattern lookup: the value for `key`, or `fallback`.
double lora_pattern_value(const std::vector<std::pair<std::string, double>>& pattern,
                          const std::string& key, double fallback);

// Builds the adapter for the layer named `name` (as the patterns see it: after
// InjectOptions::module_renames).
using AdapterFactory =
    std::function<std::shared_ptr<nn::LinearAdapter>(const std::string& name, const nn::Linear&)>;

// Freezes every parameter of `model`, attaches factory(name, layer) to each matching Linear and
// makes the adapters and the modules to save trainable. Returns the adapted layer names in
// named_modules() order. Errors (nothing attached then): a target entry (or the regex) that
// adapts no layer — the message names it and lists some module names; a matching module that
// is not an nn::Linear; a module to save that matches nothing; a malformed regex or one over
// a limit of core/regex.h; an adapter the factory refuses (named with its layer).
std::vector<std::string> inject_adapters(nn::Module& model, const InjectOptions& options,
                                         const AdapterFactory& factory);

// The modules to save of `model`: (path, module) for every module whose name (after `renames`,
// InjectOptions::module_renames) ends with an entry of `modules_to_save`, outermost only (a match
// inside another is part of it). The paths are fftune's.
std::vector<std::pair<std::string, nn::Module*>> modules_to_save(
    nn::Module& model, const std::vector<std::string>& modules_to_save,
    const nn::hf::ModuleRenames& renames = {});

// Injects fourierft::FourierFTLinear adapters: `base` for every layer, with n_frequency from
// n_frequency_pattern where a key matches. The coefficients are drawn from `gen` (layer by
// layer in named_modules() order) unless base.init_weights. The layers of one parent module share
// one fourierft::RowSpectrumShare (Note [row spectrum sharing]).
std::vector<std::string> inject_fourierft(
    nn::Module& model, const InjectOptions& options, const fourierft::FourierFTOptions& base,
    const std::vector<std::pair<std::string, int64_t>>& n_frequency_pattern = {},
    Generator* gen = nullptr);

}  // namespace fftune::adapters
