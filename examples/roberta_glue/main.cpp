// roberta_glue: fine-tunes a Hugging Face RoBERTa directory on one GLUE task — FourierFT, LoRA,
// Hartley, the head alone, or everything — and reports the best-epoch dev metric as the
// FourierFT paper does (docs/reproduce.md, "RoBERTa on GLUE").
//
//   roberta_glue --task sst2 --glue-dir glue_data --model roberta-base --paper-defaults
//
// <out>/ receives config.json (the resolved options), metrics.jsonl and curves.png (one point
// per epoch), best/ (the best epoch's adapter in peft's format, or a model directory for
// --adapter full|head), results.json, checkpoint/state.safetensors (for --resume; written each
// epoch and on Ctrl-C) and, with --predict, predictions/<TASK>.tsv for the GLUE server.
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "adapters.h"
#include "batches.h"
#include "checkpoint.h"
#include "core/error.h"
#include "core/threading.h"
#include "nn/adamw.h"
#include "nn/clip_grad.h"
#include "nn/lr_schedule.h"
#include "ops/ops.h"
#include "options.h"
#include "predict.h"
#include "run_log.h"

namespace {

using namespace fftune;
using namespace roberta_glue;
using nn::RobertaForSequenceClassification;

volatile std::sig_atomic_t g_interrupted = 0;
void on_sigint(int) {
  g_interrupted = 1;
}

// The model of --model with a fresh head sized for the task; `log` receives the load summary.
std::shared_ptr<RobertaForSequenceClassification> load_model(const Options& o, Generator* gen,
                                                             std::ostream* log) {
  const data::GlueTaskInfo& info = data::glue_task_info(o.task);
  nn::RobertaConfig config = nn::RobertaConfig::from_json(nn::hf::read_config(o.model_dir));
  config.num_labels = info.is_regression ? 1 : static_cast<int64_t>(info.label_names.size());
  config.problem_type = info.is_regression ? "regression" : "single_label_classification";
  config.gen = gen;
  auto model = std::make_shared<RobertaForSequenceClassification>(config);
  nn::hf::load_pretrained(*model, o.model_dir,
                          RobertaForSequenceClassification::checkpoint_layout(), log,
                          {.ignore_mismatched_sizes = o.ignore_mismatched_sizes});
  model->set_activation_checkpointing(o.checkpoint_activations);
  return model;
}

void write_json(const std::string& path, const nlohmann::json& j) {
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  FFTUNE_CHECK(out.good(), "cannot write ", path);
}

nlohmann::json metrics_json(const std::vector<std::pair<std::string, double>>& metrics,
                            const std::string& prefix) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : metrics) j[prefix + name] = value;
  return j;
}

std::string describe(const std::vector<std::pair<std::string, double>>& metrics) {
  std::string s;
  char buffer[64];
  for (const auto& [name, value] : metrics) {
    std::snprintf(buffer, sizeof buffer, "%s%s %.4f", s.empty() ? "" : ", ", name.c_str(), value);
    s += buffer;
  }
  return s;
}

// --predict: the best epoch's weights on test.tsv.
void write_predictions(const Options& o, const std::string& trained_dir,
                       const data::BpeTokenizer& tokenizer) {
  const data::GlueTaskInfo& info = data::glue_task_info(o.task);
  Generator gen(o.seed);
  auto model = load_model(o, &gen, nullptr);
  load_trained(*model, trained_dir);
  model->eval();
  const auto test = data::read_glue_split(o.task, data::GlueSplit::kTest, o.glue_dir);
  const auto encoded = encode_examples(test, tokenizer, o.max_len);
  const Predictions predictions =
      predict(*model, encoded, o.batch_size, tokenizer.pad_id(), info.is_regression);
  write_submission(o.out + "/predictions", o.task, test, predictions);
  std::printf("wrote %s/predictions/%s.tsv (%zu test examples)\n", o.out.c_str(), info.directory,
              test.size());
}

