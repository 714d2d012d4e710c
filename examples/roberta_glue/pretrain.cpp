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
#include "examples/common/metrics_log.h"
#include "examples/common/run_flags.h"
#include "examples/common/training_loop.h"
#include "nn/adamw.h"
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

// Masked-LM pre-training for the run loop: the epoch's shuffled batches, masked afresh each
// epoch; the held-out masked-token accuracy after each epoch.
class MaskedLmTask : public examples::TrainingTask {
 public:
  MaskedLmTask(nn::RobertaForMaskedLM& model, const std::vector<EncodedExample>& train,
               const std::vector<EncodedExample>& held_out, const data::BpeTokenizer& tokenizer,
               const data::MlmMaskingOptions& masking, const PretrainSettings& settings)
      : model_(model),
        train_(train),
        held_out_(held_out),
        tokenizer_(tokenizer),
        masking_(masking),
        s_(settings) {}

  int64_t batches_per_epoch() const override {
    return (static_cast<int64_t>(train_.size()) + s_.batch_size - 1) / s_.batch_size;
  }

  void start_epoch(int64_t epoch, int64_t first_batch) override {
    model_.train();
    epoch_ = epoch;
    batches_ = training_batches(train_, s_.batch_size, s_.seed, epoch);
    next_ = first_batch;
  }

  // The training step: forward the masked batch, the loss at the chosen tokens, backward.
  examples::StepLoss train_step(double loss_scale) override {
    const size_t b = static_cast<size_t>(next_++);
    const MaskedBatch batch = masked_batch(train_, batches_.at(b), tokenizer_, masking_, s_.seed,
                                           static_cast<uint64_t>(epoch_) * kEpochStride + b);
    const Tensor logits = model_.forward(batch.inputs, batch.attention_mask);  // (B, T, V)
    const Tensor loss = model_.loss(logits, batch.labels);
    mul(loss, loss_scale).backward();
    return {loss.item(), batch.tokens};
  }

  std::vector<examples::SplitMetrics> evaluate() override {
    model_.eval();
    const double accuracy = masked_accuracy(model_, held_out_, tokenizer_, masking_, s_.seed, 128);
    model_.train();
    return {{"held-out", {{"masked_accuracy", accuracy}}}};
  }

 private:
  nn::RobertaForMaskedLM& model_;
  const std::vector<EncodedExample>& train_;
  const std::vector<EncodedExample>& held_out_;
  const data::BpeTokenizer& tokenizer_;
  const data::MlmMaskingOptions& masking_;
  const PretrainSettings& s_;
  int64_t epoch_ = 0;
  std::vector<std::vector<int64_t>> batches_;
  int64_t next_ = 0;
};

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
  nn::AdamW optimizer(model.parameters(true), adamw);
  MaskedLmTask task(model, train, eval, tokenizer, masking, s);
  const int64_t total_steps = task.batches_per_epoch() * s.epochs;
  nn::LRScheduler scheduler(
      optimizer,
      nn::linear_schedule_with_warmup(examples::warmup_steps(s.warmup, total_steps), total_steps));

  examples::LoopOptions loop;
  loop.out = log_dir;
  loop.epochs = s.epochs;
  loop.max_grad_norm = 1.0;
  loop.label = "pretrain";
  loop.unit = "tok";
  loop.identity.program = "roberta_glue pre-training";
  loop.log = &std::cout;
  const examples::LoopResult run = examples::run_training_loop(
      task, {&model, &optimizer, &scheduler, {{"dropout", &gen}}}, loop);
  PretrainResult result;
  result.completed = run.completed;
  if (!run.completed) return result;
  const auto records = examples::read_metrics_log(log_dir + "/metrics.jsonl");
  for (const auto& r : records)
    if (r.value("kind", "") == "epoch") {
      result.final_loss = r.at("train_loss").get<double>();
      result.masked_accuracy = r.at("held-out_masked_accuracy").get<double>();
    }

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
