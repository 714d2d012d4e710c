#include "train.h"

#include <chrono>
#include <filesystem>
#include <map>

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "data_setup.h"
#include "examples/common/atomic_file.h"
#include "examples/common/content_fingerprint.h"
#include "examples/common/run_flags.h"
#include "examples/common/run_folder.h"
#include "examples/common/trained_model.h"
#include "model.h"
#include "nn/adamw.h"
#include "nn/lr_schedule.h"
#include "ops/ops.h"

namespace vit_dtd {

using namespace fftune;
using nlohmann::json;

examples::StepLoss train_step(nn::ViTForImageClassification& model, const data::Batch& batch,
                              double loss_scale, Device device) {
  const Tensor logits = model.forward(batch.images.to(device));  // (B, classes)
  const Tensor loss = cross_entropy(logits, batch.labels.to(device));
  mul(loss, loss_scale).backward();
  return {loss.item(), batch.labels.numel()};
}

double evaluate(nn::ViTForImageClassification& model, data::ImageLoader& loader, Device device) {
  NoGradGuard no_grad;
  model.eval();
  loader.start_epoch(0);
  int64_t correct = 0, total = 0;
  while (auto batch = loader.next()) {
    const Tensor logits = model.forward(batch->images.to(device));
    const std::vector<int64_t> predicted = to_vector<int64_t>(argmax(logits, 1).to(Device::cpu()));
    const std::vector<int64_t> labels = to_vector<int64_t>(batch->labels);
    for (size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i];
    total += static_cast<int64_t>(labels.size());
  }
  model.train();
  return total > 0 ? static_cast<double>(correct) / static_cast<double>(total) : 0.0;
}

namespace {

// Image classification for the run loop: the epoch's shuffled batches, train_step, validation
// and test accuracy, the adapter saved at each new best.
class ImageClassificationTask : public examples::TrainingTask {
 public:
  ImageClassificationTask(ModelSetup& setup, const Config& config, data::ImageLoader& train,
                          data::ImageLoader& val, data::ImageLoader& test, Device device)
      : setup_(setup), config_(config), train_(train), val_(val), test_(test), device_(device) {}

  int64_t batches_per_epoch() const override { return train_.batches_per_epoch(); }

  void start_epoch(int64_t epoch, int64_t first_batch) override {
    setup_.model->train();
    train_.start_epoch(epoch);
    for (int64_t b = 0; b < first_batch; ++b) train_.next();  // trained before the resume
  }

  examples::StepLoss train_step(double loss_scale) override {
    const std::optional<data::Batch> batch = train_.next();
    FFTUNE_CHECK(batch.has_value(), "vit_dtd: the training loader ran out of batches");
    return vit_dtd::train_step(*setup_.model, *batch, loss_scale, device_);
  }

  std::vector<examples::SplitMetrics> evaluate() override {
    std::vector<examples::SplitMetrics> out = {
        {"val", {{"accuracy", vit_dtd::evaluate(*setup_.model, val_, device_)}}}};
    if (config_.evaluate_test)
      out.push_back({"test", {{"accuracy", vit_dtd::evaluate(*setup_.model, test_, device_)}}});
    return out;
  }

  void save_best(int64_t) override { save_trained(setup_, config_, config_.out + "/adapter"); }

