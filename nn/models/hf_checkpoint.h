// Hugging Face model directories: reading config.json and the weights (model.safetensors, or a
// sharded model.safetensors.index.json), loading them into a Module whose parameters carry HF's
// dotted names, and saving a module back in the same layout.
//
//   nlohmann::json config = hf::read_config(dir);
//   RobertaForSequenceClassification model(RobertaConfig::from_json(config));
//   hf::load_pretrained(model, dir, RobertaForSequenceClassification::checkpoint_layout());
//   ...
//   hf::save_pretrained(model, out_dir, config, layout);
//
// Note [checkpoint key mapping]
// A checkpoint key reaches a module name in three steps, as transformers' from_pretrained does:
//  1. renames of older checkpoints: a last component "gamma" / "beta" becomes "weight" / "bias"
//     (LayerNorms saved by TF-era BERT code);
//  2. the base prefix (layout.base_prefix, "roberta." or "vit."): task models hold the base model
//     under it ("roberta.encoder..."), a base model's own names lack it ("encoder..."). If the
//     module expects the prefix and the checkpoint has none (a RobertaModel / ViTModel checkpoint
//     loaded into a task model), the prefix is added to every key; if the checkpoint has it and
//     the module does not (roberta-base, a RobertaForMaskedLM, loaded into a RobertaModel), it is
//     stripped from the keys that carry it (the others, e.g. lm_head.*, stay as they are);
//  3. matching against the module's state_dict names:
//     - a key the module lacks is an error unless it matches one of layout.ignorable (e.g.
//       "embeddings.position_ids", a buffer older transformers saved; "lm_head" when a
//       classification model loads an MLM checkpoint; "pooler" when the model has none);
//     - a module name the checkpoint lacks is an error unless it matches one of layout.fresh
//       (a task head: it keeps its random initialisation, and the summary says so) or it is a
//       tied name (layout.tied, e.g. "lm_head.decoder.weight") whose tensor was loaded under
//       another name;
//     - every present key must have the module tensor's shape and dtype exactly (the model was
//       built from config.json, so a disagreement means the two disagree). F16 / BF16 files are
//       converted to f32 by the safetensors reader. With LoadOptions::ignore_mismatched_sizes
//       (transformers' argument of that name) a key whose shape differs — a 1000-class
//       classifier loaded into a 47-class model — is skipped instead: the module tensor keeps its
//       initialisation and the summary lists it as mismatched (a tied twin of it too). A dtype
//       disagreement stays an error.
// Every problem is collected first; one fftune::Error lists them all, naming each key and what
// was expected, and nothing is written.
#pragma once

#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/activation.h"
#include "nn/module.h"

