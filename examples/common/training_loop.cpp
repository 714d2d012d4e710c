#include "examples/common/training_loop.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "core/error.h"
#include "examples/common/atomic_file.h"
#include "examples/common/curves.h"
#include "examples/common/interrupt.h"
#include "examples/common/metrics_log.h"
#include "examples/common/progress.h"
#include "nn/clip_grad.h"

namespace fftune::examples {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<Tensor> trainable_parameters(const nn::Module& model) {
  std::vector<Tensor> out;
  for (const Tensor& p : model.parameters())
    if (p.requires_grad()) out.push_back(p);
  return out;
}

// The "epoch" record of metrics.jsonl: the epoch's training loss and "<split>_<metric>" values.
// No times in it: two runs of the same settings write the same records.
json epoch_record(const TrainingProgress& p, double train_loss,
                  const std::vector<SplitMetrics>& metrics) {
  json record = {
      {"kind", "epoch"}, {"epoch", p.epoch + 1}, {"step", p.step}, {"train_loss", train_loss}};
  for (const SplitMetrics& split : metrics)
    for (const auto& [name, value] : split.values) record[split.split + "_" + name] = value;
  if (!std::isnan(p.best_metric)) {
    record["best_epoch"] = p.best_epoch;
    record["best"] = p.best_metric;
  }
  return record;
}

// "  epoch  2/10  train loss 0.8123  val accuracy 0.7120  test accuracy 0.6900  (12s)"
std::string epoch_line(int64_t epoch, int64_t epochs, double train_loss,
                       const std::vector<SplitMetrics>& metrics, double elapsed_s) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "epoch %3lld/%lld  train loss %.4f", static_cast<long long>(epoch),
                static_cast<long long>(epochs), train_loss);
  std::string line = buf;
  for (const SplitMetrics& split : metrics)
    for (const auto& [name, value] : split.values) {
      std::snprintf(buf, sizeof buf, "  %s %s %.4f", split.split.c_str(), name.c_str(), value);
      line += buf;
    }
  std::snprintf(buf, sizeof buf, "  (%.0fs)", elapsed_s);
  return line + buf;
}

}  // namespace

void optimizer_step(const CheckpointParts& parts, double max_grad_norm) {
  if (max_grad_norm > 0) nn::clip_grad_norm_(trainable_parameters(*parts.model), max_grad_norm);
  parts.optimizer->step();
  if (parts.scheduler) parts.scheduler->step();
  parts.optimizer->zero_grad();
}

