// The flags every example program shares, declared once: the same name, meaning and check in
// vit_dtd and roberta_glue (examples/common/README.md has the table). A program registers them
// with add_run_flags(), adds only its task flags (--task, --data, --crop-scale-min, ...) and its
// adapter flags, parses, and reads the shared values back with read_run_flags().
//
//   Flags flags("vit_dtd", "Fine-tunes a ViT ...");
//   add_run_flags(flags, {.epochs = 10, .lr = -1, ...});
//   flags.add_double("crop-scale-min", 0.08, "...");
//   flags.parse(argc, argv);
//   const RunFlags run = read_run_flags(flags);   // throws fftune::Error naming a bad flag
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "examples/common/flags.h"

namespace fftune::examples {

// A program's defaults for the shared flags.
struct RunFlagDefaults {
  int64_t epochs = 10;
  int64_t batch_size = 32;
  double lr = 1e-3;  // < 0: "the adapter's default" (the program resolves it)
  std::string lr_help = "learning rate of the adapter's parameters";
  double head_lr = 1e-3;
  double weight_decay = 0.0;
  double warmup = 0.0;  // fraction of the optimizer steps
  double max_grad_norm = 0.0;
  std::string out;
};

struct RunFlags {
  // ---- what changes the result (a checkpoint records these) ----
  int64_t epochs = 0;
  int64_t batch_size = 0;
  int64_t grad_accum = 1;
  double lr = 0.0;
  double head_lr = 0.0;
  double weight_decay = 0.0;
  double warmup = 0.0;         // fraction of the optimizer steps with a linear warmup
  double max_grad_norm = 0.0;  // 0: no clipping
  uint64_t seed = 0;
  std::string model_dir;
  bool ignore_mismatched_sizes = false;
  // ---- how it runs ----
  std::string out;
  bool overwrite = false;
  bool resume = false;
  bool eval_only = false;
  std::string adapter_path;
  int64_t stop_after_steps = 0;   // > 0: checkpoint and stop after that optimizer step
  int64_t stop_after_epochs = 0;  // > 0: checkpoint and stop after that epoch
  int threads = 0;                // 0: fftune's default
  std::string device = "cpu";
  bool quiet = false;  // one line per epoch, no progress bar
  bool checkpoint_activations = false;
  bool demo = false;
  std::string demo_size = "full";
  std::string cache_dir;
  std::vector<std::string> given;  // the flags given, as typed ("--n")
};

// Registers the shared flags (the README's table) on `flags`.
void add_run_flags(Flags& flags, const RunFlagDefaults& defaults);
// The shared flags' values after flags.parse(), checked (one fftune::Error naming the flag).
RunFlags read_run_flags(const Flags& flags);

// Warm-up steps for a fraction of `total_steps`, as transformers' get_warmup_steps:
// ceil(total · fraction).
int64_t warmup_steps(double fraction, int64_t total_steps);

// The shared flags that change what a run computes, as exact text (a checkpoint's "flags").
std::map<std::string, std::string> result_flags(const RunFlags& run);

// "%.17g": every double round-trips.
std::string exact_text(double value);

}  // namespace fftune::examples
