#include "pretrain.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "batches.h"
#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/tensor/factory.h"
#include "data/mlm_masking.h"
#include "examples/common/curves.h"
#include "examples/common/metrics_log.h"
#include "examples/common/progress.h"
#include "nn/adamw.h"
#include "nn/clip_grad.h"
#include "nn/lr_schedule.h"
#include "ops/ops.h"

namespace roberta_glue {

using namespace fftune;
namespace fs = std::filesystem;

namespace {

// Masking streams: training batch b of epoch e draws from stream e · kEpochStride + b; the
// held-out batches use the same fixed streams every epoch, so their accuracy is comparable.
constexpr uint64_t kEpochStride = 1 << 20;
constexpr uint64_t kHeldOutStream = uint64_t{1} << 40;

struct MaskedBatch {
  Tensor inputs, attention_mask, labels;  // i64 (B, T) each
  int64_t tokens = 0;                     // non-pad tokens
};

MaskedBatch masked_batch(const std::vector<EncodedExample>& examples,
                         const std::vector<int64_t>& indices, const data::BpeTokenizer& tokenizer,
                         const data::MlmMaskingOptions& masking, uint64_t seed, uint64_t stream) {
  const Batch batch = make_batch(examples, indices, tokenizer.pad_id(), false);
  const data::MaskedTokens masked =
      data::mask_tokens(to_vector<int64_t>(batch.ids), masking, seed, stream);
  MaskedBatch out;
  out.inputs = from_vector(masked.inputs, batch.ids.shape());
  out.labels = from_vector(masked.labels, batch.ids.shape());
  out.attention_mask = batch.attention_mask;
  for (int64_t i : indices) out.tokens += static_cast<int64_t>(examples[i].ids.size());
  return out;
}

// Fraction of the chosen tokens of the held-out texts that the model restores.
double masked_accuracy(const nn::RobertaForMaskedLM& model,
                       const std::vector<EncodedExample>& examples,
                       const data::BpeTokenizer& tokenizer, const data::MlmMaskingOptions& masking,
                       uint64_t seed, int64_t batch_size) {
  NoGradGuard no_grad;
  int64_t correct = 0, chosen = 0;
  const auto batches = evaluation_batches(examples, batch_size);
  for (size_t b = 0; b < batches.size(); ++b) {
    const MaskedBatch batch =
        masked_batch(examples, batches[b], tokenizer, masking, seed, kHeldOutStream + b);
    const auto predicted =
        to_vector<int64_t>(argmax(model.forward(batch.inputs, batch.attention_mask), 2));
    const auto labels = to_vector<int64_t>(batch.labels);
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == -100) continue;
      chosen += 1;
      correct += predicted[i] == labels[i];
    }
  }
  return chosen > 0 ? static_cast<double>(correct) / static_cast<double>(chosen) : 0.0;
}

}  // namespace

