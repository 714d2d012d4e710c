#include "options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "adapters.h"
#include "core/error.h"
#include "examples/common/adapter_flags.h"
#include "examples/common/flags.h"
#include "examples/common/method.h"
#include "examples/common/run_flags.h"

namespace roberta_glue {

namespace {

using fftune::data::GlueTask;

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

std::vector<std::string> split_commas(const std::string& value) {
  std::vector<std::string> parts;
  std::stringstream stream(value);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

Options parse_options(int argc, char** argv) {
  using fftune::examples::Flags;
  Flags flags("roberta_glue",
              "Fine-tunes RoBERTa on a GLUE task with FourierFT, LoRA, Hartley, full fine-tuning "
              "or the head alone; --demo compares head-only, LoRA and FourierFT on a generated "
              "SST-2 task with a tiny RoBERTa it pre-trains itself.");
  fftune::examples::add_run_flags(
      flags, {.epochs = 10,
              .batch_size = 32,
              .lr = -1.0,
              .lr_help = "the adapter's lr (-1: its default, listed below; full 2e-5)",
              .head_lr = 5e-3,
              .weight_decay = 0.0,
              .warmup = 0.06,
              .max_grad_norm = 1.0,
              .out = "runs/roberta_glue"});
  // ---- the task ----
  flags.add_choice("task", "sst2", {"sst2", "mrpc", "cola", "qnli", "rte", "stsb"}, "GLUE task");
  flags.add_string("glue-dir", "", "holds SST-2/, MRPC/, ... (the GLUE download's layout)");
  flags.add_int("max-len", 512, "tokens per example, <s> and </s> included");
  flags.add_bool("predict", false, "write <out>/predictions/<TASK>.tsv for test.tsv");
  flags.add_bool("paper-defaults", false,
                 "the FourierFT paper's roberta-base settings for the task (given flags win)");
  flags.add_bool("print-config", false, "print the resolved options as JSON and exit");
  // ---- the method: a registered adapter (its option flags come from the registry), full or head
  flags.add_choice("adapter", "fourierft", fftune::examples::method_names(),
                   "what to train (the classifier trains in every method)");
  flags.add_string("target-modules", "query,value", "Linear layers to adapt");
  fftune::examples::add_adapter_flags(flags);
  flags.add_string("export-merged", "",
                   "also write the best epoch's (or --eval-only's) model with the adapter merged "
                   "into its weights, as an HF RobertaForSequenceClassification directory");
  flags.parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs((flags.help() + fftune::examples::adapters_help({})).c_str(), stdout);
    std::exit(0);
  }
  const fftune::examples::RunFlags run = fftune::examples::read_run_flags(flags);

  Options o;
  o.task = fftune::data::glue_task_from_name(flags.get_string("task"));
  o.adapter = flags.get_string("adapter");
  o.paper_defaults = flags.get_bool("paper-defaults");
  // A flag's value: the given one, else the paper's (with --paper-defaults), else the default.
  const PaperRow row = paper_row(o.task);
  const auto pick = [&](const char* name, double value, double paper) {
    return flags.is_set(name) || !o.paper_defaults ? value : paper;
  };
  o.glue_dir = flags.get_string("glue-dir");
  o.model_dir = run.model_dir;
  // The adapter's options: the registry's defaults (with --paper-defaults, the paper's n and α
  // for FourierFT on this task), then the flags given; with --resume and --eval-only the folder's
  // method decides (run_folder.h), so other adapters' flags are not an error there.
  fftune::examples::AdapterDefaults defaults;
  if (o.paper_defaults) defaults["fourierft"] = {{"n_frequency", 1000}, {"scaling", row.alpha}};
  if (fftune::adapters::is_registered_adapter(o.adapter))
    o.adapter_options = fftune::examples::adapter_options_from_flags(
        flags, o.adapter, defaults, /*strict=*/!run.resume && !run.eval_only);
  o.target_modules = split_commas(flags.get_string("target-modules"));
  const double adapter_lr =
      o.paper_defaults && o.adapter == "fourierft"
          ? row.lr
          : fftune::examples::default_learning_rate(o.adapter, defaults, kFullLearningRate);
  o.lr = flags.is_set("lr") ? run.lr : adapter_lr;
  o.export_merged = flags.get_string("export-merged");
  o.head_lr = pick("head-lr", run.head_lr, row.head_lr);
  o.weight_decay = pick("weight-decay", run.weight_decay, 0);
  o.epochs = static_cast<int64_t>(pick("epochs", static_cast<double>(run.epochs), row.epochs));
  o.batch_size = static_cast<int64_t>(pick("batch-size", static_cast<double>(run.batch_size), 32));
  o.grad_accum = run.grad_accum;
  o.warmup = pick("warmup", run.warmup, 0.06);
  o.max_grad_norm = run.max_grad_norm;
  o.max_len = flags.get_int("max-len");
  o.seed = run.seed;
  o.threads = run.threads;
  o.device = run.device;
  o.quiet = run.quiet;
  o.out = run.out;
  o.overwrite = run.overwrite;
  o.resume = run.resume;
  o.eval_only = run.eval_only;
  o.adapter_path = run.adapter_path;
  o.predict = flags.get_bool("predict");
  o.print_config = flags.get_bool("print-config");
  o.checkpoint_activations = run.checkpoint_activations;
  o.ignore_mismatched_sizes = run.ignore_mismatched_sizes;
  o.stop_after_steps = run.stop_after_steps;
  o.stop_after_epochs = run.stop_after_epochs;
  o.demo = run.demo;
  o.demo_size = run.demo_size;
  o.cache_dir = run.cache_dir;
  o.given_flags = run.given;
  FFTUNE_CHECK(o.max_len >= 4, "--max-len: at least 4, got ", o.max_len);
  FFTUNE_CHECK(!o.target_modules.empty(), "--target-modules: at least one name");
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
          {"device", o.device},
          {"out", o.out},
          {"paper_defaults", o.paper_defaults},
          {"checkpoint_activations", o.checkpoint_activations},
          {"ignore_mismatched_sizes", o.ignore_mismatched_sizes},

          {"demo", o.demo}};
}

}  // namespace roberta_glue
