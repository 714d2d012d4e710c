#include "train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "adapters.h"
#include "core/error.h"
#include "examples/common/atomic_file.h"
#include "examples/common/content_fingerprint.h"
#include "examples/common/run_flags.h"
#include "examples/common/trained_model.h"
#include "nn/adamw.h"
#include "nn/lr_schedule.h"
#include "ops/ops.h"
#include "predict.h"

namespace roberta_glue {

using namespace fftune;
using nn::RobertaForSequenceClassification;

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

examples::StepLoss train_step(RobertaForSequenceClassification& model, const Batch& batch,
                              double loss_scale) {
  const Device device = model.parameters().front().device();
  const Tensor logits =
      model.forward(batch.ids.to(device), batch.attention_mask.to(device));  // (B, labels)
  const Tensor loss = model.loss(logits, batch.labels.to(device));
  mul(loss, loss_scale).backward();
  return {loss.item(), batch.ids.size(0)};
}

namespace {

// Sequence classification for the run loop: the epoch's length-bucketed batches, train_step,
// the dev metrics, the method saved to best/ at each new best.
class GlueTask : public examples::TrainingTask {
 public:
  GlueTask(RobertaForSequenceClassification& model, const Options& options,
           const data::BpeTokenizer& tokenizer, const std::vector<EncodedExample>& train_set,
           const std::vector<EncodedExample>& dev)
      : model_(model), o_(options), tokenizer_(tokenizer), train_(train_set), dev_(dev) {}

  int64_t batches_per_epoch() const override {
    const auto n = static_cast<int64_t>(train_.size());
    return (n + o_.batch_size - 1) / o_.batch_size;
  }

  void start_epoch(int64_t epoch, int64_t first_batch) override {
    model_.train();
    batches_ = training_batches(train_, o_.batch_size, o_.seed, epoch);
    FFTUNE_CHECK(static_cast<int64_t>(batches_.size()) == batches_per_epoch(),
                 "roberta_glue: an epoch of ", batches_.size(), " batches, expected ",
                 batches_per_epoch());
    next_ = first_batch;
  }

  examples::StepLoss train_step(double loss_scale) override {
    const bool regression = data::glue_task_info(o_.task).is_regression;
    const Batch batch = make_batch(train_, batches_.at(static_cast<size_t>(next_++)),
                                   tokenizer_.pad_id(), regression);
    return roberta_glue::train_step(model_, batch, loss_scale);
  }

  std::vector<examples::SplitMetrics> evaluate() override {
    model_.eval();
    const data::GlueTaskInfo& info = data::glue_task_info(o_.task);
    const auto metrics = dev_metrics(
        o_.task, predict(model_, dev_, o_.batch_size, tokenizer_.pad_id(), info.is_regression),
        dev_);
    model_.train();
    return {{"dev", metrics}};
  }

  void save_best(int64_t) override { save_trained(model_, o_, o_.out + "/best"); }

