// examples/common/checkpoint: a round trip of everything a checkpoint holds, the bit-identical
// resume of a run with AdamW, a warmup schedule and dropout, and a clear error for each kind of
// bad or mismatched checkpoint.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "core/io/safetensors.h"
#include "examples/common/checkpoint.h"
#include "nn/adamw.h"
#include "nn/dropout.h"
#include "nn/linear.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

namespace fs = std::filesystem;

// Linear → GELU → Dropout → Linear; fc1.weight frozen, as a pretrained weight would be.
class TinyNet : public nn::Module {
 public:
  TinyNet(int64_t hidden, Generator* init, Generator* dropout) {
    fc1_ = register_module("fc1", std::make_shared<nn::Linear>(4, hidden, true, init));
    drop_ = register_module("drop", std::make_shared<nn::Dropout>(0.3, dropout));
    fc2_ = register_module("fc2", std::make_shared<nn::Linear>(hidden, 3, true, init));
  }
  // x (B, 4) -> logits (B, 3)
  Tensor forward(const Tensor& x) const {
    return fc2_->forward(drop_->forward(gelu(fc1_->forward(x))));
  }

 private:
  std::shared_ptr<nn::Linear> fc1_, fc2_;
  std::shared_ptr<nn::Dropout> drop_;
};

// Everything a training run owns, built the same way in every process.
struct TrainingRun {
  Generator init{7}, dropout{11}, data{13};
  std::unique_ptr<TinyNet> model;
  std::unique_ptr<nn::AdamW> optimizer;
  std::unique_ptr<nn::LRScheduler> scheduler;

  explicit TrainingRun(int64_t hidden = 8, bool freeze_fc1 = true, int64_t total_steps = 6) {
    model = std::make_unique<TinyNet>(hidden, &init, &dropout);
    if (freeze_fc1) model->set_requires_grad({"fc1.weight"}, false);
    optimizer = std::make_unique<nn::AdamW>(model->parameters(/*trainable_only=*/true),
                                            nn::AdamWOptions{.lr = 0.05, .weight_decay = 0.01});
    scheduler = std::make_unique<nn::LRScheduler>(*optimizer,
                                                  nn::linear_schedule_with_warmup(2, total_steps));
  }
  // One optimizer step on a batch drawn from the data generator.
  void step() {
    const Tensor x = randn({5, 4}, DType::f32, Device::cpu(), &data);
    const Tensor y = randint(0, 3, {5}, Device::cpu(), &data);
    cross_entropy(model->forward(x), y).backward();
    optimizer->step();
    scheduler->step();
    optimizer->zero_grad();
  }
  CheckpointParts parts() {
    return {
        model.get(), optimizer.get(), scheduler.get(), {{"dropout", &dropout}, {"data", &data}}};
  }
};

// Every parameter's values, and the optimizer state, as exact numbers.
std::map<std::string, std::vector<double>> snapshot(const TrainingRun& run) {
  std::map<std::string, std::vector<double>> out;
  for (const auto& [name, p] : run.model->named_parameters())
    out["param " + name] = to_vector<double>(p.to(DType::f64));
  for (const auto& [key, t] : run.optimizer->state_dict())
    out["optimizer " + key] = to_vector<double>(t.to(DType::f64));
  out["lr"] = {run.optimizer->lr(0)};
  return out;
}

class ExampleCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    path_ = checkpoint_path(dir_.string());
  }

  // A checkpoint of a TrainingRun after 3 steps, at `path_`.
  void save_after_three_steps(const RunIdentity& identity = {}) {
    TrainingRun run;
    for (int i = 0; i < 3; ++i) run.step();
    save_checkpoint(path_, run.parts(), {.epoch = 1, .batch_in_epoch = 1, .step = 3}, identity);
  }

  testing::TempDir tmp_{"fftune_checkpoint"};  // removed with the fixture
  fs::path dir_;
  std::string path_;
};

TEST_F(ExampleCheckpoint, ResumeIsBitIdenticalToAnUninterruptedRun) {
  TrainingRun straight;
  for (int i = 0; i < 6; ++i) straight.step();

  save_after_three_steps();
  TrainingRun resumed;  // fresh objects, as in a new process
  const LoadedCheckpoint loaded = load_checkpoint(path_, resumed.parts());
  EXPECT_EQ(loaded.progress.step, 3);
  for (int i = 0; i < 3; ++i) resumed.step();

  const auto expected = snapshot(straight), actual = snapshot(resumed);
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [key, values] : expected) EXPECT_EQ(actual.at(key), values) << key;
  EXPECT_EQ(resumed.dropout.stream_position(), straight.dropout.stream_position());
  EXPECT_EQ(resumed.data.stream_position(), straight.data.stream_position());
  EXPECT_EQ(resumed.scheduler->last_step(), 6);

  // The comparison is sharp: restoring everything but the dropout generator's position changes
  // the result.
  TrainingRun wrong;
  load_checkpoint(path_, wrong.parts());
  wrong.dropout.set_stream_position(0);
  for (int i = 0; i < 3; ++i) wrong.step();
  EXPECT_NE(snapshot(wrong).at("param fc2.weight"), expected.at("param fc2.weight"));
}