 private:
  ModelSetup& setup_;
  const Config& config_;
  data::ImageLoader &train_, &val_, &test_;
  Device device_;
};

// What a checkpoint must agree with: every flag that changes the result, and the data and the
// model by content and path.
examples::RunIdentity run_identity(const Config& c) {
  using examples::exact_text;
  examples::RunIdentity id;
  id.program = "vit_dtd";
  const examples::Method method = method_of(c);
  id.flags = {{"method", examples::method_name(method)},
              {"adapter-config", json::parse(examples::to_json(method)).dump()},
              {"lr", exact_text(c.effective_lr())},
              {"head-lr", exact_text(c.head_lr)},
              {"weight-decay", exact_text(c.weight_decay)},
              {"epochs", std::to_string(c.epochs)},
              {"batch-size", std::to_string(c.batch_size)},
              {"grad-accum", std::to_string(c.grad_accum)},
              {"warmup", exact_text(c.warmup)},
              {"max-grad-norm", exact_text(c.max_grad_norm)},
              {"seed", std::to_string(c.seed)},
              {"split", std::to_string(c.split)},
              {"image-size", std::to_string(c.image_size)},
              {"crop-scale-min", exact_text(c.crop_scale_min)},
              {"ignore-mismatched-sizes", c.ignore_mismatched_sizes ? "true" : "false"}};
  id.fingerprints["data"] = examples::content_fingerprint(c.data_dir);
  id.paths["data"] = std::filesystem::absolute(c.data_dir).lexically_normal().string();
  if (!c.model_dir.empty()) {
    id.fingerprints["model"] = examples::content_fingerprint(c.model_dir);
    id.paths["model"] = std::filesystem::absolute(c.model_dir).lexically_normal().string();
  }
  return id;
}

void write_summary(const std::string& out, const RunSummary& s) {
  examples::write_json_atomically(out + "/summary.json", {{"method", s.method},
                                                          {"adapter_params", s.adapter_params},
                                                          {"head_params", s.head_params},
                                                          {"adapter_bytes", s.adapter_bytes},
                                                          {"best_val", s.best_val},
                                                          {"best_epoch", s.best_epoch},
                                                          {"test_at_best", s.test_at_best},
                                                          {"wall_s", s.wall_s},
                                                          {"interrupted", s.interrupted}});
}

// --export-merged: the model as it is now, adapters merged, as an HF directory.
void export_merged_model(const ModelSetup& setup, const Config& config, std::ostream& log) {
  if (config.export_merged.empty()) return;
  const nn::ViTForImageClassification& model = *setup.model;
  examples::export_merged(model, config.export_merged,
                          model.config().to_json("ViTForImageClassification"),
                          nn::ViTForImageClassification::checkpoint_layout());
  log << "merged model written to " << config.export_merged << "\n";
}

}  // namespace

RunSummary run_training(const Config& flags, std::ostream& log) {
  const auto started = std::chrono::steady_clock::now();
  Config config = flags;
  examples::ensure_writable_directory(config.out, "--out");
  if (config.resume) {  // the method is the folder's (run_folder.h)
    const examples::Method method = examples::resume_method(config.out, "vit_dtd");
    examples::check_method_flags(method, method_of(config), config.given_flags, method_flags(),
                                 config.out);
    apply_method(config, method);
  } else if (config.eval_only) {
    examples::start_run_folder(config.out, config.overwrite, {"vit_dtd", "eval-only", {}, ""});
  } else {
    examples::start_run_folder(config.out, config.overwrite,
                               {"vit_dtd", "train", method_of(config), "adapter"});
  }
  const Device device = config.device == "cuda" ? Device::cuda() : Device::cpu();

  const data::ImageSplits splits = read_splits(config);
  const data::ImageDataset& test_set = splits.test ? *splits.test : splits.val;
  log << "data: " << splits.train.classes.size() << " classes, " << splits.train.samples.size()
      << " train / " << splits.val.samples.size() << " val / " << test_set.samples.size()
      << (splits.test ? " test" : " test (= val: no test split)") << " images\n";

  ModelSetup setup = build_model(config, static_cast<int64_t>(splits.train.classes.size()), &log);
  nn::ViTForImageClassification& model = *setup.model;
  data::ImageLoader val_loader(
      splits.val.samples, loader_options(config, setup.image_size, setup.normalization, false));
  data::ImageLoader test_loader(
      test_set.samples, loader_options(config, setup.image_size, setup.normalization, false));
  RunSummary summary;
  summary.method = examples::method_name(method_of(config));

  if (config.eval_only) {
    const std::string folder = examples::trained_folder(config.adapter_path);
    const examples::LoadedMethod loaded = load_trained(setup, folder);
    examples::check_method_flags(loaded.method, method_of(config), config.given_flags,
                                 method_flags(), folder);
    examples::write_run_description(config.out, {"vit_dtd", "eval-only", loaded.method, ""});
    log << "eval-only: " << folder << " holds " << examples::peft_type(loaded.method) << "\n";
    summary.method = examples::method_name(loaded.method);
    summary.adapter_params = attached_adapter_param_count(setup);
    summary.head_params = model.classifier()->num_parameters();
    summary.best_val = evaluate(model, val_loader, device);
    summary.test_at_best = evaluate(model, test_loader, device);
    summary.wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log << "eval-only: val " << 100 * summary.best_val << "%, test " << 100 * summary.test_at_best
        << "%\n";
    write_summary(config.out, summary);
    export_merged_model(setup, config, log);
    return summary;
  }

  attach_adapter(setup, config);
  summary.adapter_params = adapter_param_count(setup);
  summary.head_params = head_param_count(setup);
  log << summary.method << ": " << summary.adapter_params << " adapter parameters"
      << (setup.adapted.empty() ? "" : " in " + std::to_string(setup.adapted.size()) + " layers")
      << ", " << summary.head_params << " in the classifier\n";
  log << examples::parameter_table(model, method_of(config)) << "\n";

  data::ImageLoader train_loader(
      splits.train.samples, loader_options(config, setup.image_size, setup.normalization, true));
  const int64_t steps_per_epoch =
      (train_loader.batches_per_epoch() + config.grad_accum - 1) / config.grad_accum;
  const int64_t total_steps = steps_per_epoch * config.epochs;
  nn::AdamW optimizer(param_groups(setup, config), nn::AdamWOptions{});
  nn::LRScheduler scheduler(
      optimizer, nn::linear_schedule_with_warmup(examples::warmup_steps(config.warmup, total_steps),
                                                 total_steps));

  ImageClassificationTask task(setup, config, train_loader, val_loader, test_loader, device);
  examples::LoopOptions loop;
  loop.out = config.out;
  loop.epochs = config.epochs;
  loop.grad_accum = config.grad_accum;
  loop.max_grad_norm = config.max_grad_norm;
  loop.stop_after_steps = config.stop_after_steps;
  loop.stop_after_epochs = config.stop_after_epochs;
  loop.resume = config.resume;
  loop.progress_bar = !config.quiet;
  loop.unit = "img";
  loop.identity = run_identity(config);
  loop.log = &log;
  const examples::LoopResult result =
      examples::run_training_loop(task, {&model, &optimizer, &scheduler, {}}, loop);

  const auto best = [&](const char* key) {
    auto it = result.progress.best_metrics.find(key);
    return it == result.progress.best_metrics.end() ? 0.0 : it->second;
  };
  summary.best_val = best("val_accuracy");
  summary.test_at_best = best("test_accuracy");
  summary.best_epoch = std::max<int64_t>(0, result.progress.best_epoch);
  summary.wall_s = result.elapsed_s;
  summary.stopped = !result.completed;
  summary.interrupted = result.interrupted;
  if (!result.completed) return summary;
  summary.adapter_bytes = summary.adapter_params * 4;  // f32, as save_trained counts
  write_summary(config.out, summary);
  if (!config.export_merged.empty()) {
    // The exported model is the one saved in adapter/ (the best epoch's), not the last epoch's.
    ModelSetup best =
        build_model(config, static_cast<int64_t>(splits.train.classes.size()), nullptr);
    load_trained(best, config.out + "/adapter");
    export_merged_model(best, config, log);
  }
  return summary;
}

}  // namespace vit_dtd
