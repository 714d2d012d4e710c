// One fine-tuning run, start to finish: data, model and adapter, and the task the shared run
// loop trains (examples/common/training_loop.h: progress bar, metrics.jsonl, curves, the
// checkpoint at every epoch end and on Ctrl-C / SIGTERM, --resume), saving the adapter, and
// --eval-only.
#pragma once

#include <ostream>

#include "config.h"
#include "data/loader.h"
#include "examples/common/training_loop.h"
#include "nn/models/vit.h"
#include "report.h"

namespace vit_dtd {

// The training step a student looks for: forward the batch, the cross-entropy of its labels,
// and backward of the loss times `loss_scale` (gradient accumulation). The optimizer step, the
// schedule and the epoch bookkeeping are the run loop's (examples/common/training_loop.h).
fftune::examples::StepLoss train_step(fftune::nn::ViTForImageClassification& model,
                                      const fftune::data::Batch& batch, double loss_scale,
                                      fftune::Device device);

// Accuracy of `model` over every batch of `loader` (evaluation mode, no graph).
double evaluate(fftune::nn::ViTForImageClassification& model, fftune::data::ImageLoader& loader,
                fftune::Device device);

// Trains (or, with --eval-only, evaluates) as `config` says, writing into config.out:
//   fftune_run.json          what the folder holds (examples/common/run_folder.h); a new run
//                            refuses a non-empty folder unless --overwrite, and --resume takes
//                            the method from here
//   metrics.jsonl            a "train" record per optimizer step, an "epoch" record per epoch
//   loss.png, accuracy.png   the curves
//   adapter/                 the method at the best validation epoch (model.h save_trained)
//   checkpoint.safetensors   everything --resume needs (removed once the run completes)
//   summary.json             the RunSummary (also written by --eval-only)
// Progress goes to `log`. A stopped run (Ctrl-C, SIGTERM, --stop-after-*) returns with
// interrupted set after writing its checkpoint.
RunSummary run_training(const Config& config, std::ostream& log);

}  // namespace vit_dtd