TEST_F(ExampleCheckpoint, RoundTripOfProgressRunKeysAndTrainableParameters) {
  TrainingRun run;
  for (int i = 0; i < 2; ++i) run.step();
  const TrainingProgress progress{.epoch = 4,
                                  .batch_in_epoch = 17,
                                  .step = 123,
                                  .best_metric = 0.1 + 0.2,
                                  .best_epoch = 3,
                                  .best_metrics = {{"val_accuracy", 0.3}, {"test_accuracy", 0.25}},
                                  .loss_sum = 1.0 / 3,
                                  .loss_batches = 5,
                                  .elapsed_s = 12.5};
  const RunIdentity identity{.program = "vit_dtd",
                             .flags = {{"adapter", "fourierft"}, {"n", "3000"}},
                             .fingerprints = {{"data", "0123456789abcdef"}},
                             .paths = {{"data", "/data/dtd"}}};
  save_checkpoint(path_, run.parts(), progress, identity);

  // Nothing but the checkpoint is left in the folder (no temporary file).
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir_)) files.push_back(e.path().filename());
  EXPECT_EQ(files, std::vector<std::string>{"checkpoint.safetensors"});

  // Only the trainable parameters are saved.
  const io::SafetensorsFile file = io::load_safetensors(path_);
  EXPECT_EQ(file.tensors.count("model.fc1.weight"), 0u);
  EXPECT_EQ(file.tensors.count("model.fc1.bias"), 1u);
  EXPECT_EQ(file.tensors.count("model.fc2.weight"), 1u);
  EXPECT_EQ(file.tensors.count("scheduler.last_step"), 1u);

  TrainingRun fresh;
  const LoadedCheckpoint loaded = load_checkpoint(path_, fresh.parts());
  EXPECT_EQ(loaded.progress.epoch, 4);
  EXPECT_EQ(loaded.progress.batch_in_epoch, 17);
  EXPECT_EQ(loaded.progress.step, 123);
  EXPECT_EQ(loaded.progress.best_metric, 0.1 + 0.2);  // exact, not 0.3
  EXPECT_EQ(loaded.progress.best_epoch, 3);
  EXPECT_EQ(loaded.progress.best_metrics, progress.best_metrics);
  EXPECT_EQ(loaded.progress.loss_sum, 1.0 / 3);
  EXPECT_EQ(loaded.progress.loss_batches, 5);
  EXPECT_EQ(loaded.progress.elapsed_s, 12.5);
  EXPECT_EQ(loaded.identity.program, "vit_dtd");
  EXPECT_EQ(loaded.identity.flags, identity.flags);
  EXPECT_EQ(loaded.identity.fingerprints, identity.fingerprints);
  EXPECT_EQ(loaded.identity.paths, identity.paths);
  EXPECT_EQ(snapshot(fresh), snapshot(run));

  // No best metric yet round-trips as NaN.
  save_checkpoint(path_, run.parts(), {});
  EXPECT_TRUE(std::isnan(load_checkpoint(path_, fresh.parts()).progress.best_metric));
}

TEST_F(ExampleCheckpoint, ResumingWithOtherSettingsIsRefused) {
  const RunIdentity saved{.program = "vit_dtd",
                          .flags = {{"adapter", "fourierft"}, {"n", "3000"}},
                          .fingerprints = {{"data", "aaaa"}},
                          .paths = {{"data", "/scratch/1/dtd"}}};
  save_after_three_steps(saved);
  TrainingRun run;
  const LoadedCheckpoint loaded = load_checkpoint(path_, run.parts(), &saved);
  EXPECT_EQ(loaded.warnings, "");

  RunIdentity other = saved;
  other.flags["adapter"] = "lora";
  EXPECT_FFTUNE_ERROR(check_same_run(saved, other, path_),
                      "--adapter: checkpoint fourierft, now lora");
  other = saved;
  other.flags.erase("n");
  EXPECT_FFTUNE_ERROR(check_same_run(saved, other, path_), "--n: checkpoint 3000, now (absent)");
  // Other data: named, with both paths.
  other = saved;
  other.fingerprints["data"] = "bbbb";
  other.paths["data"] = "/scratch/2/dtd";
  EXPECT_FFTUNE_ERROR(check_same_run(saved, other, path_),
                      "content of the data: checkpoint aaaa (/scratch/1/dtd), now bbbb "
                      "(/scratch/2/dtd)");
  // The same data elsewhere: a warning naming both paths.
  other = saved;
  other.paths["data"] = "/scratch/2/dtd";
  EXPECT_EQ(check_same_run(saved, other, path_),
            "warning: the data moved: checkpoint /scratch/1/dtd, now /scratch/2/dtd (same "
            "content)\n");
  // Another program's checkpoint.
  other = saved;
  other.program = "roberta_glue";
  EXPECT_FFTUNE_ERROR(check_same_run(saved, other, path_),
                      "was written by vit_dtd, not by roberta_glue");
  // load_checkpoint checks the identity before it restores anything.
  other.program = "roberta_glue";
  TrainingRun untouched;
  const auto before = snapshot(untouched);
  EXPECT_FFTUNE_ERROR(load_checkpoint(path_, untouched.parts(), &other), "not by roberta_glue");
  EXPECT_EQ(snapshot(untouched), before);
}