PretrainResult pretrain_masked_lm(const std::vector<std::string>& texts, int64_t held_out,
                                  const data::BpeTokenizer& tokenizer,
                                  const std::string& tokenizer_dir, const PretrainSettings& s,
                                  const std::string& model_dir, const std::string& log_dir) {
  const auto started = std::chrono::steady_clock::now();
  const auto n_texts = static_cast<int64_t>(texts.size());
  FFTUNE_CHECK(held_out > 0 && held_out < n_texts, "pretrain_masked_lm: held_out must be in [1, ",
               n_texts, "), got ", held_out);

  nn::RobertaConfig config = s.model;
  config.vocab_size = tokenizer.vocab_size();
  config.pad_token_id = tokenizer.pad_id();
  config.max_position_embeddings = s.max_len + config.pad_token_id + 1;
  Generator gen(s.seed);  // initialisation and dropout
  config.gen = &gen;
  nn::RobertaForMaskedLM model(config);
  nn::init_roberta_weights(model, 0.02, &gen);  // as transformers starts a model from scratch

  std::vector<EncodedExample> train, eval;
  for (int64_t i = 0; i < n_texts; ++i) {
    EncodedExample e;
    e.ids = tokenizer.encode(texts[i], s.max_len).ids;
    (i < n_texts - held_out ? train : eval).push_back(std::move(e));
  }
  data::MlmMaskingOptions masking;
  masking.mask_probability = s.mask_probability;
  masking.mask_id = tokenizer.mask_id();
  masking.vocab_size = tokenizer.vocab_size();
  masking.special_ids = {tokenizer.bos_id(), tokenizer.eos_id(), tokenizer.pad_id(),
                         tokenizer.unk_id(), tokenizer.mask_id()};

  // RoBERTa's optimizer: AdamW with β2 = 0.98 and ε = 1e-6, linear warmup then decay.
  nn::AdamWOptions adamw;
  adamw.lr = s.lr;
  adamw.weight_decay = s.weight_decay;
  adamw.beta2 = 0.98;
  adamw.eps = 1e-6;
  const std::vector<Tensor> params = model.parameters(true);
  nn::AdamW optimizer(params, adamw);
  const int64_t batches_per_epoch =
      (static_cast<int64_t>(train.size()) + s.batch_size - 1) / s.batch_size;
  const int64_t total_steps = batches_per_epoch * s.epochs;
  const auto warmup_steps = static_cast<int64_t>(std::ceil(s.warmup * total_steps));
  nn::LRScheduler scheduler(optimizer, nn::linear_schedule_with_warmup(warmup_steps, total_steps));

  fs::create_directories(log_dir);
  examples::MetricsLog log(log_dir + "/metrics.jsonl");
  examples::ProgressOptions progress;
  progress.label = "pretrain";
  progress.unit = "tok";
  progress.log_every = 100;
  examples::ProgressBar bar(total_steps, progress);
  PretrainResult result;
  int64_t step = 0;
  for (int64_t epoch = 0; epoch < s.epochs; ++epoch) {
    model.train();
    const auto batches = training_batches(train, s.batch_size, s.seed, epoch);
    double loss_sum = 0;
    for (size_t b = 0; b < batches.size(); ++b) {
      const MaskedBatch batch =
          masked_batch(train, batches[b], tokenizer, masking, s.seed, epoch * kEpochStride + b);
      const Tensor loss =
          model.loss(model.forward(batch.inputs, batch.attention_mask), batch.labels);
      const double loss_value = loss.item();
      loss.backward();
      nn::clip_grad_norm_(params, 1.0);
      optimizer.step();
      scheduler.step();
      optimizer.zero_grad();
      loss_sum += loss_value;
      step += 1;
      log.write({{"kind", "train"},
                 {"epoch", epoch + 1},
                 {"step", step},
                 {"loss", loss_value},
                 {"lr", optimizer.lr(0)}});
      bar.update(step, loss_value, optimizer.lr(0), batch.tokens);
    }
    model.eval();
    result.final_loss = loss_sum / static_cast<double>(batches.size());
    result.masked_accuracy = masked_accuracy(model, eval, tokenizer, masking, s.seed, 128);
    log.write({{"kind", "eval"},
               {"epoch", epoch + 1},
               {"step", step},
               {"split", "held-out"},
               {"train_loss", result.final_loss},
               {"masked_accuracy", result.masked_accuracy}});
    char line[160];
    std::snprintf(line, sizeof line,
                  "pretrain epoch %lld/%lld  train loss %.4f  held-out masked-token accuracy "
                  "%.2f%%",
                  static_cast<long long>(epoch + 1), static_cast<long long>(s.epochs),
                  result.final_loss, 100 * result.masked_accuracy);
    bar.print(line);
  }
  bar.finish();
  const auto records = examples::read_metrics_log(log_dir + "/metrics.jsonl");
  examples::write_loss_curve(records, log_dir + "/loss.png");
  examples::write_metric_curve(records, "masked_accuracy", log_dir + "/masked_accuracy.png");

  // Written beside its final place and renamed, so a cached directory is always complete.
  const std::string tmp = model_dir + ".tmp";
  fs::remove_all(tmp);
  nn::hf::save_pretrained(model, tmp, model.config().to_json("RobertaForMaskedLM"),
                          nn::RobertaForMaskedLM::checkpoint_layout());
  for (const char* file : {"vocab.json", "merges.txt"})
    fs::copy_file(tokenizer_dir + "/" + file, tmp + "/" + file);
  fs::remove_all(model_dir);
  fs::rename(tmp, model_dir);
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace roberta_glue
