// Training checkpoints: everything a run needs to continue exactly where it stopped, in one
// safetensors file (<out>/checkpoint.safetensors), written to a temporary name and renamed into
// place, so that a crash during the save leaves the previous checkpoint intact.
//
// Tensors:
//   model.<name>       each trainable parameter (requires_grad) of the model, by its dotted name;
//                      frozen weights are not saved: they come from the pretrained model again
//   optimizer.<key>    Optimizer::state_dict() (moments, step counts, per-group hyper-parameters)
//   scheduler.<key>    LRScheduler::state_dict(), when the run has a scheduler
// Metadata (strings, exact): "fftune_checkpoint" (the format version), the counters of
// TrainingProgress, each generator's seed and stream position ("rng.<name>.seed",
// "rng.<name>.stream"), and the run's own keys ("run.<key>", e.g. the adapter and its settings).
//
// Resuming bit for bit (CPU; on CUDA in its deterministic mode): rebuild the run as a fresh one
// would be built (same pretrained weights, same model and adapter settings, the optimizer and
// scheduler over the same parameters), then load_checkpoint() restores the trainable values,
// the optimizer and scheduler state and every generator's position; the loop continues at epoch
// `progress.epoch`, skipping its first `progress.batch_in_epoch` batches. For this to hold, the
// batch order of an epoch must be a function of (seed, epoch) — or drawn from a saved generator
// — and checkpoints are taken only between optimizer steps (never mid-way through gradient
// accumulation). A module built with a null generator (nn::Dropout, say) draws from
// default_generator(): list that one too, e.g. {"default", &default_generator()}.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/factory.h"
#include "nn/lr_schedule.h"
#include "nn/module.h"
#include "nn/optimizer.h"

namespace fftune::examples {

// Where a run keeps its progress.
struct TrainingProgress {
  int64_t epoch = 0;           // the epoch in progress (0-based): epochs before it are complete
  int64_t batch_in_epoch = 0;  // batches of that epoch already trained on (0 at an epoch start)
  int64_t step = 0;            // optimizer steps taken since the start of the run
  double best_metric = std::numeric_limits<double>::quiet_NaN();  // NaN: not evaluated yet
  int64_t best_epoch = -1;
};

// What a checkpoint saves and restores. The objects belong to the caller.
struct CheckpointParts {
  nn::Module* model = nullptr;           // required: its trainable parameters
  nn::Optimizer* optimizer = nullptr;    // required
  nn::LRScheduler* scheduler = nullptr;  // optional
  std::vector<std::pair<std::string, Generator*>> generators = {};  // e.g. {"dropout", &gen}
};

struct LoadedCheckpoint {
  TrainingProgress progress;
  std::map<std::string, std::string> run;  // the run keys given to save_checkpoint
};

// <out_dir>/checkpoint.safetensors
std::string checkpoint_path(const std::string& out_dir);

// Writes the checkpoint atomically (temporary file + rename). `run` holds keys that must match
// on resume (see check_same_run), e.g. {"adapter", "fourierft"}, {"n", "3000"}.
void save_checkpoint(const std::string& path, const CheckpointParts& parts,
                     const TrainingProgress& progress,
                     const std::map<std::string, std::string>& run = {});

// Restores `parts` from the file at `path` and returns the progress. Everything is checked
// before anything changes: a missing or malformed file, a parameter missing, extra or of another
// shape, optimizer or scheduler state that does not fit, or a generator missing on either side
// stops with fftune::Error naming the file and what did not match.
LoadedCheckpoint load_checkpoint(const std::string& path, const CheckpointParts& parts);

// Fails (naming every differing key) unless the checkpoint's run keys equal `run`: resuming
// with other settings would silently train something else.
void check_same_run(const LoadedCheckpoint& checkpoint,
                    const std::map<std::string, std::string>& run, const std::string& path);

}  // namespace fftune::examples
