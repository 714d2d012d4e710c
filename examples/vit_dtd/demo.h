// The demo (README's first command): the paper's Figure 1 in miniature, on procedural textures.
//
//   1. Generate the texture dataset in the real DTD layout (examples/vit_dtd/textures.h):
//      half of the classes for pre-training, the other half for fine-tuning.
//   2. Pre-train a tiny ViT from scratch on the first half (full training), and save its
//      backbone as an HF ViTModel directory. Both are cached (keyed by a hash of the settings)
//      under $XDG_CACHE_HOME/fftune or ~/.cache/fftune, so later runs start at step 3.
//   3. Fine-tune that backbone on the other half three ways — head only, LoRA, FourierFT —
//      through the same run_training a real DTD run uses, and print the comparison table.
#pragma once

#include <ostream>
#include <vector>

#include "config.h"
#include "report.h"

namespace vit_dtd {

// Runs the demo at config.demo_size ("full": the README's; "small": the end-to-end test's) with
// config.seed for the fine-tuning runs. Writes each run under config.out/<method>/ and
// config.out/demo_results.json; returns the table's rows (head only, LoRA, FourierFT).
std::vector<RunSummary> run_demo(const Config& config, std::ostream& log);

}  // namespace vit_dtd
