#include "config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/error.h"
#include "examples/common/flags.h"
#include "examples/common/run_flags.h"

namespace vit_dtd {
namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

const fftune::examples::AdapterDefaults& adapter_defaults() {
  static const fftune::examples::AdapterDefaults defaults = {
      {"fourierft", {{"n_frequency", 3000}, {"scaling", 300.0}, {"lr", 3e-1}}},  // the paper's DTD
      {"hartley", {{"n_frequency", 3000}, {"scaling", 300.0}, {"lr", 3e-1}}},
      {"lora", {{"r", 16}, {"lora_alpha", 16.0}, {"lr", 5e-3}}}};
  return defaults;
}

double default_lr(const std::string& adapter) {
  return fftune::examples::default_learning_rate(adapter, adapter_defaults(),
                                                 adapter == "full" ? 1e-4 : 1e-3);
}

fftune::examples::Method method_of(const Config& c) {
  fftune::examples::Method m;
  m.adapter = c.adapter;
  m.target_modules = c.target_modules;
  m.modules_to_save = {"classifier"};
  if (fftune::adapters::is_registered_adapter(c.adapter))
    m.options =
        fftune::examples::options_with_defaults(c.adapter, adapter_defaults(), c.adapter_options);
  return m;
}

void apply_method(Config& c, const fftune::examples::Method& m) {
  // Only the fields of m.adapter: the others keep their flags' values (a checkpoint's
  // fingerprint holds them).
  c.adapter = m.adapter;
  if (fftune::adapters::is_registered_adapter(m.adapter)) {
    c.target_modules = m.target_modules;
    c.adapter_options = m.options;
  }
}

const std::vector<fftune::examples::MethodFlag>& method_flags() {
  static const std::vector<fftune::examples::MethodFlag> flags =
      fftune::examples::adapter_method_flags();
  return flags;
}

double Config::effective_lr() const {
  return lr >= 0 ? lr : default_lr(adapter);
}

Config parse_flags(int argc, char** argv) {
  using fftune::examples::Flags;
  Flags flags("vit_dtd",
              "Fine-tunes a ViT on DTD (or any ImageFolder) with FourierFT, LoRA, Hartley, full "
              "fine-tuning or the head alone; --demo runs the paper's Figure 1 in miniature on "
              "procedural textures (docs/reproduce.md has the paper's command).");
  fftune::examples::add_run_flags(
      flags, {.epochs = 10,
              .batch_size = 32,
              .lr = -1.0,
              .lr_help = "adapter lr (-1: the adapter's: fourierft/hartley 0.3, lora 5e-3, full "
                         "1e-4)",
              .head_lr = 1e-3,
              .weight_decay = 7e-5,
              .warmup = 0.0,
              .max_grad_norm = 0.0,
              .out = "runs/vit_dtd"});
  // ---- the task ----
  flags.add_string("data", "",
                   "the DTD release (images/, labels/) or an ImageFolder (train/, val/[, test/])");
  flags.add_int("split", 1, "DTD's split 1..10");
  flags.add_int("image-size", 0, "input resolution (0: the model's)");
  flags.add_double("crop-scale-min", 0.08, "RandomResizedCrop's lower area fraction");
  flags.add_int("workers", 2, "image decoding threads");
  // ---- the method: a registered adapter (its option flags come from the registry), full or head
  flags.add_choice("adapter", "fourierft", fftune::examples::method_names(),
                   "what to train (the classifier trains in every method)");
  flags.add_string("target-modules", "query,value", "comma-separated Linear names");
  fftune::examples::add_adapter_flags(flags);
  flags.add_string("export-merged", "",
                   "also write the trained (or --eval-only's) model with the adapter merged into "
                   "its weights, as an HF ViTForImageClassification directory");
  flags.parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs((flags.help() + fftune::examples::adapters_help(adapter_defaults())).c_str(),
               stdout);
    std::exit(0);
  }

  const fftune::examples::RunFlags run = fftune::examples::read_run_flags(flags);
  Config c;
  c.model_dir = run.model_dir;
  c.ignore_mismatched_sizes = run.ignore_mismatched_sizes;
  c.data_dir = flags.get_string("data");
  c.split = static_cast<int>(flags.get_int("split"));
  c.adapter = flags.get_string("adapter");
  c.target_modules = split_commas(flags.get_string("target-modules"));
  // The adapter's options: the registry's defaults, this program's, then the flags given; with
  // --resume and --eval-only the folder's method decides (run_folder.h), so other adapters'
  // flags are not an error there.
  if (fftune::adapters::is_registered_adapter(c.adapter))
    c.adapter_options = fftune::examples::adapter_options_from_flags(
        flags, c.adapter, adapter_defaults(), /*strict=*/!run.resume && !run.eval_only);
  c.export_merged = flags.get_string("export-merged");
  c.lr = run.lr;
  c.head_lr = run.head_lr;
  c.weight_decay = run.weight_decay;
  c.epochs = run.epochs;
  c.batch_size = run.batch_size;
  c.grad_accum = run.grad_accum;
  c.warmup = run.warmup;
  c.max_grad_norm = run.max_grad_norm;
  c.seed = run.seed;
  c.image_size = flags.get_int("image-size");
  c.crop_scale_min = flags.get_double("crop-scale-min");
  c.workers = static_cast<int>(flags.get_int("workers"));
  c.device = run.device;
  c.threads = run.threads;
  c.checkpoint_activations = run.checkpoint_activations;
  c.out = run.out;
  c.overwrite = run.overwrite;
  c.resume = run.resume;
  c.eval_only = run.eval_only;
  c.adapter_path = run.adapter_path;
  c.stop_after_epochs = run.stop_after_epochs;
  c.stop_after_steps = run.stop_after_steps;
  c.quiet = run.quiet;
  c.demo = run.demo;
  c.demo_size = run.demo_size;
  c.cache_dir = run.cache_dir;
  c.given_flags = run.given;

  FFTUNE_CHECK(c.split >= 1 && c.split <= 10, "vit_dtd: --split must be 1..10, got ", c.split);
  FFTUNE_CHECK(c.workers > 0, "vit_dtd: --workers must be positive, got ", c.workers);
  FFTUNE_CHECK(c.crop_scale_min > 0 && c.crop_scale_min <= 1,
               "vit_dtd: --crop-scale-min must be in (0, 1], got ", c.crop_scale_min);
  if (!c.demo) {
    FFTUNE_CHECK(!c.model_dir.empty(), "vit_dtd: --model DIR is required (or run --demo)");
    FFTUNE_CHECK(!c.data_dir.empty(), "vit_dtd: --data DIR is required (or run --demo)");
  }
  return c;
}

}  // namespace vit_dtd
