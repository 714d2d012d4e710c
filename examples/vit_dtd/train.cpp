#include "train.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/safetensors.h"
#include "data_setup.h"
#include "examples/common/run_folder.h"
#include "examples/common/trained_model.h"
#include "model.h"
#include "nn/adamw.h"
#include "nn/lr_schedule.h"
#include "ops/ops.h"

namespace vit_dtd {

using namespace fftune;
using nlohmann::json;

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_sigint(int) {
  g_interrupted = 1;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process
}

// Accuracy of `model` over every batch of `loader` (evaluation mode, no graph).
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

// The trainable tensors by name, as copies (a snapshot that later updates do not touch).
std::vector<std::pair<std::string, Tensor>> snapshot(const nn::Module& model) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [name, t] : model.named_parameters())
    if (t.requires_grad()) out.emplace_back(name, t.detach().clone());
  return out;
}

// Copies a snapshot back into the model's parameters.
void restore(nn::Module& model, const std::map<std::string, Tensor>& tensors,
             const std::string& prefix) {
  NoGradGuard no_grad;
  for (const auto& [name, t] : model.named_parameters()) {
    if (!t.requires_grad()) continue;
    auto it = tensors.find(prefix + name);
    FFTUNE_CHECK(it != tensors.end(), "vit_dtd: the checkpoint lacks ", prefix + name,
                 " (was it written with other flags?)");
    Tensor dst = t;
    dst.copy_(it->second.to(t.device()));
  }
}

// Everything the loop carries from step to step besides tensors: saved as the checkpoint's
// metadata, so a resumed run continues with exactly these values.
struct Progress {
  int64_t epoch = 0;         // the epoch in progress (0-based)
  int64_t batches_done = 0;  // batches of that epoch already trained on
  double loss_sum = 0.0;     // this epoch's summed batch losses so far
  int64_t global_step = 0;   // optimizer steps so far
  double best_val = -1.0;
  int64_t best_epoch = 0;  // 1-based, 0: none yet
  double test_at_best = 0.0;
  double elapsed_s = 0.0;     // training time before this process
  std::vector<json> records;  // metrics.jsonl lines so far

  json to_json() const {
    return {{"epoch", epoch},
            {"batches_done", batches_done},
            {"loss_sum", loss_sum},
            {"global_step", global_step},
            {"best_val", best_val},
            {"best_epoch", best_epoch},
            {"test_at_best", test_at_best},
            {"elapsed_s", elapsed_s},
            {"records", records}};
  }
  static Progress from_json(const json& j) {
    Progress p;
    p.epoch = j.at("epoch");
    p.batches_done = j.at("batches_done");
    p.loss_sum = j.at("loss_sum");
    p.global_step = j.at("global_step");
    p.best_val = j.at("best_val");
    p.best_epoch = j.at("best_epoch");
    p.test_at_best = j.at("test_at_best");
    p.elapsed_s = j.at("elapsed_s");
    p.records = j.at("records").get<std::vector<json>>();
    return p;
  }
};

// The flags a checkpoint must agree with to be resumed.
json run_fingerprint(const Config& c) {
  return {{"adapter", c.adapter},
          {"adapter_options", method_of(c).options},
          {"lr", c.effective_lr()},
          {"head_lr", c.head_lr},
          {"weight_decay", c.weight_decay},
          {"epochs", c.epochs},
          {"batch_size", c.batch_size},
          {"grad_accum", c.grad_accum},
          {"warmup", c.warmup},
          {"seed", c.seed},
          {"split", c.split},
          {"target_modules", c.target_modules}};
}

void write_checkpoint(const std::string& path, const nn::Module& model,
                      const std::vector<std::pair<std::string, Tensor>>& best,
                      const nn::Optimizer& optimizer, const nn::LRScheduler& scheduler,
                      const Progress& progress, const Config& config) {
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& [name, t] : snapshot(model)) tensors.emplace_back("model." + name, t);
  for (const auto& [name, t] : best) tensors.emplace_back("best." + name, t);
  for (const auto& [name, t] : optimizer.state_dict()) tensors.emplace_back("optim." + name, t);
  for (const auto& [name, t] : scheduler.state_dict()) tensors.emplace_back("sched." + name, t);
  io::save_safetensors(
      path, tensors,
      {{"progress", progress.to_json().dump()}, {"flags", run_fingerprint(config).dump()}});
}

