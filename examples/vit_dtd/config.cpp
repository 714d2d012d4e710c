#include "config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

#include "core/error.h"

namespace vit_dtd {
namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

double to_double(const std::string& flag, const std::string& value) {
  try {
    size_t used = 0;
    const double v = std::stod(value, &used);
    if (used == value.size()) return v;
  } catch (const std::exception&) {
  }
  FFTUNE_CHECK(false, "vit_dtd: ", flag, " expects a number, got '", value, "'");
  return 0;
}

int64_t to_int(const std::string& flag, const std::string& value) {
  try {
    size_t used = 0;
    const long long v = std::stoll(value, &used);
    if (used == value.size()) return v;
  } catch (const std::exception&) {
  }
  FFTUNE_CHECK(false, "vit_dtd: ", flag, " expects an integer, got '", value, "'");
  return 0;
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

std::string usage() {
  return std::string(
             R"(vit_dtd: fine-tune a ViT on DTD (or any ImageFolder) with FourierFT, LoRA, Hartley,
full fine-tuning or a head only.

  vit_dtd --demo                        the built-in demo (procedural textures, tiny ViT)
  vit_dtd --model DIR --data DIR [...]  a real run (docs/reproduce.md has the paper's command)

data and model
  --model DIR            HF ViT directory (config.json, model.safetensors)
  --data DIR             DTD release (images/, labels/) or ImageFolder (train/, val/[, test/])
  --split K              DTD split 1..10 (1)
  --ignore-mismatched-sizes   a --model tensor whose shape differs from the model's (a
                         fine-tuned classifier with other classes) starts fresh, not an error
adapter
  --adapter M            a registered adapter (listed below), full or head (fourierft)
  --target-modules L     comma-separated Linear names (query,value)
  the adapter's options: see "adapters" below
optimisation
  --lr X                 adapter lr (each adapter's default below; full 1e-4)
  --head-lr X            classifier lr (1e-3)
  --weight-decay X       (7e-5)
  --epochs N (10)   --batch-size N (32)   --grad-accum N (1)   --warmup STEPS (0)
  --seed S               data order, augmentation and initialisation (0)
  --image-size N         (the model's)   --crop-scale-min X (0.08)   --workers N (2)
running
  --device cpu|cuda (cpu)   --threads N (fftune's default)
  --checkpoint-activations  recompute each encoder layer in backward: less memory, about one
                         more forward per step
  --out DIR              run directory (runs/vit_dtd); a new run refuses one that is not empty
  --overwrite            empty --out first when it holds an earlier run
  --resume               continue from DIR/checkpoint (bit-identical on the CPU)
  --eval-only --adapter-path P   evaluate a saved method (P = a run's folder or its adapter/)
                         With --resume and --eval-only the method and its options come from
                         the folder (fftune_run.json, adapter_config.json): adapter flags may be
                         left out; one that contradicts the folder is an error
  --export-merged DIR    also write the trained (or --eval-only's) model with the adapter merged
                         into its weights, as an HF ViTForImageClassification directory
  --stop-after-epoch E   stop after epoch E with a checkpoint, as a Ctrl-C would
  --stop-after-step S    stop after optimizer step S (mid-epoch) with a checkpoint
  --quiet                one line per epoch instead of a progress bar
demo
  --demo                 run the demo   --demo-size full|small   --cache-dir DIR
  --help
)") + fftune::examples::adapters_help(adapter_defaults());
}

Config parse_flags(int argc, char** argv) {
  Config c;
  // Flags that take a value, and what they set.
  const std::map<std::string, std::function<void(const std::string&, const std::string&)>> valued =
      {
          {"--model", [&](auto&, auto& v) { c.model_dir = v; }},
          {"--data", [&](auto&, auto& v) { c.data_dir = v; }},
          {"--split", [&](auto& f, auto& v) { c.split = static_cast<int>(to_int(f, v)); }},
          {"--adapter", [&](auto&, auto& v) { c.adapter = v; }},
          {"--target-modules", [&](auto&, auto& v) { c.target_modules = split_commas(v); }},
          {"--lr", [&](auto& f, auto& v) { c.lr = to_double(f, v); }},
          {"--head-lr", [&](auto& f, auto& v) { c.head_lr = to_double(f, v); }},
          {"--weight-decay", [&](auto& f, auto& v) { c.weight_decay = to_double(f, v); }},
          {"--epochs", [&](auto& f, auto& v) { c.epochs = to_int(f, v); }},
          {"--batch-size", [&](auto& f, auto& v) { c.batch_size = to_int(f, v); }},
          {"--grad-accum", [&](auto& f, auto& v) { c.grad_accum = to_int(f, v); }},
          {"--warmup", [&](auto& f, auto& v) { c.warmup = to_int(f, v); }},
          {"--seed", [&](auto& f, auto& v) { c.seed = static_cast<uint64_t>(to_int(f, v)); }},
          {"--image-size", [&](auto& f, auto& v) { c.image_size = to_int(f, v); }},
          {"--crop-scale-min", [&](auto& f, auto& v) { c.crop_scale_min = to_double(f, v); }},
          {"--workers", [&](auto& f, auto& v) { c.workers = static_cast<int>(to_int(f, v)); }},
          {"--device", [&](auto&, auto& v) { c.device = v; }},
          {"--threads", [&](auto& f, auto& v) { c.threads = static_cast<int>(to_int(f, v)); }},
          {"--out", [&](auto&, auto& v) { c.out = v; }},
          {"--adapter-path", [&](auto&, auto& v) { c.adapter_path = v; }},
          {"--export-merged", [&](auto&, auto& v) { c.export_merged = v; }},
          {"--stop-after-epoch", [&](auto& f, auto& v) { c.stop_after_epoch = to_int(f, v); }},
          {"--stop-after-step", [&](auto& f, auto& v) { c.stop_after_step = to_int(f, v); }},
          {"--demo-size", [&](auto&, auto& v) { c.demo_size = v; }},
          {"--cache-dir", [&](auto&, auto& v) { c.cache_dir = v; }},
      };
  const std::map<std::string, bool*> switches = {
      {"--resume", &c.resume},
      {"--overwrite", &c.overwrite},
      {"--eval-only", &c.eval_only},
      {"--quiet", &c.quiet},
      {"--ignore-mismatched-sizes", &c.ignore_mismatched_sizes},
      {"--checkpoint-activations", &c.checkpoint_activations},
      {"--demo", &c.demo}};
  std::vector<std::string> adapter_args;  // --n=3000 ...: the registry's flags
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i], value;
    bool has_inline = false;
    if (const size_t eq = flag.find('='); eq != std::string::npos) {  // --flag=value
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_inline = true;
    }
    c.given_flags.push_back(flag);
    if (flag == "--help" || flag == "-h") {
      std::fputs(usage().c_str(), stdout);
      std::exit(0);
    }
    if (auto s = switches.find(flag); s != switches.end() && !has_inline) {
      *s->second = true;
      continue;
    }
    auto it = valued.find(flag);
    const bool adapter_flag = fftune::examples::is_adapter_flag(flag);
    FFTUNE_CHECK(it != valued.end() || adapter_flag, "vit_dtd: unknown flag '", flag,
                 "' (see --help)");
    if (!has_inline) {
      FFTUNE_CHECK(i + 1 < argc, "vit_dtd: ", flag, " needs a value");
      value = argv[++i];
    }
    if (adapter_flag) {
      adapter_args.push_back(flag + "=" + value);
    } else {
      it->second(flag, value);
    }
  }

  FFTUNE_CHECK(fftune::examples::is_method(c.adapter), "vit_dtd: --adapter must be one of ",
               nlohmann::json(fftune::examples::method_names()).dump(), ", got '", c.adapter, "'");
  // The adapter's options: its registered flags, read by the shared parser.
  fftune::examples::Flags adapter_flags("vit_dtd", "");
  fftune::examples::add_adapter_flags(adapter_flags);
  adapter_flags.parse(adapter_args);
  if (fftune::adapters::is_registered_adapter(c.adapter))
    c.adapter_options = fftune::examples::adapter_options_from_flags(
        adapter_flags, c.adapter, adapter_defaults(), /*strict=*/!c.resume && !c.eval_only);
  FFTUNE_CHECK(c.split >= 1 && c.split <= 10, "vit_dtd: --split must be 1..10, got ", c.split);
  FFTUNE_CHECK(c.epochs > 0, "vit_dtd: --epochs must be positive, got ", c.epochs);
  FFTUNE_CHECK(c.batch_size > 0, "vit_dtd: --batch-size must be positive, got ", c.batch_size);
  FFTUNE_CHECK(c.grad_accum > 0, "vit_dtd: --grad-accum must be positive, got ", c.grad_accum);
  FFTUNE_CHECK(c.warmup >= 0, "vit_dtd: --warmup must be ≥ 0, got ", c.warmup);
  FFTUNE_CHECK(c.workers > 0, "vit_dtd: --workers must be positive, got ", c.workers);
  FFTUNE_CHECK(c.crop_scale_min > 0 && c.crop_scale_min <= 1,
               "vit_dtd: --crop-scale-min must be in (0, 1], got ", c.crop_scale_min);
  FFTUNE_CHECK(c.device == "cpu" || c.device == "cuda",
               "vit_dtd: --device must be cpu or cuda, got '", c.device, "'");
  FFTUNE_CHECK(c.demo_size == "full" || c.demo_size == "small",
               "vit_dtd: --demo-size must be full or small, got '", c.demo_size, "'");
  FFTUNE_CHECK(!c.eval_only || !c.adapter_path.empty(),
               "vit_dtd: --eval-only needs --adapter-path");
  FFTUNE_CHECK(!(c.eval_only && c.resume), "vit_dtd: --eval-only and --resume exclude each other");
  if (!c.demo) {
    FFTUNE_CHECK(!c.model_dir.empty(), "vit_dtd: --model DIR is required (or run --demo)");
    FFTUNE_CHECK(!c.data_dir.empty(), "vit_dtd: --data DIR is required (or run --demo)");
  }
  return c;
}

}  // namespace vit_dtd