TEST_F(ExampleCheckpoint, ACorruptProgressRecordIsAClearError) {
  TrainingRun run;
  for (int i = 0; i < 3; ++i) run.step();
  save_checkpoint(path_, run.parts(), {.step = 3});
  io::SafetensorsFile file = io::load_safetensors(path_);
  std::vector<std::pair<std::string, Tensor>> tensors(file.tensors.begin(), file.tensors.end());
  auto metadata = file.metadata;
  metadata["step"] = "three";
  io::save_safetensors(path_, tensors, metadata);
  EXPECT_FFTUNE_ERROR(load_checkpoint(path_, run.parts()), "metadata 'step' is not a number");
  metadata.erase("step");
  io::save_safetensors(path_, tensors, metadata);
  EXPECT_FFTUNE_ERROR(load_checkpoint(path_, run.parts()), "metadata 'step' is missing");
}

TEST_F(ExampleCheckpoint, MissingOrCorruptFileIsAClearError) {
  TrainingRun run;
  EXPECT_FFTUNE_ERROR(load_checkpoint(path_, run.parts()), path_ + " does not exist");

  save_after_three_steps();
  const auto size = fs::file_size(path_);
  fs::resize_file(path_, size / 2);  // a truncated copy
  EXPECT_FFTUNE_ERROR(load_checkpoint(path_, run.parts()), path_);

  std::ofstream(path_, std::ios::binary | std::ios::trunc) << "not a safetensors file at all";
  EXPECT_FFTUNE_ERROR(load_checkpoint(path_, run.parts()), path_);

  // A valid safetensors file that is not a checkpoint (an adapter, say).
  io::save_safetensors(path_, {{"w", zeros({2})}});
  EXPECT_FFTUNE_ERROR(load_checkpoint(path_, run.parts()), "not an fftune training checkpoint");
}

TEST_F(ExampleCheckpoint, MismatchedRunIsAClearErrorAndChangesNothing) {
  save_after_three_steps();
  {
    TrainingRun other(/*hidden=*/6);
    EXPECT_FFTUNE_ERROR(load_checkpoint(path_, other.parts()),
                        "parameter 'fc1.bias' is f32 (8,) in the file but f32 (6,) in the model");
  }
  {
    TrainingRun other(8, /*freeze_fc1=*/false);
    EXPECT_FFTUNE_ERROR(load_checkpoint(path_, other.parts()),
                        "trainable parameter 'fc1.weight' is missing");
  }
  {
    TrainingRun other;
    other.model->set_requires_grad({"fc2.bias"}, false);
    EXPECT_FFTUNE_ERROR(load_checkpoint(path_, other.parts()),
                        "parameter 'fc2.bias' is not a trainable parameter of this model");
  }
  {
    TrainingRun other;
    Generator extra(1);
    CheckpointParts parts = other.parts();
    parts.generators.emplace_back("shuffle", &extra);
    EXPECT_FFTUNE_ERROR(load_checkpoint(path_, parts), "no state for generator 'shuffle'");
    parts.generators = {{"dropout", &other.dropout}};
    EXPECT_FFTUNE_ERROR(load_checkpoint(path_, parts), "holds generator 'data'");
    parts = other.parts();
    parts.scheduler = nullptr;
    EXPECT_FFTUNE_ERROR(load_checkpoint(path_, parts), "this run has no scheduler");
  }
  {
    // The scheduler refuses (another total) after the optimizer state was read: the optimizer,
    // the model and the generators stay as they were.
    TrainingRun other(8, true, /*total_steps=*/10);
    other.step();
    const auto before = snapshot(other);
    const uint64_t dropout_position = other.dropout.stream_position();
    EXPECT_FFTUNE_ERROR(load_checkpoint(path_, other.parts()), "'total_steps' is 6 in the state");
    EXPECT_EQ(snapshot(other), before);
    EXPECT_EQ(other.dropout.stream_position(), dropout_position);
  }
}

}  // namespace
}  // namespace fftune::examples
