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
      {"--lora-alpha", {"lora_alpha"}}};
  return flags;
}

double Config::effective_lr() const {
  return lr >= 0 ? lr : default_lr(adapter);
}

std::string usage() {
  return R"(vit_dtd: fine-tune a ViT on DTD (or any ImageFolder) with FourierFT, LoRA, Hartley,
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
  --adapter M            fourierft | lora | hartley | full | head (fourierft)
  --n N                  FourierFT/Hartley coefficients per layer (3000)
  --alpha A              FourierFT/Hartley scaling (300)
  --target-modules L     comma-separated Linear names (query,value)
  --freq-bias FC,W       FourierFT frequency-biased entries: centre FC, width W (off)
  --random-loc-seed S    seed of the spectral entries (777, peft's)
  --lora-r R, --lora-alpha A   LoRA rank and alpha (16, 16)
optimisation
  --lr X                 adapter lr (fourierft/hartley 0.3, lora 5e-3, full 1e-4)
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
  --stop-after-epoch E   stop after epoch E with a checkpoint, as a Ctrl-C would
  --stop-after-step S    stop after optimizer step S (mid-epoch) with a checkpoint
  --quiet                one line per epoch instead of a progress bar
demo
  --demo                 run the demo   --demo-size full|small   --cache-dir DIR
  --help
)";
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
          {"--n", [&](auto& f, auto& v) { c.n = to_int(f, v); }},
          {"--alpha", [&](auto& f, auto& v) { c.alpha = to_double(f, v); }},
          {"--target-modules", [&](auto&, auto& v) { c.target_modules = split_commas(v); }},
          {"--freq-bias",
           [&](auto& f, auto& v) {
             const auto parts = split_commas(v);
             FFTUNE_CHECK(parts.size() == 2, "vit_dtd: ", f, " expects FC,W, got '", v, "'");
             c.freq_bias =
                 fftune::fourierft::FrequencyBias{to_double(f, parts[0]), to_double(f, parts[1])};
           }},
          {"--random-loc-seed",
           [&](auto& f, auto& v) { c.random_loc_seed = static_cast<uint64_t>(to_int(f, v)); }},
          {"--lora-r", [&](auto& f, auto& v) { c.lora_r = to_int(f, v); }},
          {"--lora-alpha", [&](auto& f, auto& v) { c.lora_alpha = to_double(f, v); }},
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
    FFTUNE_CHECK(it != valued.end(), "vit_dtd: unknown flag '", flag, "' (see --help)");
    if (!has_inline) {
      FFTUNE_CHECK(i + 1 < argc, "vit_dtd: ", flag, " needs a value");
      value = argv[++i];
    }
    it->second(flag, value);
  }

  const std::vector<std::string> adapters = {"fourierft", "lora", "hartley", "full", "head"};
  FFTUNE_CHECK(std::find(adapters.begin(), adapters.end(), c.adapter) != adapters.end(),
               "vit_dtd: --adapter must be fourierft, lora, hartley, full or head, got '",
               c.adapter, "'");
  FFTUNE_CHECK(c.split >= 1 && c.split <= 10, "vit_dtd: --split must be 1..10, got ", c.split);
  FFTUNE_CHECK(c.n > 0, "vit_dtd: --n must be positive, got ", c.n);
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
  FFTUNE_CHECK(!c.freq_bias || c.adapter == "fourierft",
               "vit_dtd: --freq-bias applies to --adapter fourierft only");
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
