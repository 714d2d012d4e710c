#include "options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>

#include "adapters.h"
#include "core/error.h"
#include "examples/common/adapter_flags.h"
#include "examples/common/method.h"

namespace roberta_glue {

namespace {

using fftune::data::GlueTask;

constexpr const char* kUsage = R"(roberta_glue: fine-tune RoBERTa on a GLUE task.

  roberta_glue --demo   the built-in demo (a generated SST-2 task, a tiny pre-trained RoBERTa)

  --task sst2|mrpc|cola|qnli|rte|stsb   --glue-dir DIR (holds SST-2/, MRPC/, ...)
  --model DIR          config.json, model.safetensors, vocab.json, merges.txt
  --adapter NAME       a registered adapter (listed below), full or head (fourierft)
                       its options: see "adapters" below
  --target-modules a,b Linear layers to adapt (query,value)
  --lr X               the adapter's lr (each adapter's default below; full 2e-5)
  --head-lr X --weight-decay X --epochs N --batch-size N --grad-accum N
  --warmup F           fraction of optimizer steps with linear warmup (0.06)
  --max-grad-norm X    (1.0; 0 disables clipping)   --max-len N (512)
  --seed N --threads N --out DIR (runs/roberta_glue; a new run refuses one that is not empty)
  --overwrite          empty --out first when it holds an earlier run
  --resume             continue from <out>/checkpoint
  --eval-only --adapter-path DIR   evaluate a saved method (DIR = a run's folder or its best/)
                       With --resume and --eval-only the method and its options come from the
                       folder (fftune_run.json, adapter_config.json): --adapter, its options
                       and --target-modules may be left out; one that contradicts the folder
                       is an error
  --predict            write <out>/predictions/<TASK>.tsv for test.tsv
  --export-merged DIR  also write the best epoch's (or --eval-only's) model with the adapter
                       merged into its weights, as an HF RobertaForSequenceClassification
                       directory
  --paper-defaults     the FourierFT paper's roberta-base settings for the task
  --print-config       print the resolved options as JSON and exit
  --stop-after-steps N checkpoint and stop after N optimizer steps (as Ctrl-C does)
  --checkpoint-activations   recompute each encoder layer in backward: less memory, about one
                       more forward per step
  --ignore-mismatched-sizes  a --model tensor whose shape differs from the model's (a head
                       fine-tuned for other labels) starts fresh instead of being an error
  --demo               head-only, LoRA and FourierFT on the demo task, compared in one table
  --demo-size full|small   (full; small is the end-to-end test's)
  --cache-dir DIR      where the demo keeps its data and model ($XDG_CACHE_HOME/fftune or
                       ~/.cache/fftune)
)";

// The paper's per-task settings (coefficient lr, head lr, α, epochs).
struct PaperRow {
  double lr, head_lr, alpha;
  int64_t epochs;
};
PaperRow paper_row(GlueTask task) {
  switch (task) {
    case GlueTask::kSst2:
      return {0.05, 0.006, 140, 40};
    case GlueTask::kMrpc:
      return {0.05, 0.006, 151, 30};
    case GlueTask::kCola:
      return {0.12, 0.008, 49, 100};
    case GlueTask::kQnli:
      return {0.1, 0.001, 29, 40};
    case GlueTask::kRte:
      return {0.09, 0.011, 110, 90};
    case GlueTask::kStsb:
      return {0.09, 0.009, 84, 60};
  }
  FFTUNE_CHECK(false, "paper_row: unknown task");
  return {};
}

int64_t parse_int(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  const long long v = std::strtoll(value.c_str(), &end, 10);
  FFTUNE_CHECK(!value.empty() && *end == '\0', flag, ": expected an integer, got '", value, "'");
  return v;
}

double parse_double(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  FFTUNE_CHECK(!value.empty() && *end == '\0', flag, ": expected a number, got '", value, "'");
  return v;
}

