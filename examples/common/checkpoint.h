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
// "rng.<name>.stream"), and the run's identity (RunIdentity): the program ("program"), every flag
// that changes the result ("flag.<name>"), a content fingerprint of the data and the model
// ("fingerprint.<name>") and their paths ("path.<name>").
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
  std::map<std::string, double> best_metrics = {};  // every metric of the best epoch
  double loss_sum = 0.0;     // the epoch in progress: its batches' summed losses so far
  int64_t loss_batches = 0;  // and how many batches
  double elapsed_s = 0.0;    // training time before this process
};

// What a checkpoint must agree with to be resumed: the program, the flags that change the
// result (as exact text), a content fingerprint of each input (content_fingerprint.h) and the
// inputs' paths. A different program, flag or fingerprint is an error; a path alone that
// differs (the same data copied elsewhere) is a warning.
struct RunIdentity {
  std::string program;
  std::map<std::string, std::string> flags = {};
  std::map<std::string, std::string> fingerprints = {};  // "data", "model"
  std::map<std::string, std::string> paths = {};         // "data", "model"
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
  RunIdentity identity;  // as saved
  std::string warnings;  // path-only differences from the expected identity, one per line
};

// <out_dir>/checkpoint.safetensors
std::string checkpoint_path(const std::string& out_dir);

// Writes the checkpoint atomically (temporary file, fsync, rename, fsync of the directory).
void save_checkpoint(const std::string& path, const CheckpointParts& parts,
                     const TrainingProgress& progress, const RunIdentity& identity = {});

// Restores `parts` from the file at `path` and returns the progress. Everything is checked
// before anything changes: a missing or malformed file, one without fftune's metadata or with
// a malformed progress record, a run identity other than `expected` (when given: see
// check_same_run), a parameter missing, extra or of another shape, optimizer or scheduler state
// that does not fit, or a generator missing on either side stops with fftune::Error naming the
// file and what did not match.
LoadedCheckpoint load_checkpoint(const std::string& path, const CheckpointParts& parts,
                                 const RunIdentity* expected = nullptr);

// Compares a checkpoint's identity with the run's. Another program, or any flag or fingerprint
// that differs, is one fftune::Error naming every difference (resuming would silently train
// something else); paths that differ while the fingerprints agree come back as warnings (one
// line each), "" when none.
std::string check_same_run(const RunIdentity& saved, const RunIdentity& expected,
                           const std::string& path);

}  // namespace fftune::examples
