#include "examples/common/run_flags.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace fftune::examples {

void add_run_flags(Flags& f, const RunFlagDefaults& d) {
  f.add_string("model", "", "the pretrained model's directory (Hugging Face layout)");
  f.add_bool("ignore-mismatched-sizes", false,
             "a --model tensor whose shape differs from the model's (a fine-tuned head with other "
             "labels) starts fresh instead of being an error");
  f.add_int("epochs", d.epochs, "training epochs");
  f.add_int("batch-size", d.batch_size, "examples per micro-batch");
  f.add_int("grad-accum", 1,
            "micro-batches per optimizer step (each scaled by 1/its group's size)");
  f.add_double("lr", d.lr, d.lr_help);
  f.add_double("head-lr", d.head_lr, "learning rate of the classifier");
  f.add_double("weight-decay", d.weight_decay, "AdamW's decoupled weight decay");
  f.add_double("warmup", d.warmup,
               "fraction of the optimizer steps with a linear warmup (then linear decay)");
  f.add_double("max-grad-norm", d.max_grad_norm, "clip the gradients' norm to this (0: never)");
  f.add_int("seed", 0, "initialisation, data order, augmentation and dropout");
  f.add_string("out", d.out, "the run folder; a new run refuses one that is not empty");
  f.add_bool("overwrite", false, "empty --out first when it holds an earlier run");
  f.add_bool("resume", false,
             "continue from <out>/checkpoint.safetensors (the method, the flags and the data must "
             "be the checkpoint's)");
  f.add_bool("eval-only", false, "evaluate the method saved in --adapter-path");
  f.add_string("adapter-path", "", "--eval-only: a run folder or its trained method's folder");
  f.add_int("stop-after-steps", 0, "checkpoint and stop after this optimizer step (0: never)");
  f.add_int("stop-after-epochs", 0, "checkpoint and stop after this epoch (0: never)");
  f.add_int("threads", 0, "CPU threads (0: fftune's default)");
  f.add_choice("device", "cpu", {"cpu", "cuda"}, "where to train");
  f.add_bool("quiet", false, "no progress bar: one line per epoch");
  f.add_bool("checkpoint-activations", false,
             "recompute each encoder layer in backward: less memory, about one more forward");
  f.add_bool("demo", false, "the built-in demo (generated data, a tiny model)");
  f.add_choice("demo-size", "full", {"full", "small"}, "the demo's size (small: the e2e test's)");
  f.add_string("cache-dir", "",
               "where the demo keeps what it builds ($XDG_CACHE_HOME/fftune or ~/.cache/fftune)");
}

RunFlags read_run_flags(const Flags& f) {
  RunFlags r;
  r.model_dir = f.get_string("model");
  r.ignore_mismatched_sizes = f.get_bool("ignore-mismatched-sizes");
  r.epochs = f.get_int("epochs");
  r.batch_size = f.get_int("batch-size");
  r.grad_accum = f.get_int("grad-accum");
  r.lr = f.get_double("lr");
  r.head_lr = f.get_double("head-lr");
  r.weight_decay = f.get_double("weight-decay");
  r.warmup = f.get_double("warmup");
  r.max_grad_norm = f.get_double("max-grad-norm");
  r.seed = static_cast<uint64_t>(f.get_int("seed"));
  r.out = f.get_string("out");
  r.overwrite = f.get_bool("overwrite");
  r.resume = f.get_bool("resume");
  r.eval_only = f.get_bool("eval-only");
  r.adapter_path = f.get_string("adapter-path");
  r.stop_after_steps = f.get_int("stop-after-steps");
  r.stop_after_epochs = f.get_int("stop-after-epochs");
  r.threads = static_cast<int>(f.get_int("threads"));
  r.device = f.get_string("device");
  r.quiet = f.get_bool("quiet");
  r.checkpoint_activations = f.get_bool("checkpoint-activations");
  r.demo = f.get_bool("demo");
  r.demo_size = f.get_string("demo-size");
  r.cache_dir = f.get_string("cache-dir");
  r.given = f.given();

  FFTUNE_CHECK(r.epochs > 0, "--epochs must be positive, got ", r.epochs);
  FFTUNE_CHECK(r.batch_size > 0, "--batch-size must be positive, got ", r.batch_size);
  FFTUNE_CHECK(r.grad_accum > 0, "--grad-accum must be positive, got ", r.grad_accum);
  FFTUNE_CHECK(r.warmup >= 0 && r.warmup < 1, "--warmup is a fraction of the steps in [0, 1), got ",
               r.warmup);
  FFTUNE_CHECK(r.max_grad_norm >= 0, "--max-grad-norm must be >= 0, got ", r.max_grad_norm);
  FFTUNE_CHECK(r.head_lr >= 0, "--head-lr must be >= 0, got ", r.head_lr);
  FFTUNE_CHECK(r.weight_decay >= 0, "--weight-decay must be >= 0, got ", r.weight_decay);
  FFTUNE_CHECK(r.stop_after_steps >= 0 && r.stop_after_epochs >= 0,
               "--stop-after-steps and --stop-after-epochs must be >= 0");
  FFTUNE_CHECK(!r.out.empty(), "--out must name a folder");
  FFTUNE_CHECK(!r.eval_only || !r.adapter_path.empty(), "--eval-only needs --adapter-path");
  FFTUNE_CHECK(!(r.eval_only && r.resume), "--eval-only and --resume exclude each other");
  return r;
}

int64_t warmup_steps(double fraction, int64_t total_steps) {
  return static_cast<int64_t>(std::ceil(fraction * static_cast<double>(total_steps)));
}

std::string exact_text(double value) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

std::map<std::string, std::string> result_flags(const RunFlags& r) {
  return {{"epochs", std::to_string(r.epochs)},
          {"batch-size", std::to_string(r.batch_size)},
          {"grad-accum", std::to_string(r.grad_accum)},
          {"lr", exact_text(r.lr)},
          {"head-lr", exact_text(r.head_lr)},
          {"weight-decay", exact_text(r.weight_decay)},
          {"warmup", exact_text(r.warmup)},
          {"max-grad-norm", exact_text(r.max_grad_norm)},
          {"seed", std::to_string(r.seed)},
          {"ignore-mismatched-sizes", r.ignore_mismatched_sizes ? "true" : "false"}};
}

}  // namespace fftune::examples