std::vector<std::string> split_commas(const std::string& value) {
  std::vector<std::string> parts;
  std::stringstream stream(value);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  // Flags with a value, then switches; values are applied after --paper-defaults.
  std::map<std::string, std::string> given;
  const std::vector<std::string> switches = {"--resume",
                                             "--overwrite",
                                             "--eval-only",
                                             "--predict",
                                             "--paper-defaults",
                                             "--print-config",
                                             "--checkpoint-activations",
                                             "--ignore-mismatched-sizes",
                                             "--help",
                                             "--demo"};
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (std::find(switches.begin(), switches.end(), flag) != switches.end()) {
      given[flag] = "";
      continue;
    }
    FFTUNE_CHECK(flag.rfind("--", 0) == 0, "unexpected argument '", flag, "' (see --help)");
    FFTUNE_CHECK(i + 1 < argc, flag, ": missing value");
    given[flag] = argv[++i];
  }
  if (given.count("--help")) {
    std::fputs(kUsage, stdout);
    std::fputs(fftune::examples::adapters_help({}).c_str(), stdout);
    std::exit(0);
  }

  Options o;
  if (auto it = given.find("--task"); it != given.end())
    o.task = fftune::data::glue_task_from_name(it->second);
  if (auto it = given.find("--adapter"); it != given.end()) o.adapter = it->second;
  FFTUNE_CHECK(fftune::examples::is_method(o.adapter), "--adapter: expected one of ",
               nlohmann::json(fftune::examples::method_names()).dump(), ", got '", o.adapter, "'");
  o.paper_defaults = given.count("--paper-defaults") > 0;
  // The adapter's own defaults; --paper-defaults sets FourierFT's to the paper's row.
  fftune::examples::AdapterDefaults defaults;
  o.lr = fftune::examples::default_learning_rate(o.adapter, defaults, kFullLearningRate);
  if (o.paper_defaults) {
    const PaperRow row = paper_row(o.task);
    o.batch_size = 32;
    o.warmup = 0.06;
    o.weight_decay = 0;
    o.head_lr = row.head_lr;
    o.epochs = row.epochs;
    if (o.adapter == "fourierft") {
      o.lr = row.lr;
      defaults["fourierft"] = {{"n_frequency", 1000}, {"scaling", row.alpha}};
    }
  }
  // The adapter's options: its registered flags, read by the shared parser.
  std::vector<std::string> adapter_args;
  for (const auto& [flag, value] : given)
    if (fftune::examples::is_adapter_flag(flag)) adapter_args.push_back(flag + "=" + value);
  fftune::examples::Flags adapter_flags("roberta_glue", "");
  fftune::examples::add_adapter_flags(adapter_flags);
  adapter_flags.parse(adapter_args);
  const bool resume = given.count("--resume") > 0, eval_only = given.count("--eval-only") > 0;
  if (fftune::adapters::is_registered_adapter(o.adapter))
    o.adapter_options = fftune::examples::adapter_options_from_flags(
        adapter_flags, o.adapter, defaults, /*strict=*/!resume && !eval_only);

  const std::map<std::string, std::function<void(const std::string&, const std::string&)>> setters =
      {
          {"--task", [](auto&, auto&) {}},
          {"--adapter", [](auto&, auto&) {}},
          {"--glue-dir", [&](auto&, auto& v) { o.glue_dir = v; }},
          {"--model", [&](auto&, auto& v) { o.model_dir = v; }},
          {"--target-modules", [&](auto&, auto& v) { o.target_modules = split_commas(v); }},
          {"--lr", [&](auto& f, auto& v) { o.lr = parse_double(f, v); }},
          {"--head-lr", [&](auto& f, auto& v) { o.head_lr = parse_double(f, v); }},
          {"--weight-decay", [&](auto& f, auto& v) { o.weight_decay = parse_double(f, v); }},
          {"--epochs", [&](auto& f, auto& v) { o.epochs = parse_int(f, v); }},
          {"--batch-size", [&](auto& f, auto& v) { o.batch_size = parse_int(f, v); }},
          {"--grad-accum", [&](auto& f, auto& v) { o.grad_accum = parse_int(f, v); }},
          {"--warmup", [&](auto& f, auto& v) { o.warmup = parse_double(f, v); }},
          {"--max-grad-norm", [&](auto& f, auto& v) { o.max_grad_norm = parse_double(f, v); }},
          {"--max-len", [&](auto& f, auto& v) { o.max_len = parse_int(f, v); }},
          {"--seed", [&](auto& f, auto& v) { o.seed = static_cast<uint64_t>(parse_int(f, v)); }},
          {"--threads", [&](auto& f, auto& v) { o.threads = static_cast<int>(parse_int(f, v)); }},
          {"--out", [&](auto&, auto& v) { o.out = v; }},
          {"--adapter-path", [&](auto&, auto& v) { o.adapter_path = v; }},
          {"--export-merged", [&](auto&, auto& v) { o.export_merged = v; }},
          {"--stop-after-steps", [&](auto& f, auto& v) { o.stop_after_steps = parse_int(f, v); }},
          {"--resume", [&](auto&, auto&) { o.resume = true; }},
          {"--overwrite", [&](auto&, auto&) { o.overwrite = true; }},
          {"--eval-only", [&](auto&, auto&) { o.eval_only = true; }},
          {"--predict", [&](auto&, auto&) { o.predict = true; }},
          {"--paper-defaults", [](auto&, auto&) {}},
          {"--print-config", [&](auto&, auto&) { o.print_config = true; }},
          {"--checkpoint-activations", [&](auto&, auto&) { o.checkpoint_activations = true; }},
          {"--ignore-mismatched-sizes", [&](auto&, auto&) { o.ignore_mismatched_sizes = true; }},
          {"--demo", [&](auto&, auto&) { o.demo = true; }},
          {"--demo-size", [&](auto&, auto& v) { o.demo_size = v; }},
          {"--cache-dir", [&](auto&, auto& v) { o.cache_dir = v; }},
      };
  for (const auto& [flag, value] : given) {
    o.given_flags.push_back(flag);
    if (fftune::examples::is_adapter_flag(flag)) continue;  // read above
    auto it = setters.find(flag);
    FFTUNE_CHECK(it != setters.end(), "unknown flag ", flag, " (see --help)");
    it->second(flag, value);
  }

  FFTUNE_CHECK(o.epochs > 0 && o.batch_size > 0 && o.grad_accum > 0,
               "--epochs, --batch-size and --grad-accum must be positive");
  FFTUNE_CHECK(o.warmup >= 0 && o.warmup < 1, "--warmup: a fraction in [0, 1), got ", o.warmup);
  FFTUNE_CHECK(o.max_len >= 4, "--max-len: at least 4, got ", o.max_len);
  FFTUNE_CHECK(!o.target_modules.empty(), "--target-modules: at least one name");
  FFTUNE_CHECK(!o.eval_only || !o.adapter_path.empty(), "--eval-only needs --adapter-path");
  FFTUNE_CHECK(!(o.eval_only && o.resume), "--eval-only and --resume exclude each other");
  FFTUNE_CHECK(o.demo_size == "full" || o.demo_size == "small",
               "--demo-size: expected full or small, got '", o.demo_size, "'");
  if (o.demo) {
    FFTUNE_CHECK(o.glue_dir.empty() && o.model_dir.empty() && !o.eval_only && !o.resume,
                 "--demo makes its own data and model: drop --glue-dir, --model, --eval-only and "
                 "--resume");
  } else if (!o.print_config) {
    FFTUNE_CHECK(!o.glue_dir.empty(), "--glue-dir is required (or run --demo)");
    FFTUNE_CHECK(!o.model_dir.empty(), "--model is required (or run --demo)");
  }
  return o;
}

nlohmann::json to_json(const Options& o) {
  return {{"task", fftune::data::glue_task_info(o.task).name},
          {"glue_dir", o.glue_dir},
          {"model", o.model_dir},
          {"adapter", o.adapter},
          {"adapter_options", o.adapter_options},
          {"target_modules", o.target_modules},
          {"lr", o.lr},
          {"head_lr", o.head_lr},
          {"weight_decay", o.weight_decay},
          {"epochs", o.epochs},
          {"batch_size", o.batch_size},
          {"grad_accum", o.grad_accum},
          {"warmup", o.warmup},
          {"max_grad_norm", o.max_grad_norm},
          {"max_len", o.max_len},
          {"seed", o.seed},
          {"threads", o.threads},
          {"out", o.out},
          {"paper_defaults", o.paper_defaults},
          {"checkpoint_activations", o.checkpoint_activations},
          {"ignore_mismatched_sizes", o.ignore_mismatched_sizes},

          {"demo", o.demo}};
}

}  // namespace roberta_glue
