// roberta_glue --demo: the RoBERTa side of the paper in miniature, with nothing downloaded.
//
//   1. Text: movie-review sentences from a small grammar whose sentiment is compositional
//      (negation, contrast; examples/roberta_glue/sentiment_grammar.h) — unlabelled reviews for
//      pre-training, and an SST-2 task in the real GLUE layout (SST-2/train.tsv, dev.tsv) for
//      fine-tuning.
//   2. A byte-level BPE vocabulary trained on the reviews (data/bpe_trainer.h).
//   3. A tiny RoBERTa pre-trained from scratch with the masked-LM objective on the reviews
//      (pretrain.h), saved as a Hugging Face model directory.
//   Steps 1-3 are cached under $XDG_CACHE_HOME/fftune or ~/.cache/fftune (--cache-dir), in a
//   directory named by a hash of their settings, so later runs start at step 4.
//   4. Head-only, LoRA and FourierFT fine-tuning of that model on the task, through the same
//      run_training as a real GLUE run, and the comparison table.
#pragma once

#include <vector>

#include "examples/common/summary.h"
#include "options.h"

namespace roberta_glue {

// Runs the demo at options.demo_size ("full": the README's; "small": the end-to-end test's) with
// options.seed for the fine-tuning runs. Each run goes to options.out/<adapter>/, the table's
// numbers to options.out/demo_results.json. Returns the rows (head only, LoRA, FourierFT); fewer
// when a run was interrupted.
std::vector<fftune::examples::SummaryRow> run_demo(const Options& options);

}  // namespace roberta_glue