 private:
  RobertaForSequenceClassification& model_;
  const Options& o_;
  const data::BpeTokenizer& tokenizer_;
  const std::vector<EncodedExample>& train_;
  const std::vector<EncodedExample>& dev_;
  std::vector<std::vector<int64_t>> batches_;
  int64_t next_ = 0;
};

// What a checkpoint must agree with: every flag that changes the result, and the task's data
// and the model by content and path.
examples::RunIdentity run_identity(const Options& o) {
  using examples::exact_text;
  examples::RunIdentity id;
  id.program = "roberta_glue";
  id.flags = {{"task", data::glue_task_info(o.task).name},
              {"adapter-config", nlohmann::json::parse(examples::to_json(method_of(o))).dump()},
              {"lr", exact_text(o.lr)},
              {"head-lr", exact_text(o.head_lr)},
              {"weight-decay", exact_text(o.weight_decay)},
              {"epochs", std::to_string(o.epochs)},
              {"batch-size", std::to_string(o.batch_size)},
              {"grad-accum", std::to_string(o.grad_accum)},
              {"warmup", exact_text(o.warmup)},
              {"max-grad-norm", exact_text(o.max_grad_norm)},
              {"max-len", std::to_string(o.max_len)},
              {"seed", std::to_string(o.seed)},
              {"ignore-mismatched-sizes", o.ignore_mismatched_sizes ? "true" : "false"}};
  const std::string data_dir = o.glue_dir + "/" + data::glue_task_info(o.task).directory;
  id.fingerprints["data"] = examples::content_fingerprint(data_dir);
  id.paths["data"] = std::filesystem::absolute(data_dir).lexically_normal().string();
  id.fingerprints["model"] = examples::content_fingerprint(o.model_dir);
  id.paths["model"] = std::filesystem::absolute(o.model_dir).lexically_normal().string();
  return id;
}

}  // namespace

RunResult run_training(const Options& o, const data::BpeTokenizer& tokenizer,
                       const std::vector<EncodedExample>& train_set,
                       const std::vector<EncodedExample>& dev) {
  const data::GlueTaskInfo& info = data::glue_task_info(o.task);
  FFTUNE_CHECK(!train_set.empty(), "the training split is empty");
  Generator gen(o.seed);  // head initialisation, adapter initialisation, dropout masks
  auto model = load_model(o, &gen, &std::cout);
  attach_adapter(*model, o, gen);
  if (o.device == "cuda") model->to(Device::cuda());
  RunResult result;
  result.metric = info.main_metric;
  result.trainable_params = model->num_parameters(true);
  result.classifier_params = model->classifier()->num_parameters(true);
  std::printf("trainable parameters: %lld of %lld\n",
              static_cast<long long>(result.trainable_params),
              static_cast<long long>(model->num_parameters()));
  std::printf("%s\n", examples::parameter_table(*model, method_of(o)).c_str());

  GlueTask task(*model, o, tokenizer, train_set, dev);
  nn::AdamW optimizer(nn::param_groups_by_pattern(*model, optimizer_groups(o)), nn::AdamWOptions{});
  const int64_t steps_per_epoch = (task.batches_per_epoch() + o.grad_accum - 1) / o.grad_accum;
  const int64_t total_steps = steps_per_epoch * o.epochs;
  nn::LRScheduler scheduler(
      optimizer,
      nn::linear_schedule_with_warmup(examples::warmup_steps(o.warmup, total_steps), total_steps));

  examples::LoopOptions loop;
  loop.out = o.out;
  loop.epochs = o.epochs;
  loop.grad_accum = o.grad_accum;
  loop.max_grad_norm = o.max_grad_norm;
  loop.stop_after_steps = o.stop_after_steps;
  loop.stop_after_epochs = o.stop_after_epochs;
  loop.resume = o.resume;
  loop.progress_bar = !o.quiet;
  loop.unit = "seq";
  loop.identity = run_identity(o);
  loop.log = &std::cout;
  const examples::LoopResult run = examples::run_training_loop(
      task, {model.get(), &optimizer, &scheduler, {{"dropout", &gen}}}, loop);
  const examples::TrainingProgress& p = run.progress;
  result.stopped = !run.completed;
  result.interrupted = run.interrupted;
  result.best = p.best_metric;
  result.best_epoch = p.best_epoch;
  result.wall_seconds = run.elapsed_s;
  if (result.stopped) return result;

  // The best epoch's full metric set, as the paper reports it.
  nlohmann::json best_metrics = nlohmann::json::object();
  for (const auto& [name, value] : p.best_metrics) best_metrics[name] = value;
  examples::write_json_atomically(o.out + "/results.json",
                                  {{"task", info.name},
                                   {"adapter", o.adapter},
                                   {"metric", info.main_metric},
                                   {"best_epoch", p.best_epoch},
                                   {"best", p.best_metric},
                                   {"best_epoch_metrics", best_metrics},
                                   {"trainable_params", result.trainable_params},
                                   {"classifier_params", result.classifier_params}});
  std::printf("best dev %s: %.4f at epoch %lld (weights in %s/best)\n", info.main_metric,
              p.best_metric, static_cast<long long>(p.best_epoch), o.out.c_str());
  return result;
}

}  // namespace roberta_glue