void write_metrics(const std::string& out, const std::vector<json>& records) {
  const std::string path = out + "/metrics.jsonl", tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    for (const json& r : records) f << r.dump() << '\n';
    FFTUNE_CHECK(f.good(), "vit_dtd: cannot write ", tmp);
  }
  std::filesystem::rename(tmp, path);
}

void write_curves(const std::string& out, const std::vector<json>& records) {
  Series loss{{}, {}, 31, 119, 180}, val{{}, {}, 31, 119, 180}, test{{}, {}, 214, 39, 40};
  for (const json& r : records) {
    if (r.at("kind") == "step") {
      loss.x.push_back(r.at("step").get<double>());
      loss.y.push_back(r.at("loss").get<double>());
    } else {
      val.x.push_back(r.at("epoch").get<double>());
      val.y.push_back(r.at("val_acc").get<double>());
      test.x.push_back(r.at("epoch").get<double>());
      test.y.push_back(r.at("test_acc").get<double>());
    }
  }
  write_line_plot(out + "/loss.png", {loss});
  write_line_plot(out + "/accuracy.png", {val, test});
}

void write_summary(const std::string& out, const RunSummary& s) {
  const json j = {{"method", s.method},
                  {"adapter_params", s.adapter_params},
                  {"head_params", s.head_params},
                  {"adapter_bytes", s.adapter_bytes},
                  {"best_val", s.best_val},
                  {"best_epoch", s.best_epoch},
                  {"test_at_best", s.test_at_best},
                  {"wall_s", s.wall_s},
                  {"interrupted", s.interrupted}};
  std::ofstream(out + "/summary.json") << j.dump(2) << '\n';
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

void install_interrupt_handler() {
  std::signal(SIGINT, on_sigint);
}

RunSummary run_training(const Config& flags, std::ostream& log) {
  const auto started = std::chrono::steady_clock::now();
  Config config = flags;
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
  const int64_t batches = train_loader.batches_per_epoch();
  const int64_t steps_per_epoch = (batches + config.grad_accum - 1) / config.grad_accum;
  nn::AdamW optimizer(param_groups(setup, config), nn::AdamWOptions{});
  nn::LRScheduler scheduler(
      optimizer, nn::linear_schedule_with_warmup(config.warmup, steps_per_epoch * config.epochs));

  const std::string checkpoint = config.out + "/checkpoint.safetensors";
  Progress progress;
  std::vector<std::pair<std::string, Tensor>> best;  // trainable tensors at the best epoch
  if (config.resume) {
    FFTUNE_CHECK(std::filesystem::exists(checkpoint), "vit_dtd: --resume: no checkpoint at ",
                 checkpoint);
    const io::SafetensorsFile file = io::load_safetensors(checkpoint);
    const json flags = json::parse(file.metadata.at("flags"));
    FFTUNE_CHECK(flags == run_fingerprint(config), "vit_dtd: --resume: ", checkpoint,
                 " was written with other flags: ", flags.dump());
    progress = Progress::from_json(json::parse(file.metadata.at("progress")));
    std::map<std::string, Tensor> opt_state, sched_state;
    for (const auto& [name, t] : file.tensors) {
      if (name.starts_with("optim.")) opt_state[name.substr(6)] = t;
      if (name.starts_with("sched.")) sched_state[name.substr(6)] = t;
      if (name.starts_with("best.")) best.emplace_back(name.substr(5), t.clone());
    }
    restore(model, file.tensors, "model.");
    optimizer.load_state_dict(opt_state);
    scheduler.load_state_dict(sched_state);
    log << "resumed from " << checkpoint << " at epoch " << progress.epoch + 1 << ", batch "
        << progress.batches_done << "\n";
  }

  ProgressBar bar(!config.quiet);
  const double session_start = progress.elapsed_s;
  auto elapsed = [&] {
    return session_start +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  bool interrupted = false;
  model.train();
  for (; progress.epoch < config.epochs && !interrupted; ++progress.epoch) {
    train_loader.start_epoch(progress.epoch);
    bar.start(progress.epoch + 1, config.epochs, batches);
    int64_t batch_index = 0, images = 0;
    // Skip the batches a resumed epoch already trained on (the order is a function of the
    // seed and the epoch, so these are the same batches).
    for (; batch_index < progress.batches_done; ++batch_index) train_loader.next();
    while (auto batch = train_loader.next()) {
      const Tensor logits = model.forward(batch->images.to(device));
      Tensor loss = cross_entropy(logits, batch->labels.to(device));
      const double loss_value = loss.item();
      if (config.grad_accum > 1) loss = div(loss, static_cast<double>(config.grad_accum));
      loss.backward();
      ++batch_index;
      images += batch->labels.numel();
      progress.loss_sum += loss_value;
      const bool last = batch_index == batches;
      if (batch_index % config.grad_accum == 0 || last) {
        optimizer.step();
        scheduler.step();
        optimizer.zero_grad();
        ++progress.global_step;
        progress.records.push_back({{"kind", "step"},
                                    {"step", progress.global_step},
                                    {"epoch", progress.epoch + 1},
                                    {"loss", loss_value},
                                    {"lr", optimizer.lr(optimizer.num_groups() - 1)}});
        progress.batches_done = batch_index;
        bar.update(batch_index, loss_value, optimizer.lr(optimizer.num_groups() - 1), images);
        const bool stop_here =
            config.stop_after_step > 0 && progress.global_step == config.stop_after_step;
        if ((g_interrupted || stop_here) && !last) {
          interrupted = true;
          break;
        }
      }
    }
    bar.finish();
    if (interrupted) break;

    // Epoch end: validate, test, keep the best, checkpoint.
    const double train_loss = progress.loss_sum / static_cast<double>(batches);
    const double val_acc = evaluate(model, val_loader, device);
    const double test_acc = config.evaluate_test ? evaluate(model, test_loader, device) : 0.0;
    if (val_acc > progress.best_val) {
      progress.best_val = val_acc;
      progress.best_epoch = progress.epoch + 1;
      progress.test_at_best = test_acc;
      best = snapshot(model);
    }
    progress.records.push_back({{"kind", "epoch"},
                                {"epoch", progress.epoch + 1},
                                {"train_loss", train_loss},
                                {"val_acc", val_acc},
                                {"test_acc", test_acc},
                                {"elapsed_s", elapsed()}});
    char line[200], test_text[32] = "";
    if (config.evaluate_test)
      std::snprintf(test_text, sizeof test_text, "  test acc %6.2f%%", 100 * test_acc);
    std::snprintf(line, sizeof line,
                  "  epoch %2lld/%lld  train loss %.4f  val acc %6.2f%%%s  (%.0fs)\n",
                  static_cast<long long>(progress.epoch + 1), static_cast<long long>(config.epochs),
                  train_loss, 100 * val_acc, test_text, elapsed());
    log << line << std::flush;
    progress.batches_done = 0;
    progress.loss_sum = 0.0;
    if (g_interrupted ||
        (config.stop_after_epoch > 0 && progress.epoch + 1 == config.stop_after_epoch &&
         progress.epoch + 1 < config.epochs)) {
      interrupted = true;
      ++progress.epoch;  // this epoch is complete
      break;
    }
    // Each epoch end is a checkpoint (the next epoch starts from it).
    Progress next = progress;
    ++next.epoch;
    next.elapsed_s = elapsed();
    write_checkpoint(checkpoint, model, best, optimizer, scheduler, next, config);
  }

  write_metrics(config.out, progress.records);
  write_curves(config.out, progress.records);
  summary.best_val = progress.best_val;
  summary.best_epoch = progress.best_epoch;
  summary.test_at_best = progress.test_at_best;
  summary.wall_s = elapsed();
  summary.interrupted = interrupted;
  if (interrupted) {
    progress.elapsed_s = elapsed();
    write_checkpoint(checkpoint, model, best, optimizer, scheduler, progress, config);
    log << "stopped: checkpoint written to " << checkpoint << " (continue with --resume)\n";
    return summary;
  }

  // The adapter of the best validation epoch.
  std::map<std::string, Tensor> best_map(best.begin(), best.end());
  restore(model, best_map, "");
  summary.adapter_bytes = save_trained(setup, config, config.out + "/adapter");
  write_summary(config.out, summary);
  export_merged_model(setup, config, log);
  std::filesystem::remove(checkpoint);
  return summary;
}

}  // namespace vit_dtd
