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

double default_lr(const std::string& adapter) {
  if (adapter == "fourierft" || adapter == "hartley") return 3e-1;  // the paper's DTD setting
  if (adapter == "lora") return 5e-3;
  if (adapter == "full") return 1e-4;
  return 1e-3;  // head: the head's own lr applies
}

fftune::examples::Method method_of(const Config& c) {
  fftune::examples::Method m;
  m.adapter = c.adapter;
  m.target_modules = c.target_modules;
  m.modules_to_save = {"classifier"};
  m.n_frequency = c.n;
  m.scaling = c.alpha;
  m.random_loc_seed = c.random_loc_seed;
  m.frequency_bias = c.freq_bias;
  m.r = c.lora_r;
  m.lora_alpha = c.lora_alpha;
  return m;
}

void apply_method(Config& c, const fftune::examples::Method& m) {
  // Only the fields of m.adapter: the others keep their flags' values (a checkpoint's
  // fingerprint holds them).
  c.adapter = m.adapter;
  c.freq_bias = m.frequency_bias;
  if (m.adapter == "fourierft" || m.adapter == "hartley" || m.adapter == "lora")
    c.target_modules = m.target_modules;
  if (m.adapter == "fourierft" || m.adapter == "hartley") {
    c.n = m.n_frequency;
    c.alpha = m.scaling;
    c.random_loc_seed = m.random_loc_seed;
  }
  if (m.adapter == "lora") {
    c.lora_r = m.r;
    c.lora_alpha = m.lora_alpha;
  }
}

const std::vector<fftune::examples::MethodFlag>& method_flags() {
  static const std::vector<fftune::examples::MethodFlag> flags = {
      {"--adapter", {"adapter"}},
      {"--n", {"n_frequency"}},
      {"--alpha", {"scaling"}},
      {"--target-modules", {"target_modules"}},
      {"--freq-bias", {"frequency_bias"}},
      {"--random-loc-seed", {"random_loc_seed"}},
      {"--lora-r", {"r"}},
      {"--rank", {"r"}},
      {"--lora-alpha", {"lora_alpha"}}};
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
  // ---- the adapter ----
  flags.add_choice("adapter", "fourierft", {"fourierft", "lora", "hartley", "full", "head"},
                   "what to train (the classifier trains in every method)");
  flags.add_int("n", 3000, "FourierFT/Hartley coefficients per layer");
  flags.add_double("alpha", 300.0, "FourierFT/Hartley scaling");
  flags.add_string("target-modules", "query,value", "comma-separated Linear names");
  flags.add_string("freq-bias", "", "FourierFT frequency-biased entries: FC,W (centre, width)");
  flags.add_int("random-loc-seed", 777, "seed of the spectral entries (peft's)");
  flags.add_int("lora-r", 16, "LoRA rank (--rank is the same flag)");
  flags.add_int("rank", 0, "LoRA rank, as --lora-r (0: --lora-r's)");
  flags.add_double("lora-alpha", 16.0, "LoRA alpha");
  flags.parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.help().c_str(), stdout);
    std::exit(0);
  }

  const fftune::examples::RunFlags run = fftune::examples::read_run_flags(flags);
  Config c;
  c.model_dir = run.model_dir;
  c.ignore_mismatched_sizes = run.ignore_mismatched_sizes;
  c.data_dir = flags.get_string("data");
  c.split = static_cast<int>(flags.get_int("split"));
  c.adapter = flags.get_string("adapter");
  c.n = flags.get_int("n");
  c.alpha = flags.get_double("alpha");
  c.target_modules = split_commas(flags.get_string("target-modules"));
  if (const std::vector<double> bias = flags.get_doubles("freq-bias"); !bias.empty()) {
    FFTUNE_CHECK(bias.size() == 2, "vit_dtd: --freq-bias expects FC,W");
    c.freq_bias = fftune::fourierft::FrequencyBias{bias[0], bias[1]};
  }
  c.random_loc_seed = static_cast<uint64_t>(flags.get_int("random-loc-seed"));
  c.lora_r = flags.is_set("rank") ? flags.get_int("rank") : flags.get_int("lora-r");
  c.lora_alpha = flags.get_double("lora-alpha");
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
  if (flags.is_set("rank")) c.given_flags.push_back("--lora-r");

  FFTUNE_CHECK(c.split >= 1 && c.split <= 10, "vit_dtd: --split must be 1..10, got ", c.split);
  FFTUNE_CHECK(c.n > 0, "vit_dtd: --n must be positive, got ", c.n);
  FFTUNE_CHECK(c.lora_r > 0, "vit_dtd: --lora-r must be positive, got ", c.lora_r);
  FFTUNE_CHECK(c.workers > 0, "vit_dtd: --workers must be positive, got ", c.workers);
  FFTUNE_CHECK(c.crop_scale_min > 0 && c.crop_scale_min <= 1,
               "vit_dtd: --crop-scale-min must be in (0, 1], got ", c.crop_scale_min);
  FFTUNE_CHECK(!c.freq_bias || c.adapter == "fourierft",
               "vit_dtd: --freq-bias applies to --adapter fourierft only");
  if (!c.demo) {
    FFTUNE_CHECK(!c.model_dir.empty(), "vit_dtd: --model DIR is required (or run --demo)");
    FFTUNE_CHECK(!c.data_dir.empty(), "vit_dtd: --data DIR is required (or run --demo)");
  }
  return c;
}

}  // namespace vit_dtd
