// roberta_glue: fine-tunes a Hugging Face RoBERTa directory on one GLUE task — FourierFT, LoRA,
// Hartley (any registered adapter), the head alone, or everything — and reports the best-epoch
// dev metric as the FourierFT paper does (docs/reproduce.md, "RoBERTa on GLUE").
//
//   roberta_glue --task sst2 --glue-dir glue_data --model roberta-base --paper-defaults
//   roberta_glue --demo     (demo.h: a generated SST-2 task and a tiny RoBERTa it pre-trains)
//
// <out>/ receives fftune_run.json (what the folder holds: examples/common/run_folder.h),
// config.json (the resolved options), metrics.jsonl, loss.png and <metric>.png
// (examples/common/training_loop.h), best/ (the best epoch's method and weights:
// examples/common/method.h), results.json, checkpoint.safetensors (for --resume; written each
// epoch and on Ctrl-C / SIGTERM, removed when the run completes) and, with --predict,
// predictions/<TASK>.tsv for the GLUE server.
#include "program.h"

int main(int argc, char** argv) {
  return roberta_glue::run_program(argc, argv);
}