void write_run_curves(const std::string& out, const std::string& metric) {
  const std::vector<json> records = read_metrics_log(out + "/metrics.jsonl");
  write_loss_curve(records, out + "/loss.png");
  std::map<std::string, CurveSeries> by_split;
  std::vector<std::string> order;
  const std::string suffix = "_" + metric;
  static const Rgb kColors[] = {{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {148, 103, 189}};
  for (const json& r : records) {
    if (r.value("kind", "") != "epoch") continue;
    for (const auto& [key, value] : r.items()) {
      if (key.size() <= suffix.size() || !key.ends_with(suffix) || !value.is_number()) continue;
      const std::string split = key.substr(0, key.size() - suffix.size());
      if (split == "best") continue;
      if (!by_split.count(split)) {
        by_split[split] = {.label = split, .color = kColors[order.size() % std::size(kColors)]};
        order.push_back(split);
      }
      by_split[split].x.push_back(r["epoch"].get<double>());
      by_split[split].y.push_back(value.get<double>());
    }
  }
  std::vector<CurveSeries> series;
  for (const std::string& split : order) series.push_back(by_split[split]);
  write_line_plot_png(out + "/" + metric + ".png", series,
                      {.title = metric, .x_label = "epoch", .y_label = metric});
}

LoopResult run_training_loop(TrainingTask& task, const CheckpointParts& parts,
                             const LoopOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  FFTUNE_CHECK(o.epochs > 0 && o.grad_accum > 0,
               "run_training_loop: epochs and grad_accum must be positive");
  ensure_writable_directory(o.out, "--out");
  remove_stale_temp_files(o.out);  // of a checkpoint or a file write that a kill cut short
  const std::string checkpoint = checkpoint_path(o.out);
  const std::string metrics_path = o.out + "/metrics.jsonl";

  LoopResult result;
  TrainingProgress& p = result.progress;
  if (o.resume) {
    FFTUNE_CHECK(fs::exists(checkpoint), "--resume: no checkpoint in ", o.out, " (", checkpoint,
                 " does not exist: the run finished, or never saved one)");
    const LoadedCheckpoint loaded = load_checkpoint(checkpoint, parts, &o.identity);
    if (!loaded.warnings.empty() && o.log) *o.log << loaded.warnings;
    p = loaded.progress;
    if (o.log)
      *o.log << "resumed from " << checkpoint << " at epoch " << p.epoch + 1 << ", step " << p.step
             << "\n";
  }
  MetricsLog metrics = o.resume ? MetricsLog(metrics_path, p.step) : MetricsLog(metrics_path);
  const double elapsed_before = p.elapsed_s;
  const auto elapsed = [&] {
    return elapsed_before +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };

  const int64_t batches = task.batches_per_epoch();
  FFTUNE_CHECK(batches > 0, "run_training_loop: the training set has no batch");
  const nn::GradientAccumulation accumulation(o.grad_accum);
  const int64_t steps_per_epoch = (batches + o.grad_accum - 1) / o.grad_accum;
  std::unique_ptr<ProgressBar> bar;
  if (o.progress_bar)
    bar = std::make_unique<ProgressBar>(steps_per_epoch * o.epochs,
                                        ProgressOptions{.label = o.label, .unit = o.unit}, p.step);
  const auto say = [&](const std::string& line) {
    if (bar) bar->finish();
    if (o.log) *o.log << line << "\n" << std::flush;
  };
  const auto save = [&] {
    p.elapsed_s = elapsed();
    save_checkpoint(checkpoint, parts, p, o.identity);
  };

  install_interrupt_handler();
  while (p.epoch < o.epochs) {
    task.start_epoch(p.epoch, p.batch_in_epoch);
    int64_t items = 0;
    bool stop = false;
    for (int64_t b = p.batch_in_epoch; b < batches; ++b) {
      const StepLoss s = task.train_step(accumulation.loss_scale(b, batches));
      p.loss_sum += s.loss;
      p.loss_batches += 1;
      items += s.items;
      if (!accumulation.ends_group(b, batches)) continue;
      optimizer_step(parts, o.max_grad_norm);
      p.step += 1;
      p.batch_in_epoch = b + 1;
      const double lr = parts.optimizer->lr(parts.optimizer->num_groups() - 1);
      metrics.write({{"kind", "train"},
                     {"epoch", p.epoch + 1},
                     {"step", p.step},
                     {"loss", s.loss},
                     {"lr", lr}});
      if (bar) bar->update(p.step, s.loss, lr, items);
      items = 0;
      stop = interrupt_requested() || (o.stop_after_steps > 0 && p.step == o.stop_after_steps);
      if (stop && b + 1 < batches) {  // mid-epoch: the checkpoint continues this epoch
        save();
        result.interrupted = interrupt_requested();
        result.elapsed_s = p.elapsed_s;
        say("stopped after step " + std::to_string(p.step) + ": checkpoint " + checkpoint +
            " (continue with --resume)");
        return result;
      }
    }

    // The epoch's end: evaluate, keep the best, log, checkpoint.
    const double train_loss =
        p.loss_sum / static_cast<double>(std::max<int64_t>(1, p.loss_batches));
    const std::vector<SplitMetrics> evaluation = task.evaluate();
    const bool has_metric = !evaluation.empty() && !evaluation.front().values.empty();
    const double main = has_metric ? evaluation.front().values.front().second : std::nan("");
    if (has_metric && (std::isnan(p.best_metric) || main > p.best_metric)) {
      p.best_metric = main;
      p.best_epoch = p.epoch + 1;
      p.best_metrics.clear();
      for (const SplitMetrics& split : evaluation)
        for (const auto& [name, value] : split.values)
          p.best_metrics[split.split + "_" + name] = value;
      task.save_best(p.epoch + 1);
    }
    metrics.write(epoch_record(p, train_loss, evaluation));
    say(epoch_line(p.epoch + 1, o.epochs, train_loss, evaluation, elapsed()));
    if (has_metric) write_run_curves(o.out, evaluation.front().values.front().first);
    stop = stop || (o.stop_after_epochs > 0 && p.epoch + 1 == o.stop_after_epochs);
    p.epoch += 1;  // the next epoch starts from here
    p.batch_in_epoch = 0;
    p.loss_sum = 0;
    p.loss_batches = 0;
    if (p.epoch == o.epochs) break;
    save();
    if (stop) {
      result.interrupted = interrupt_requested();
      result.elapsed_s = p.elapsed_s;
      say("stopped after epoch " + std::to_string(p.epoch) + ": checkpoint " + checkpoint +
          " (continue with --resume)");
      return result;
    }
  }
  std::error_code ec;
  fs::remove(checkpoint, ec);  // a finished run has nothing to resume
  result.completed = true;
  result.elapsed_s = elapsed();
  return result;
}

}  // namespace fftune::examples
