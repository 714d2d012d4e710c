#include "train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "adapters.h"
#include "checkpoint.h"
#include "core/error.h"
#include "examples/common/trained_model.h"
#include "nn/adamw.h"
#include "nn/clip_grad.h"
#include "nn/lr_schedule.h"
#include "ops/ops.h"
#include "predict.h"
#include "run_log.h"

namespace roberta_glue {

using namespace fftune;
using nn::RobertaForSequenceClassification;

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_sigint(int) {
  g_interrupted = 1;
}

}  // namespace

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

RunResult run_training(const Options& o, const data::BpeTokenizer& tokenizer,
                       const std::vector<EncodedExample>& train_set,
                       const std::vector<EncodedExample>& dev) {
  const auto started = std::chrono::steady_clock::now();
  const data::GlueTaskInfo& info = data::glue_task_info(o.task);
  Generator gen(o.seed);  // head initialisation, adapter initialisation, dropout masks
  auto model = load_model(o, &gen, &std::cout);
  attach_adapter(*model, o, gen);
  RunResult result;
  result.metric = info.main_metric;
  result.trainable_params = model->num_parameters(true);
  result.classifier_params = model->classifier()->num_parameters(true);
  std::printf("trainable parameters: %lld of %lld\n",
              static_cast<long long>(result.trainable_params),
              static_cast<long long>(model->num_parameters()));
  std::printf("%s\n", examples::parameter_table(*model, method_of(o)).c_str());

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
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };

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
        result.stopped = true;
        result.interrupted = g_interrupted != 0;
        result.best = p.best_metric;
        result.best_epoch = p.best_epoch;
        result.wall_seconds = elapsed();
        return result;
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
    std::fflush(stdout);

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
  nlohmann::json results = {{"task", info.name},
                            {"adapter", o.adapter},
                            {"metric", info.main_metric},
                            {"best_epoch", p.best_epoch},
                            {"best", p.best_metric},
                            {"best_epoch_metrics", best_line},
                            {"trainable_params", result.trainable_params},
                            {"classifier_params", result.classifier_params}};
  write_json(o.out + "/results.json", results);
  std::printf("best dev %s: %.4f at epoch %lld (weights in %s)\n", info.main_metric, p.best_metric,
              static_cast<long long>(p.best_epoch), best_dir.c_str());
  result.best = p.best_metric;
  result.best_epoch = p.best_epoch;
  result.wall_seconds = elapsed();
  return result;
}

}  // namespace roberta_glue
