// The run loop of the example programs: epochs of micro-batches, gradient accumulation, the
// optimizer step, an evaluation and a checkpoint at each epoch end, the progress bar,
// metrics.jsonl, the curves, Ctrl-C / SIGTERM, --stop-after-*, and --resume. A program supplies
// its model, data and task as a TrainingTask; its train_step() is the forward and backward of
// one micro-batch, and everything around it is here.
//
//   run_training_loop
//     for each epoch:
//       task.start_epoch(epoch, first_batch)         the epoch's batch order (seed, epoch)
//       for each micro-batch:
//         task.train_step(loss_scale)                forward, loss, backward (the task's)
//         every grad_accum micro-batches: optimizer_step(...)   clip, step, schedule, zero
//         log_step(...)                              metrics.jsonl, progress bar
//         on Ctrl-C / SIGTERM / --stop-after-steps: save_checkpoint, return
//       task.evaluate()                              the epoch's metrics
//       task.save_best(epoch) on a new best          the trained method, as it is now
//       log_epoch(...), save_checkpoint(...), write_run_curves(...)
//
// <out>/ receives metrics.jsonl (a "train" record per optimizer step, an "epoch" record per
// finished epoch, each appended and flushed when it happens), loss.png and <metric>.png,
// checkpoint.safetensors (removed when the run completes). A resumed run continues bit for bit
// (checkpoint.h) and refuses a checkpoint of another run (RunIdentity).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "examples/common/checkpoint.h"

namespace fftune::examples {

// One micro-batch's result.
struct StepLoss {
  double loss = 0.0;  // the batch's mean loss, before loss_scale
  int64_t items = 0;  // examples (or tokens) in it, for the progress bar's speed
};

// One evaluation split's metrics, the main one first ("val": {"accuracy": 0.71}).
struct SplitMetrics {
  std::string split;
  std::vector<std::pair<std::string, double>> values;
};

class TrainingTask {
 public:
  virtual ~TrainingTask() = default;
  // Micro-batches per epoch (the same every epoch).
  virtual int64_t batches_per_epoch() const = 0;
  // Starts epoch `epoch` (0-based) at its micro-batch `first_batch` (> 0 on a resume mid-epoch:
  // the batch order is a function of the seed and the epoch, so the skipped ones are the same).
  virtual void start_epoch(int64_t epoch, int64_t first_batch) = 0;
  // Forward, loss and backward of the epoch's next micro-batch, the loss multiplied by
  // `loss_scale` before backward (gradient accumulation).
  virtual StepLoss train_step(double loss_scale) = 0;
  // The metrics after an epoch; the first value of the first split decides the best epoch
  // (higher is better). Empty: no evaluation.
  virtual std::vector<SplitMetrics> evaluate() = 0;
  // A new best epoch (1-based): save what was trained.
  virtual void save_best(int64_t /*epoch*/) {}
};

struct LoopOptions {
  std::string out;  // the run folder
  int64_t epochs = 1;
  int64_t grad_accum = 1;
  double max_grad_norm = 0.0;  // 0: no clipping
  int64_t stop_after_steps = 0;
  int64_t stop_after_epochs = 0;
  bool resume = false;
  bool progress_bar = true;  // false: one line per epoch only
  std::string label = "train", unit = "it";
  RunIdentity identity;
  std::ostream* log = nullptr;  // epoch lines and notices (nullptr: none)
};

struct LoopResult {
  bool completed = false;    // every epoch ran (else a checkpoint was saved)
  bool interrupted = false;  // stopped by Ctrl-C or SIGTERM
  TrainingProgress progress;
  double elapsed_s = 0.0;  // training time, this process and the ones before it
};

// Runs (or, with options.resume, continues) the training of `task` over `parts`.
LoopResult run_training_loop(TrainingTask& task, const CheckpointParts& parts,
                             const LoopOptions& options);

// The optimizer step after a group of micro-batches: clip the trainable gradients' norm (when
// max_grad_norm > 0), step the optimizer and the scheduler, zero the gradients.
void optimizer_step(const CheckpointParts& parts, double max_grad_norm);

// loss.png (the "train" records' loss) and <metric>.png (the "epoch" records' "<split>_<metric>"
// per split) from <out>/metrics.jsonl.
void write_run_curves(const std::string& out, const std::string& metric);

}  // namespace fftune::examples