namespace fftune::nn::hf {

// ---- config.json ---------------------------------------------------------------------------

// Parses dir/config.json; an error names the file when it is missing or not a JSON object.
nlohmann::json read_config(const std::string& dir);

// Typed reads of config.json keys. A missing key (for the forms without a fallback) or a value
// of the wrong type is an error naming the key and the expected type. A JSON null counts as
// missing (HF writes null for "use the default").
int64_t config_int(const nlohmann::json& config, const std::string& key);
int64_t config_int(const nlohmann::json& config, const std::string& key, int64_t fallback);
double config_double(const nlohmann::json& config, const std::string& key);
double config_double(const nlohmann::json& config, const std::string& key, double fallback);
bool config_bool(const nlohmann::json& config, const std::string& key, bool fallback);
std::string config_string(const nlohmann::json& config, const std::string& key);
std::string config_string(const nlohmann::json& config, const std::string& key,
                          const std::string& fallback);

// The ranges fftune accepts for a config's sizes: generous for real checkpoints, small enough
// that no product of them (a weight matrix, the patch count, an attention map) overflows or asks
// for an absurd allocation. A value outside is an error naming the key.
constexpr int64_t kMaxConfigWidth = int64_t{1} << 16;      // hidden, intermediate, pooler sizes
constexpr int64_t kMaxConfigLayers = 1024;                 // num_hidden_layers
constexpr int64_t kMaxConfigVocab = int64_t{1} << 22;      // vocab_size
constexpr int64_t kMaxConfigPositions = int64_t{1} << 20;  // max_position_embeddings
constexpr int64_t kMaxConfigLabels = int64_t{1} << 20;     // num_labels
constexpr int64_t kMaxConfigImageSize = int64_t{1} << 14;  // image_size (pixels a side)
constexpr int64_t kMaxConfigPatches = int64_t{1} << 16;    // (image_size / patch_size)^2
// "<where>: 'image_size' must be in [1, 16384], got 4294967296" unless lo <= value <= hi.
void check_config_range(const char* where, const std::string& key, int64_t value, int64_t lo,
                        int64_t hi);

// Checks config["model_type"] is one of `accepted`: "config.json: unsupported model_type 'bert'
// (expected 'roberta')".
void expect_model_type(const nlohmann::json& config, const std::vector<std::string>& accepted);
// config[key] ("hidden_act") as an Activation; an unsupported name is an error naming the key,
// the value and the supported names.
Activation config_activation(const nlohmann::json& config, const std::string& key = "hidden_act");
// The number of labels as transformers derives it: the size of id2label when present, else
// num_labels, else `fallback`.
int64_t config_num_labels(const nlohmann::json& config, int64_t fallback);

// ---- weights -------------------------------------------------------------------------------

// Every tensor of dir/model.safetensors, or of the shards listed by
// dir/model.safetensors.index.json (its "weight_map": key -> shard file). Each shard is read
// and checked against the map: a missing shard file, a key the map promises but its shard lacks,
// a tensor in a shard the map does not list, and a key found in two shards are errors naming the
// key and the shard. Neither file present is an error naming both (and pytorch_model.bin, when
// that is all there is: fftune reads safetensors only).
std::map<std::string, Tensor> read_weights(const std::string& dir);

// ---- loading -------------------------------------------------------------------------------

// A checkpoint key (after renaming and prefix handling) that may be absent from the module,
// with the reason the summary prints.
struct IgnoreRule {
  std::string pattern;  // Note [name patterns] in nn/module.h
  std::string reason;   // "MLM head, unused by sequence classification"
};

// How a model's names relate to HF checkpoints (Note [checkpoint key mapping]).
struct CheckpointLayout {
  std::string base_prefix;            // "roberta." / "vit."; empty: no prefix handling
  std::vector<IgnoreRule> ignorable;  // checkpoint keys that may be left unused
  std::vector<std::string> fresh;     // module-name patterns that may be freshly initialised
  std::vector<std::string> tied;      // module names that alias another tensor: never saved,
                                      // and filled through their twin when absent
};

// How to treat a checkpoint that disagrees with the model.
struct LoadOptions {
  // A checkpoint tensor whose shape differs from the module's is skipped (the module tensor
  // keeps its initialisation, and LoadSummary::mismatched says so) instead of being an error.
  bool ignore_mismatched_sizes = false;
};

// What load_weights did, by module name (ignored keys by their checkpoint name).
struct LoadSummary {
  std::vector<std::string> loaded;
  std::vector<std::pair<std::string, std::string>> ignored;  // (checkpoint key, reason)
  std::vector<std::string> fresh;                            // kept their initialisation
  // ignore_mismatched_sizes: "classifier.weight: checkpoint f32 (1000, 48), model f32 (47, 48)";
  // these kept their initialisation too.
  std::vector<std::string> mismatched;
  std::vector<std::string> tied;     // filled through a tied twin
  std::vector<std::string> renamed;  // "a.gamma -> a.weight"
  std::string prefix_change;  // "'roberta.' added to the checkpoint keys" / "… stripped from …"
  // "loaded 199 tensors; ignored 2 (lm_head.dense.weight: MLM head ...); freshly initialised 4
  // (classifier.dense.weight, ...)" with one line per ignored / fresh key.
  std::string to_string() const;
};

// Maps `weights` onto `module` (Note [checkpoint key mapping]) and copies them in, under
// NoGradGuard; requires_grad flags are left as they are. Prints the summary to `log` (stdout by
// default; null for silence).
//   hf::load_pretrained(model, dir, layout, &std::cout, {.ignore_mismatched_sizes = true});
LoadSummary load_weights(Module& module, const std::map<std::string, Tensor>& weights,
                         const CheckpointLayout& layout, std::ostream* log = &std::cout,
                         const LoadOptions& options = {});

// read_weights(dir), then load_weights; errors are prefixed with the directory.
LoadSummary load_pretrained(Module& module, const std::string& dir, const CheckpointLayout& layout,
                            std::ostream* log = &std::cout, const LoadOptions& options = {});

// ---- transformers' in-memory module names -------------------------------------------------

// Note [in-memory module names]
// transformers 5 renames some models' modules in memory while their checkpoints keep the classic
// names: its ViT holds "vit.layers.0.attention.q_proj" where the file (and fftune) says
// "vit.encoder.layer.0.attention.attention.query". Checkpoints are unaffected, but peft works on
// the in-memory model, so an adapter it writes names the layers that way: target_modules
// ["q_proj", "v_proj"], keys "base_model.model.vit.layers.0.attention.q_proj.…". A model with
// such renames lists them (ViTModel::transformers_module_renames()), and the peft loader matches
// the adapter's patterns and keys against the in-memory names (adapters/peft_format.h).
struct ModuleRename {
  std::string checkpoint;  // a run of whole name components as checkpoints spell it
  std::string in_memory;   // the same as transformers names it in memory
};
using ModuleRenames = std::vector<ModuleRename>;

// `path` (a dotted module or tensor name, as checkpoints and fftune spell it) as transformers
// names it in memory: each rule, in order, replaces every run of whole components equal to its
// `checkpoint` ("intermediate.dense" in "encoder.layer.0.intermediate.dense", not in
// "my_intermediate.dense").
std::string in_memory_name(const std::string& path, const ModuleRenames& renames);

// ---- saving --------------------------------------------------------------------------------

// Writes dir/config.json (`config`, pretty-printed) and dir/model.safetensors (the module's
// state_dict minus layout.tied names, contiguous copies, metadata {"format": "pt"} as
// transformers writes), each to a temporary name renamed into place. Creates dir if needed.
// The result loads back with load_pretrained and with transformers' from_pretrained.
void save_pretrained(const Module& module, const std::string& dir, const nlohmann::json& config,
                     const CheckpointLayout& layout);

}  // namespace fftune::nn::hf
