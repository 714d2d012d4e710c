// One fine-tuning run of roberta_glue: the model of --model with a fresh head, the adapter, AdamW
// with a linear warmup schedule, length-bucketed batches, an evaluation on dev after each epoch,
// the best epoch's weights, metrics.jsonl, curves, checkpoints and --resume. The command line
// (main.cpp) and the demo (demo.cpp) both train through run_training.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "batches.h"
#include "data/bpe_tokenizer.h"
#include "nn/models/roberta.h"
#include "options.h"

namespace roberta_glue {

// What a run reports (results.json holds the same, and the best epoch's metrics).
struct RunResult {
  bool stopped = false;          // before the last epoch (Ctrl-C, --stop-after-steps); checkpointed
  bool interrupted = false;      // by Ctrl-C
  std::string metric;            // the task's main metric ("accuracy", "matthews", ...)
  double best = 0;               // its best dev value
  int64_t best_epoch = 0;        // 1-based
  int64_t trainable_params = 0;  // adapter and classifier
  int64_t classifier_params = 0;  // the classifier alone
  double wall_seconds = 0;        // this process's training time
};

// The model of --model with a fresh head sized for the task; `log` receives the load summary.
std::shared_ptr<fftune::nn::RobertaForSequenceClassification> load_model(const Options& options,
                                                                         fftune::Generator* gen,
                                                                         std::ostream* log);

// Fine-tunes as `options` says, writing into options.out: metrics.jsonl, curves.png, best/ (the
// best epoch's adapter, adapters.h save_trained), results.json, checkpoint/state.safetensors.
RunResult run_training(const Options& options, const fftune::data::BpeTokenizer& tokenizer,
                       const std::vector<EncodedExample>& train_set,
                       const std::vector<EncodedExample>& dev);

// Helpers shared with main.cpp.
void write_json(const std::string& path, const nlohmann::json& j);
nlohmann::json metrics_json(const std::vector<std::pair<std::string, double>>& metrics,
                            const std::string& prefix);
std::string describe(const std::vector<std::pair<std::string, double>>& metrics);

}  // namespace roberta_glue
