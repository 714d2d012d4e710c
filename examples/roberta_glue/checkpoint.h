// The training checkpoint: everything a resumed run needs to continue bit for bit — the trainable
// parameters, the optimizer's moments, the schedule, the position in the epoch, the dropout
// generator's stream and the best dev metric so far. One safetensors file, written under a
// temporary name and renamed, so an interruption never leaves half a checkpoint.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "core/tensor/factory.h"
#include "nn/lr_schedule.h"
#include "nn/module.h"
#include "nn/optimizer.h"

namespace roberta_glue {

struct Progress {
  int64_t epoch = 0;         // the epoch in progress (0-based)
  int64_t next_batch = 0;    // its next batch
  int64_t step = 0;          // optimizer steps done
  double loss_sum = 0;       // this epoch's training loss so far (sum over batches)
  int64_t loss_batches = 0;  // and the number of batches in it
  double best_metric = -std::numeric_limits<double>::infinity();
  int64_t best_epoch = -1;  // 1-based; -1 before the first evaluation
  uint64_t dropout_stream = 0;
};

void save_checkpoint(const std::string& path, const fftune::nn::Module& model,
                     const fftune::nn::Optimizer& optimizer,
                     const fftune::nn::LRScheduler& scheduler, const Progress& progress);

// Restores a checkpoint written by save_checkpoint for the same model, adapter and options.
Progress load_checkpoint(const std::string& path, fftune::nn::Module& model,
                         fftune::nn::Optimizer& optimizer, fftune::nn::LRScheduler& scheduler);

}  // namespace roberta_glue
