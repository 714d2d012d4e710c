// One fine-tuning run of roberta_glue: the model of --model with a fresh head, the adapter, AdamW
// with a linear warmup schedule, length-bucketed batches, an evaluation on dev after each epoch
// and the best epoch's weights; the shared run loop (examples/common/training_loop.h) does the
// rest: progress bar, metrics.jsonl, curves, checkpoints, Ctrl-C / SIGTERM and --resume. The
// command line (main.cpp) and the demo (demo.cpp) both train through run_training.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "batches.h"
#include "data/bpe_tokenizer.h"
#include "examples/common/training_loop.h"
#include "nn/models/roberta.h"
#include "options.h"

namespace roberta_glue {

// What a run reports (results.json holds the same, and the best epoch's metrics).
struct RunResult {
  bool stopped = false;           // before the last epoch (a signal, --stop-after-*); checkpointed
  bool interrupted = false;       // by Ctrl-C or SIGTERM
  std::string metric;             // the task's main metric ("accuracy", "matthews", ...)
  double best = 0;                // its best dev value
  int64_t best_epoch = 0;         // 1-based
  int64_t trainable_params = 0;   // adapter and classifier
  int64_t classifier_params = 0;  // the classifier alone
  double wall_seconds = 0;        // training time, resumed processes included
};

// The training step a student looks for: forward the batch, the task's loss (cross-entropy, or
// MSE for STS-B), and backward of the loss times `loss_scale` (gradient accumulation). The
// optimizer step, the schedule and the epoch bookkeeping are the run loop's.
fftune::examples::StepLoss train_step(fftune::nn::RobertaForSequenceClassification& model,
                                      const Batch& batch, double loss_scale);

// The model of --model with a fresh head sized for the task; `log` receives the load summary.
std::shared_ptr<fftune::nn::RobertaForSequenceClassification> load_model(const Options& options,
                                                                         fftune::Generator* gen,
                                                                         std::ostream* log);

// Fine-tunes as `options` says, writing into options.out: metrics.jsonl, loss.png and
// <metric>.png, best/ (the best epoch's adapter, adapters.h save_trained), results.json, and
// checkpoint.safetensors until the run completes.
RunResult run_training(const Options& options, const fftune::data::BpeTokenizer& tokenizer,
                       const std::vector<EncodedExample>& train_set,
                       const std::vector<EncodedExample>& dev);

// Helpers shared with main.cpp.
nlohmann::json metrics_json(const std::vector<std::pair<std::string, double>>& metrics,
                            const std::string& prefix);
std::string describe(const std::vector<std::pair<std::string, double>>& metrics);

}  // namespace roberta_glue
