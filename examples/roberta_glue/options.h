// The command line of roberta_glue: every flag, its default, and --paper-defaults (the FourierFT
// paper's per-task settings for roberta-base, Table 8 of arXiv 2405.03003).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/registry.h"
#include "data/glue.h"

namespace roberta_glue {

struct Options {
  fftune::data::GlueTask task = fftune::data::GlueTask::kSst2;
  std::string glue_dir;
  std::string model_dir;
  // a registered adapter (adapters/registry.h), full or head
  std::string adapter = "fourierft";
  // The adapter's options ({key: value}; examples/common/adapter_flags.h): the registry's
  // defaults (--paper-defaults: the paper's for FourierFT), then the flags given.
  fftune::adapters::AdapterOptions adapter_options = nlohmann::json::object();
  std::vector<std::string> target_modules = {"query", "value"};
  // The adapter's parameters (the whole model with --adapter full); parse_options sets the
  // adapter's default when --lr is not given.
  double lr = 5e-2;
  double head_lr = 5e-3;  // the classifier
  double weight_decay = 0;
  int64_t epochs = 10;
  int64_t batch_size = 32;
  int64_t grad_accum = 1;
  double warmup = 0.06;        // fraction of the optimizer steps with linear warmup
  double max_grad_norm = 1.0;  // 0: no clipping
  int64_t max_len = 512;
  uint64_t seed = 0;
  int threads = 0;  // 0: fftune's default
  std::string device = "cpu";
  bool quiet = false;  // no progress bar: one line per epoch
  std::string out = "runs/roberta_glue";
  bool overwrite = false;  // a non-empty --out holding an earlier run is emptied, not refused
  bool resume = false;
  bool eval_only = false;
  std::string adapter_path;
  std::string export_merged;  // non-empty: also write the best model, merged, there
  bool predict = false;
  bool paper_defaults = false;
  bool print_config = false;
  // Recompute each encoder layer in backward instead of keeping its activations.
  bool checkpoint_activations = false;
  // A --model tensor whose shape differs from the model's (a fine-tuned head with other labels)
  // starts fresh instead of failing the load (transformers' ignore_mismatched_sizes).
  bool ignore_mismatched_sizes = false;
  // Stops (checkpointed) after this optimizer step / this epoch; 0: never.
  int64_t stop_after_steps = 0;
  int64_t stop_after_epochs = 0;
  // The demo (demo.h): no --glue-dir or --model needed.
  bool demo = false;
  std::string demo_size = "full";  // full | small (the end-to-end test's)
  std::string cache_dir;           // empty: $XDG_CACHE_HOME/fftune or ~/.cache/fftune
  // The flags given on the command line, as typed ("--n"): with --eval-only and --resume the
  // method comes from the folder, and a given method flag must agree with it.
  std::vector<std::string> given_flags;
};

// Parses the command line: the shared flags (examples/common/run_flags.h) and roberta_glue's own;
// --help prints them and exits. Order of precedence: explicit flags, then --paper-defaults, then
// the defaults above. Errors are fftune::Error naming the flag.
Options parse_options(int argc, char** argv);

// The resolved options as JSON (written to <out>/config.json and printed by --print-config).
nlohmann::json to_json(const Options& options);

}  // namespace roberta_glue
