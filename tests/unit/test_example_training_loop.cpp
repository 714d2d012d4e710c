// examples/common/training_loop.h, the run loop of both example programs, on a tiny regression:
// an epoch's record is in metrics.jsonl as soon as the epoch ends; gradient accumulation scales
// every group (the short last one too) by its size; a run stopped mid-epoch and resumed ends
// bit-identical to an uninterrupted one; a checkpoint of another run, or another program's, is
// refused; temporary files of a killed write are removed at the next start.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <vector>

#include "core/autograd/grad_mode.h"
#include "core/tensor/factory.h"
#include "examples/common/metrics_log.h"
#include "examples/common/training_loop.h"
#include "nn/adamw.h"
#include "nn/linear.h"
#include "nn/lr_schedule.h"
#include "ops/ops.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

namespace fs = std::filesystem;

// y = x·w on 10 fixed examples in 5 batches of 2 (shuffled per epoch from the seed); the metric
// is minus the mean squared error on the same examples.
class Regression : public TrainingTask {
 public:
  explicit Regression(const std::string& out) : out_(out) {
    Generator data(3);
    x_ = randn({10, 3}, DType::f64, Device::cpu(), &data);
    y_ = randn({10, 1}, DType::f64, Device::cpu(), &data);
    Generator init(5);
    model = std::make_shared<nn::Linear>(3, 1, true, &init);
    model->to(DType::f64);
    optimizer = std::make_unique<nn::AdamW>(model->parameters(true), nn::AdamWOptions{.lr = 0.1});
    scheduler =
        std::make_unique<nn::LRScheduler>(*optimizer, nn::linear_schedule_with_warmup(1, 12));
  }

