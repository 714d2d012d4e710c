// vit_dtd's settings: every command-line flag, with the paper's DTD defaults (FourierFT n = 3000,
// α = 300, lr 0.3 on the spectral coefficients and 1e-3 on the head, weight decay 7e-5, 10
// epochs), and the parser that fills them. The adapter flags come from the adapter registry
// (examples/common/adapter_flags.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "examples/common/adapter_flags.h"
#include "examples/common/method.h"
#include "examples/common/run_folder.h"
#include "nn/models/vit.h"

namespace vit_dtd {

struct Config {
  // ---- what to train on ----
  std::string model_dir;  // an HF ViT directory (config.json + model.safetensors)
  // A checkpoint tensor whose shape differs from the model (a 1000-class classifier) starts
  // fresh instead of failing the load (transformers' ignore_mismatched_sizes).
  bool ignore_mismatched_sizes = false;
  std::string data_dir;  // the DTD release (images/, labels/) or an ImageFolder (train/, val/)
  int split = 1;         // DTD's split k (1..10)

  // ---- the adapter ----
  std::string adapter = "fourierft";  // a registered adapter (adapters/registry.h), full, head
  std::vector<std::string> target_modules = {"query", "value"};
  // The adapter's options ({key: value}, examples/common/adapter_flags.h): this program's
  // defaults for it (adapter_defaults), then its flags. Empty: the defaults.
  fftune::adapters::AdapterOptions adapter_options = nlohmann::json::object();

  // ---- optimisation ----
  double lr = -1.0;  // < 0: the adapter's default (default_lr)
  double head_lr = 1e-3;
  double weight_decay = 7e-5;
  int64_t epochs = 10;
  int64_t batch_size = 32;
  int64_t grad_accum = 1;
  double warmup = 0.0;         // fraction of the optimizer steps with a linear warmup
  double max_grad_norm = 0.0;  // 0: no clipping
  uint64_t seed = 0;

  // ---- images ----
  int64_t image_size = 0;        // 0: the model's image_size
  double crop_scale_min = 0.08;  // RandomResizedCrop's lower area fraction (torchvision's)
  int workers = 2;               // decoding threads

  // ---- running ----
  std::string device = "cpu";
  int threads = 0;  // 0: fftune's default
  // Recompute each encoder layer in backward instead of keeping its activations: less memory,
  // about one more forward per step (nn/activation_checkpoint.h).
  bool checkpoint_activations = false;
  std::string out = "runs/vit_dtd";
  bool overwrite = false;  // a non-empty --out holding an earlier run is emptied, not refused
  bool resume = false;
  bool eval_only = false;
  std::string adapter_path;
  std::string export_merged;      // non-empty: also write the merged model there (HF directory)
  int64_t stop_after_epochs = 0;  // > 0: stop (checkpointed) after that epoch
  int64_t stop_after_steps = 0;   // > 0: stop (checkpointed) after that optimizer step
  bool quiet = false;             // no progress bar, one line per epoch

  // ---- the demo ----
  bool demo = false;
  std::string demo_size = "full";  // full | small (the end-to-end test's)
  std::string cache_dir;           // empty: $XDG_CACHE_HOME/fftune or ~/.cache/fftune

  // Not flags: the demo pre-trains its backbone from scratch with this architecture, and skips
  // the test split then (only the validation split picks the epoch it keeps).
  bool evaluate_test = true;
  // The demo's backbone architecture:
  std::optional<fftune::nn::ViTConfig> scratch_model;

  // The flags given on the command line, as typed ("--n"): with --eval-only and --resume the
  // method comes from the folder, and a given method flag must agree with it.
  std::vector<std::string> given_flags;

  double effective_lr() const;  // lr, or the adapter's default
};

// The method the adapter flags describe (the classifier is the module to save), and the
// inverse: the adapter flags set to a folder's method (--resume).
fftune::examples::Method method_of(const Config& config);
void apply_method(Config& config, const fftune::examples::Method& method);
// The adapter flags and the Method fields they set (run_folder.h check_method_flags).
const std::vector<fftune::examples::MethodFlag>& method_flags();

// This program's defaults per adapter (the paper's DTD settings), over the registry's.
const fftune::examples::AdapterDefaults& adapter_defaults();

// The learning rate of the adapter's parameters when --lr is not given.
double default_lr(const std::string& adapter);

// Parses the command line: the shared flags (examples/common/run_flags.h) and vit_dtd's own.
// --help prints them and exits; a bad flag or value throws fftune::Error naming it.
Config parse_flags(int argc, char** argv);

}  // namespace vit_dtd
