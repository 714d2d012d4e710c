// One fine-tuning run, start to finish: data, model and adapter, the training loop (progress
// bar, per-epoch validation and test, metrics.jsonl, curves), the checkpoint at every epoch end
// and on Ctrl-C, --resume, saving the adapter, and --eval-only.
#pragma once

#include <ostream>

#include "config.h"
#include "report.h"

namespace vit_dtd {

// Trains (or, with --eval-only, evaluates) as `config` says, writing into config.out:
//   fftune_run.json          what the folder holds (examples/common/run_folder.h); a new run
//                            refuses a non-empty folder unless --overwrite, and --resume takes
//                            the method from here
//   metrics.jsonl            one JSON object per logged step and per epoch
//   loss.png, accuracy.png   the curves
//   adapter/                 the method at the best validation epoch (model.h save_trained)
//   checkpoint.safetensors   everything --resume needs (removed once the run completes)
//   summary.json             the RunSummary (also written by --eval-only)
// Progress goes to `log`. An interrupted run (Ctrl-C, --stop-after-epoch) returns with
// interrupted set after writing its checkpoint.
RunSummary run_training(const Config& config, std::ostream& log);

// Installs the SIGINT handler that asks the training loop to checkpoint and stop (a second
// Ctrl-C kills the process as usual).
void install_interrupt_handler();

}  // namespace vit_dtd