int evaluate_only(const Options& o, const data::BpeTokenizer& tokenizer,
                  const std::vector<EncodedExample>& dev) {
  const data::GlueTaskInfo& info = data::glue_task_info(o.task);
  Generator gen(o.seed);
  auto model = load_model(o, &gen, &std::cout);
  load_trained(*model, o.adapter_path);
  model->eval();
  const auto metrics = dev_metrics(
      o.task, predict(*model, dev, o.batch_size, tokenizer.pad_id(), info.is_regression), dev);
  std::printf("%s dev: %s\n", info.name, describe(metrics).c_str());
  write_json(o.out + "/eval.json", metrics_json(metrics, "dev_"));
  if (o.predict) write_predictions(o, o.adapter_path, tokenizer);
  return 0;
}

int train(const Options& o, const data::BpeTokenizer& tokenizer,
          const std::vector<EncodedExample>& train_set, const std::vector<EncodedExample>& dev) {
  const data::GlueTaskInfo& info = data::glue_task_info(o.task);
  Generator gen(o.seed);  // head initialisation, adapter initialisation, dropout masks
  auto model = load_model(o, &gen, &std::cout);
  attach_adapter(*model, o, gen);
  std::printf("trainable parameters: %lld of %lld\n",
              static_cast<long long>(model->num_parameters(true)),
              static_cast<long long>(model->num_parameters()));

  nn::AdamW optimizer(nn::param_groups_by_pattern(*model, optimizer_groups(o)), nn::AdamWOptions{});
  const int64_t n_train = static_cast<int64_t>(train_set.size());
  FFTUNE_CHECK(n_train > 0, "the training split is empty");
  const int64_t batches_per_epoch = (n_train + o.batch_size - 1) / o.batch_size;
  const int64_t steps_per_epoch = (batches_per_epoch + o.grad_accum - 1) / o.grad_accum;
  const int64_t total_steps = steps_per_epoch * o.epochs;
  // As transformers' TrainingArguments.get_warmup_steps: ceil(total · ratio).
  const auto warmup_steps =
      static_cast<int64_t>(std::ceil(o.warmup * static_cast<double>(total_steps)));
  nn::LRScheduler scheduler(optimizer, nn::linear_schedule_with_warmup(warmup_steps, total_steps));

  const std::string checkpoint = o.out + "/checkpoint/state.safetensors";
  const std::string best_dir = o.out + "/best";
  Progress p;
  if (o.resume) {
    p = load_checkpoint(checkpoint, *model, optimizer, scheduler);
    gen.set_stream_position(p.dropout_stream);
    std::printf("resumed at epoch %lld, step %lld\n", static_cast<long long>(p.epoch + 1),
                static_cast<long long>(p.step));
  }
  MetricsLog log(o.out + "/metrics.jsonl", p.epoch);
  const std::vector<Tensor> trainable = model->parameters(true);
  std::signal(SIGINT, on_sigint);

  for (int64_t epoch = p.epoch; epoch < o.epochs; ++epoch) {
    const auto batches = training_batches(train_set, o.batch_size, o.seed, epoch);
    const int64_t nb = static_cast<int64_t>(batches.size());
    model->train();
    ProgressBar bar("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs), nb);
    for (int64_t b = p.next_batch; b < nb; ++b) {
      const Batch batch = make_batch(train_set, batches[b], tokenizer.pad_id(), info.is_regression);
      const Tensor loss =
          model->loss(model->forward(batch.ids, batch.attention_mask), batch.labels);
      p.loss_sum += loss.item();
      p.loss_batches += 1;
      // The last group of an epoch may hold fewer than grad_accum batches.
      const int64_t group_start = b / o.grad_accum * o.grad_accum;
      const int64_t group_size = std::min(o.grad_accum, nb - group_start);
      mul(loss, 1.0 / static_cast<double>(group_size)).backward();
      bar.update(b + 1, p.loss_sum / static_cast<double>(p.loss_batches));
      if (b + 1 != group_start + group_size) continue;
      if (o.max_grad_norm > 0) nn::clip_grad_norm_(trainable, o.max_grad_norm);
      optimizer.step();
      scheduler.step();
      optimizer.zero_grad();
      p.step += 1;
      p.next_batch = b + 1;
      const bool stop = o.stop_after_steps > 0 && p.step >= o.stop_after_steps;
      if (g_interrupted || stop) {
        bar.finish();
        p.dropout_stream = gen.stream_position();
        save_checkpoint(checkpoint, *model, optimizer, scheduler, p);
        std::printf("stopped after step %lld; continue with --resume\n",
                    static_cast<long long>(p.step));
        return g_interrupted ? 130 : 0;
      }
    }
    bar.finish();

    model->eval();
    const auto metrics = dev_metrics(
        o.task, predict(*model, dev, o.batch_size, tokenizer.pad_id(), info.is_regression), dev);
    const double main_value = metrics.front().second;
    if (main_value > p.best_metric) {  // NaN never counts as better
      p.best_metric = main_value;
      p.best_epoch = epoch + 1;
      save_trained(*model, o, best_dir);
    }
    nlohmann::json line = {
        {"epoch", epoch + 1},
        {"step", p.step},
        {"train_loss", p.loss_sum / static_cast<double>(std::max<int64_t>(1, p.loss_batches))},
        {"lr", optimizer.lr(0)}};
    line.update(metrics_json(metrics, "dev_"));
    line["best_" + metrics.front().first] = p.best_metric;
    line["best_epoch"] = p.best_epoch;
    log.append(line);
    write_curves(o.out + "/curves.png", log.lines(), metrics.front().first);
    std::printf("epoch %lld/%lld  train loss %.4f  dev %s  (best %s %.4f at epoch %lld)\n",
                static_cast<long long>(epoch + 1), static_cast<long long>(o.epochs),
                line["train_loss"].get<double>(), describe(metrics).c_str(),
                metrics.front().first.c_str(), p.best_metric, static_cast<long long>(p.best_epoch));

    p.epoch = epoch + 1;
    p.next_batch = 0;
    p.loss_sum = 0;
    p.loss_batches = 0;
    p.dropout_stream = gen.stream_position();
    save_checkpoint(checkpoint, *model, optimizer, scheduler, p);
  }

  // The best epoch's full metric set, as the paper reports it.
  nlohmann::json best_line;
  for (const auto& line : log.lines())
    if (line.at("epoch").get<int64_t>() == p.best_epoch) best_line = line;
  nlohmann::json results = {{"task", info.name},          {"adapter", o.adapter},
                            {"metric", info.main_metric}, {"best_epoch", p.best_epoch},
                            {"best", p.best_metric},      {"best_epoch_metrics", best_line}};
  write_json(o.out + "/results.json", results);
  std::printf("best dev %s: %.4f at epoch %lld (weights in %s)\n", info.main_metric, p.best_metric,
              static_cast<long long>(p.best_epoch), best_dir.c_str());
  if (o.predict) write_predictions(o, best_dir, tokenizer);
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse_options(argc, argv);
  if (o.print_config) {
    std::printf("%s\n", to_json(o).dump(2).c_str());
    return 0;
  }
  if (o.threads > 0) set_num_threads(o.threads);
  std::filesystem::create_directories(o.out);
  write_json(o.out + "/config.json", to_json(o));

  const auto tokenizer = data::BpeTokenizer::from_directory(o.model_dir);
  const auto train_examples = data::read_glue_split(o.task, data::GlueSplit::kTrain, o.glue_dir);
  const auto dev_examples = data::read_glue_split(o.task, data::GlueSplit::kDev, o.glue_dir);
  const auto dev = encode_examples(dev_examples, tokenizer, o.max_len);
  std::printf("%s: %zu train, %zu dev examples\n", data::glue_task_info(o.task).name,
              train_examples.size(), dev_examples.size());
  if (o.eval_only) return evaluate_only(o, tokenizer, dev);
  return train(o, tokenizer, encode_examples(train_examples, tokenizer, o.max_len), dev);
} catch (const std::exception& e) {
  std::fprintf(stderr, "roberta_glue: %s\n", e.what());
  return 1;
}