  int64_t batches_per_epoch() const override { return 5; }
  void start_epoch(int64_t epoch, int64_t first_batch) override {
    epoch_records_seen.push_back(count_epoch_records());
    Generator order(100 + static_cast<uint64_t>(epoch));
    order_ = to_vector<int64_t>(randperm(10, Device::cpu(), &order));
    next_ = first_batch;
  }
  StepLoss train_step(double loss_scale) override {
    const int64_t b = next_++;
    const Tensor index = from_vector(std::vector<int64_t>{order_[2 * b], order_[2 * b + 1]}, {2});
    const Tensor loss =
        mse_loss(model->forward(index_select(x_, 0, index)), index_select(y_, 0, index));
    scales.push_back(loss_scale);
    mul(loss, loss_scale).backward();
    return {loss.item(), 2};
  }
  std::vector<SplitMetrics> evaluate() override {
    NoGradGuard no_grad;
    return {{"val", {{"neg_mse", -mse_loss(model->forward(x_), y_).item()}}}};
  }
  CheckpointParts parts() { return {model.get(), optimizer.get(), scheduler.get(), {}}; }
  std::vector<double> weights() const {
    std::vector<double> out;
    for (const Tensor& p : model->parameters()) {
      const auto v = to_vector<double>(p);
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  }

  std::shared_ptr<nn::Linear> model;
  std::unique_ptr<nn::AdamW> optimizer;
  std::unique_ptr<nn::LRScheduler> scheduler;
  std::vector<int64_t> epoch_records_seen;  // "epoch" records in metrics.jsonl at each start
  std::vector<double> scales;

 private:
  int64_t count_epoch_records() const {
    const std::string path = out_ + "/metrics.jsonl";
    if (!fs::exists(path)) return 0;
    int64_t n = 0;
    for (const auto& r : read_metrics_log(path)) n += r.value("kind", "") == "epoch";
    return n;
  }
  std::string out_;
  Tensor x_, y_;
  std::vector<int64_t> order_;
  int64_t next_ = 0;
};

LoopOptions options_for(const std::string& out) {
  LoopOptions o;
  o.out = out;
  o.epochs = 4;
  o.grad_accum = 2;  // groups {0,1} {2,3} {4}: 3 steps per epoch
  o.progress_bar = false;
  o.identity = {.program = "test", .flags = {{"lr", "0.1"}}};
  return o;
}

TEST(ExampleTrainingLoop, EachEpochIsLoggedWhenItEndsAndGroupsAreScaledByTheirSize) {
  testing::TempDir tmp("fftune_loop");
  const std::string out = tmp.path().string();
  Regression task(out);
  const LoopResult result = run_training_loop(task, task.parts(), options_for(out));
  EXPECT_TRUE(result.completed);
  EXPECT_EQ(result.progress.step, 12);
  EXPECT_EQ(task.epoch_records_seen, (std::vector<int64_t>{0, 1, 2, 3}));
  ASSERT_EQ(task.scales.size(), 20u);
  EXPECT_EQ(std::vector<double>(task.scales.begin(), task.scales.begin() + 5),
            (std::vector<double>{0.5, 0.5, 0.5, 0.5, 1.0}));
  EXPECT_FALSE(fs::exists(checkpoint_path(out)));  // a finished run has nothing to resume
  EXPECT_TRUE(fs::exists(out + "/loss.png"));
  EXPECT_TRUE(fs::exists(out + "/neg_mse.png"));
}

TEST(ExampleTrainingLoop, StoppedMidEpochAndResumedIsBitIdentical) {
  testing::TempDir tmp("fftune_loop");
  const std::string straight_out = (tmp.path() / "straight").string();
  Regression straight(straight_out);
  run_training_loop(straight, straight.parts(), options_for(straight_out));

  const std::string out = (tmp.path() / "resumed").string();
  {
    Regression first(out);
    LoopOptions o = options_for(out);
    o.stop_after_steps = 4;  // the middle of epoch 2
    const LoopResult stopped = run_training_loop(first, first.parts(), o);
    EXPECT_FALSE(stopped.completed);
    EXPECT_FALSE(stopped.interrupted);
    EXPECT_EQ(stopped.progress.batch_in_epoch, 2);
  }
  std::ofstream(out + "/checkpoint.safetensors.tmp.999.0") << "half a checkpoint";
  Regression second(out);
  LoopOptions o = options_for(out);
  o.resume = true;
  const LoopResult resumed = run_training_loop(second, second.parts(), o);
  EXPECT_TRUE(resumed.completed);
  EXPECT_EQ(second.weights(), straight.weights());
  EXPECT_FALSE(fs::exists(out + "/checkpoint.safetensors.tmp.999.0"));
  // The log, as a reader sees it, holds the same epochs with the same numbers.
  const auto epochs_of = [](const std::string& dir) {
    std::vector<double> values;
    for (const auto& r : read_metrics_log(dir + "/metrics.jsonl"))
      if (r.value("kind", "") == "epoch") values.push_back(r["val_neg_mse"].get<double>());
    return values;
  };
  EXPECT_EQ(epochs_of(out), epochs_of(straight_out));
  EXPECT_EQ(epochs_of(out).size(), 4u);
}

TEST(ExampleTrainingLoop, ACheckpointOfAnotherRunIsRefused) {
  testing::TempDir tmp("fftune_loop");
  const std::string out = tmp.path().string();
  {
    Regression first(out);
    LoopOptions o = options_for(out);
    o.stop_after_epochs = 1;
    EXPECT_FALSE(run_training_loop(first, first.parts(), o).completed);
  }
  Regression second(out);
  LoopOptions o = options_for(out);
  o.resume = true;
  o.identity.flags["lr"] = "0.2";
  EXPECT_FFTUNE_ERROR(run_training_loop(second, second.parts(), o),
                      "--lr: checkpoint 0.1, now 0.2");
  o.identity = options_for(out).identity;
  o.identity.program = "other";
  EXPECT_FFTUNE_ERROR(run_training_loop(second, second.parts(), o), "not by other");
}

}  // namespace
}  // namespace fftune::examples
