// Masked-language-model pre-training of a small RoBERTa from scratch, for the demo: the objective
// and recipe of RoBERTa (15% of the tokens chosen, 80/10/10 <mask>/random/unchanged, a fresh
// masking every epoch, AdamW with β2 = 0.98, linear warmup and decay), scaled down to a model
// that trains in a minute or two on a laptop's CPU.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/bpe_tokenizer.h"
#include "nn/models/roberta.h"

namespace roberta_glue {

struct PretrainSettings {
  fftune::nn::RobertaConfig model;  // architecture (vocab_size is set from the tokenizer)
  int64_t max_len = 64;             // tokens per text, <s> and </s> included
  int64_t epochs = 4;
  int64_t batch_size = 64;
  double lr = 2e-3;
  double warmup = 0.06;  // fraction of the steps
  double weight_decay = 0.01;
  double mask_probability = 0.15;
  uint64_t seed = 0;
};

struct PretrainResult {
  bool completed = false;      // false: stopped by Ctrl-C or SIGTERM, nothing saved
  double final_loss = 0;       // mean training loss of the last epoch
  double masked_accuracy = 0;  // on the held-out texts: predicted == original at chosen tokens
  double wall_seconds = 0;
};

// Pre-trains a RobertaForMaskedLM on `texts` (the last `held_out` of them only evaluate) and
// writes it to `model_dir` as a Hugging Face directory: config.json ("RobertaForMaskedLM"),
// model.safetensors, and the tokenizer's vocab.json and merges.txt copied from `tokenizer_dir`,
// so `--model model_dir` loads it. The epochs run on the shared run loop
// (examples/common/training_loop.h): `log_dir` receives metrics.jsonl, loss.png and
// masked_accuracy.png.
PretrainResult pretrain_masked_lm(const std::vector<std::string>& texts, int64_t held_out,
                                  const fftune::data::BpeTokenizer& tokenizer,
                                  const std::string& tokenizer_dir,
                                  const PretrainSettings& settings, const std::string& model_dir,
                                  const std::string& log_dir);

}  // namespace roberta_glue
