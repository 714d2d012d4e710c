// examples/roberta_glue end to end, on generated data in the GLUE layouts: a tiny random RoBERTa
// (saved with hf::save_pretrained, the fixture tokenizer's byte-level BPE vocabulary) fine-tuned
// with FourierFT on an SST-2 task whose label is a keyword and an STS-B task whose score is
// set by a keyword too. Checks that the dev metric beats chance, the
// GLUE submission files, --eval-only on the saved adapter, that an interrupted and resumed run
// is bit-identical to an uninterrupted one, so is one with --checkpoint-activations,
// --paper-defaults, and the run folders (examples/common/run_folder.h): --eval-only and --resume
// take the method from the folder, a reused --out is refused unless --overwrite; a run killed
// (kill -9) or terminated (SIGTERM) mid-epoch and resumed ends bit-identical, metrics.jsonl
// holds one record per finished epoch while the run goes, --resume with other data is refused
// naming it, and an --out or --cache-dir that cannot be created is named.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tensor/factory.h"
#include "examples/common/metrics_log.h"
#include "nn/models/roberta.h"
#include "tests/support/child_process.h"
#include "tests/support/test_support.h"

namespace {

namespace fs = std::filesystem;
using namespace fftune;

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// A sentence of `filler` words drawn with `gen` around `keyword`.
std::string sentence(const std::string& keyword, Generator& gen) {
  static const std::vector<std::string> filler = {"the",  "movie", "film", "was", "is",
                                                  "this", "story", "and",  "a",   "very"};
  const auto picks = to_vector<int64_t>(randint(0, 10, {4}, Device::cpu(), &gen));
  std::string s;
  for (size_t i = 0; i < picks.size(); ++i) {
    if (i == 1 || i == 3) s += keyword + " ";
    s += filler[picks[i]] + (i + 1 < picks.size() ? " " : "");
  }
  return s;
}

const std::vector<std::string> kPositive = {"great", "wonderful"};
const std::vector<std::string> kNegative = {"awful", "boring"};

// SST-2: "sentence\tlabel" with a header; test.tsv "index\tsentence".
void write_sst2(const fs::path& dir, int64_t n_train, int64_t n_dev, int64_t n_test) {
  Generator gen(1);
  const auto split = [&](int64_t n) {
    std::string text = "sentence\tlabel\n";
    for (int64_t i = 0; i < n; ++i) {
      const int64_t label = i % 2;
      const auto& words = label == 1 ? kPositive : kNegative;
      text += sentence(words[(i / 2) % 2], gen) + "\t" + std::to_string(label) + "\n";
    }
    return text;
  };
  write_file(dir / "SST-2/train.tsv", split(n_train));
  write_file(dir / "SST-2/dev.tsv", split(n_dev));
  std::string test = "index\tsentence\n";
  for (int64_t i = 0; i < n_test; ++i)
    test += std::to_string(i) + "\t" + sentence(i % 2 ? "great" : "awful", gen) + "\n";
  write_file(dir / "SST-2/test.tsv", test);
}

// STS-B: 10 columns (sentences in 7 and 8, score in 9); test.tsv 9 columns. Both sentences
// carry one keyword; the score is 4.6 for "great", 0.4 for "awful".
void write_stsb(const fs::path& dir, int64_t n_train, int64_t n_dev, int64_t n_test) {
  Generator gen(2);
  const std::string header =
      "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2";
  const auto row = [&](int64_t i, bool with_score) {
    const bool high = i % 2 == 0;
    const std::string keyword = high ? "great" : "awful";
    std::string line = std::to_string(i) + "\tmain-news\tfile\t2012\t" + std::to_string(i) +
                       "\tnone\tnone\t" + sentence(keyword, gen) + "\t" + sentence(keyword, gen);
    if (with_score) line += high ? "\t4.600" : "\t0.400";
    return line + "\n";
  };
  const auto split = [&](int64_t n) {
    std::string text = header + "\tscore\n";
    for (int64_t i = 0; i < n; ++i) text += row(i, true);
    return text;
  };
  write_file(dir / "STS-B/train.tsv", split(n_train));
  write_file(dir / "STS-B/dev.tsv", split(n_dev));
  std::string test = header + "\n";
  for (int64_t i = 0; i < n_test; ++i) test += row(i, false);
  write_file(dir / "STS-B/test.tsv", test);
}

// A tiny random RoBERTa (an MLM checkpoint, as roberta-base is) with the fixture tokenizer.
void write_model(const fs::path& dir) {
  const fs::path tokenizer = fs::path(FFTUNE_FIXTURE_DIR) / "tokenizer";
  fs::create_directories(dir);
  fs::copy_file(tokenizer / "vocab.json", dir / "vocab.json");
  fs::copy_file(tokenizer / "merges.txt", dir / "merges.txt");
  nn::RobertaConfig config;
  config.vocab_size = 3261;
  config.hidden_size = 32;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 4;
  config.intermediate_size = 64;
  config.max_position_embeddings = 66;  // --max-len 64
  config.hidden_dropout_prob = 0.1;     // dropout on: resume must restore its generator
  config.attention_probs_dropout_prob = 0.1;
  Generator gen(3);
  config.gen = &gen;
  nn::RobertaForMaskedLM model(config);
  nn::hf::save_pretrained(model, dir.string(), config.to_json("RobertaForMaskedLM"),
                          nn::RobertaForMaskedLM::checkpoint_layout());
}

class RobertaGlueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("fftune_roberta_glue_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    write_sst2(root_ / "glue", 96, 40, 10);
    write_stsb(root_ / "glue", 96, 40, 8);
    write_model(root_ / "model");
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  // The command that runs roberta_glue with the common flags and `args` on the tasks of
  // `glue_dir` (default: root_/glue); the output goes to <out>.log.
  static std::string command(const std::string& task, const fs::path& out, const std::string& args,
                             const fs::path& glue_dir = {}) {
    return std::string(FFTUNE_ROBERTA_GLUE_BIN) + " --task " + task + " --glue-dir " +
           (glue_dir.empty() ? root_ / "glue" : glue_dir).string() + " --model " +
           (root_ / "model").string() + " --out " + out.string() + " --max-len 64 --threads 2 " +
           args + " > " + out.string() + ".log 2>&1";
  }
  // Runs it; returns the status std::system gives.
  static int run(const std::string& task, const fs::path& out, const std::string& args,
                 const fs::path& glue_dir = {}) {
    return std::system(command(task, out, args, glue_dir).c_str());
  }
  // The records of <out>/metrics.jsonl of `kind` ("train", "epoch"), as a reader sees them.
  static std::vector<nlohmann::json> records(const fs::path& out, const std::string& kind) {
    std::vector<nlohmann::json> found;
    if (!fs::exists(out / "metrics.jsonl")) return found;
    for (const auto& r : examples::read_metrics_log((out / "metrics.jsonl").string()))
      if (r.value("kind", "") == kind) found.push_back(r);
    return found;
  }
  static std::vector<nlohmann::json> epoch_records(const fs::path& out) {
    return records(out, "epoch");
  }
  static nlohmann::json read_json(const fs::path& path) {
    return nlohmann::json::parse(read_file(path));
  }
  static std::string log_of(const fs::path& out) { return read_file(out.string() + ".log"); }

  static inline fs::path root_;
};

const std::string kFourierFT =
    "--adapter fourierft --n 200 --alpha 150 --lr 0.05 --head-lr 0.005 --batch-size 8 --seed 5";

TEST_F(RobertaGlueTest, Sst2FourierFTBeatsChanceAndPredicts) {
  const fs::path out = root_ / "sst2";
  ASSERT_EQ(run("sst2", out, kFourierFT + " --epochs 10 --predict"), 0) << log_of(out);

  const nlohmann::json results = read_json(out / "results.json");
  EXPECT_EQ(results["metric"], "accuracy");
  EXPECT_GT(results["best"].get<double>(), 0.8) << log_of(out);  // chance: 0.5
  EXPECT_EQ(epoch_records(out).size(), 10u);
  EXPECT_EQ(read_file(out / "loss.png").substr(1, 3), "PNG");
  EXPECT_EQ(read_file(out / "accuracy.png").substr(1, 3), "PNG");
  EXPECT_EQ(read_json(out / "best/adapter_config.json")["peft_type"], "FOURIERFT");

  // The GLUE submission format: a header, then "index\tprediction" for every test line.
  const auto lines = lines_of(read_file(out / "predictions/SST-2.tsv"));
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines[0], "index\tprediction");
  for (int i = 0; i < 10; ++i) {
    const std::string index = std::to_string(i) + "\t";
    ASSERT_EQ(lines[i + 1].substr(0, index.size()), index) << lines[i + 1];
    const std::string label = lines[i + 1].substr(index.size());
    EXPECT_TRUE(label == "0" || label == "1") << lines[i + 1];
  }

  // --eval-only on the saved adapter gives the best epoch's dev accuracy again.
  const fs::path eval = root_ / "sst2_eval";
  ASSERT_EQ(
      run("sst2", eval, "--eval-only --batch-size 8 --adapter-path " + (out / "best").string()), 0)
      << log_of(eval);
  EXPECT_DOUBLE_EQ(read_json(eval / "eval.json")["dev_accuracy"].get<double>(),
                   results["best"].get<double>());
}

TEST_F(RobertaGlueTest, StsbRegressionLearnsTheScore) {
  const fs::path out = root_ / "stsb";
  ASSERT_EQ(run("stsb", out, kFourierFT + " --epochs 8 --predict"), 0) << log_of(out);
  const nlohmann::json results = read_json(out / "results.json");
  EXPECT_EQ(results["metric"], "pearson");
  EXPECT_GT(results["best"].get<double>(), 0.5) << log_of(out);  // chance: 0
  const auto lines = lines_of(read_file(out / "predictions/STS-B.tsv"));
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0], "index\tprediction");
  for (int i = 0; i < 8; ++i) {
    const std::string index = std::to_string(i) + "\t";
    ASSERT_EQ(lines[i + 1].substr(0, index.size()), index) << lines[i + 1];
    const double score = std::stod(lines[i + 1].substr(index.size()));
    EXPECT_GE(score, 0.0);
    EXPECT_LE(score, 5.0);
  }
}

TEST_F(RobertaGlueTest, ResumeIsBitIdentical) {
  const std::string args = kFourierFT + " --epochs 3 --grad-accum 2";
  const fs::path straight = root_ / "straight", resumed = root_ / "resumed";
  ASSERT_EQ(run("sst2", straight, args), 0) << log_of(straight);
  // 96 examples in batches of 8, 2 per step: 6 steps per epoch. Stop inside epoch 2, then in
  // epoch 3, resuming each time.
  ASSERT_EQ(run("sst2", resumed, args + " --stop-after-steps 8"), 0) << log_of(resumed);
  EXPECT_NE(log_of(resumed).find("stopped after step 8"), std::string::npos) << log_of(resumed);
  EXPECT_FALSE(fs::exists(resumed / "results.json"));
  ASSERT_EQ(run("sst2", resumed, args + " --resume --stop-after-steps 15"), 0) << log_of(resumed);
  ASSERT_EQ(run("sst2", resumed, args + " --resume"), 0) << log_of(resumed);

  EXPECT_FALSE(fs::exists(resumed / "checkpoint.safetensors"));  // removed once complete
  for (const char* file : {"best/adapter_model.safetensors", "results.json"})
    EXPECT_EQ(read_file(straight / file), read_file(resumed / file)) << file;
  EXPECT_EQ(records(resumed, "train"), records(straight, "train"));
  EXPECT_EQ(epoch_records(resumed), epoch_records(straight));
  EXPECT_EQ(epoch_records(resumed).size(), 3u);
}

// --checkpoint-activations recomputes each layer in backward, with the same dropout masks: the
// run is bit-identical to the plain one (nn/activation_checkpoint.h).
TEST_F(RobertaGlueTest, CheckpointActivationsIsBitIdentical) {
  const std::string args = kFourierFT + " --epochs 2";
  const fs::path plain = root_ / "plain", checkpointed = root_ / "checkpointed";
  ASSERT_EQ(run("sst2", plain, args), 0) << log_of(plain);
  ASSERT_EQ(run("sst2", checkpointed, args + " --checkpoint-activations"), 0)
      << log_of(checkpointed);
  EXPECT_TRUE(read_json(checkpointed / "config.json")["checkpoint_activations"].get<bool>());
  for (const char* file : {"best/adapter_model.safetensors", "metrics.jsonl", "results.json"})
    EXPECT_EQ(read_file(plain / file), read_file(checkpointed / file)) << file;
}

TEST_F(RobertaGlueTest, PaperDefaultsSetThePapersValues) {
  struct Row {
    const char* task;
    double lr, head_lr, alpha;
    int64_t epochs;
  };
  const std::vector<Row> table = {{"sst2", 0.05, 0.006, 140, 40}, {"mrpc", 0.05, 0.006, 151, 30},
                                  {"cola", 0.12, 0.008, 49, 100}, {"qnli", 0.1, 0.001, 29, 40},
                                  {"rte", 0.09, 0.011, 110, 90},  {"stsb", 0.09, 0.009, 84, 60}};
  for (const Row& row : table) {
    const fs::path out = root_ / (std::string("paper_") + row.task);
    fs::create_directories(out);
    ASSERT_EQ(run(row.task, out, "--paper-defaults --print-config"), 0) << log_of(out);
    const nlohmann::json c = nlohmann::json::parse(log_of(out));
    EXPECT_EQ(c["task"], row.task);
    EXPECT_DOUBLE_EQ(c["lr"].get<double>(), row.lr) << row.task;
    EXPECT_DOUBLE_EQ(c["head_lr"].get<double>(), row.head_lr) << row.task;
    EXPECT_DOUBLE_EQ(c["adapter_options"]["scaling"].get<double>(), row.alpha) << row.task;
    EXPECT_EQ(c["epochs"].get<int64_t>(), row.epochs) << row.task;
    EXPECT_EQ(c["adapter_options"]["n_frequency"].get<int64_t>(), 1000);
    EXPECT_EQ(c["batch_size"].get<int64_t>(), 32);
    EXPECT_DOUBLE_EQ(c["warmup"].get<double>(), 0.06);
    EXPECT_DOUBLE_EQ(c["weight_decay"].get<double>(), 0.0);
  }
  // An explicit flag wins over --paper-defaults, in either order.
  const fs::path out = root_ / "paper_override";
  ASSERT_EQ(run("rte", out, "--epochs 3 --paper-defaults --lr 0.2 --print-config"), 0);
  const nlohmann::json c = nlohmann::json::parse(log_of(out));
  EXPECT_EQ(c["epochs"].get<int64_t>(), 3);
  EXPECT_DOUBLE_EQ(c["lr"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(c["head_lr"].get<double>(), 0.011);
}

// Every method's folder describes it: --eval-only with no method flags gives the run's best dev
// accuracy again, whether it names the run folder or its best/.
TEST_F(RobertaGlueTest, EvalOnlyReproducesEveryMethodWithoutItsFlags) {
  struct Case {
    std::string name, flags, peft_type;
  };
  const std::vector<Case> cases = {
      {"head", "--adapter head --head-lr 0.01", "FFTUNE_HEAD"},
      {"full", "--adapter full --lr 0.001 --head-lr 0.01", "FFTUNE_FULL"},
      {"lora", "--adapter lora --rank 2 --alpha 4 --lr 0.005", "LORA"},
      {"fourierft", "--adapter fourierft --n 100 --alpha 120 --lr 0.05", "FOURIERFT"},
      {"hartley", "--adapter hartley --n 100 --alpha 60 --lr 0.05", "FFTUNE_HARTLEY"}};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const fs::path out = root_ / ("method_" + c.name),
                   eval = root_ / ("method_" + c.name + "_eval");
    ASSERT_EQ(run("sst2", out, c.flags + " --epochs 1 --batch-size 8 --seed 5"), 0) << log_of(out);
    EXPECT_EQ(read_json(out / "best/adapter_config.json")["peft_type"], c.peft_type);
    EXPECT_EQ(read_json(out / "fftune_run.json")["method"]["peft_type"], c.peft_type);
    const fs::path path = i % 2 == 0 ? out : out / "best";
    ASSERT_EQ(run("sst2", eval, "--eval-only --batch-size 8 --adapter-path " + path.string()), 0)
        << log_of(eval);
    EXPECT_NE(log_of(eval).find(c.peft_type), std::string::npos) << log_of(eval);
    EXPECT_EQ(read_json(eval / "eval.json")["dev_accuracy"].get<double>(),
              read_json(out / "results.json")["best"].get<double>())
        << c.name;
  }
  EXPECT_TRUE(fs::exists(root_ / "method_full/best/backbone/model.safetensors"));
}

TEST_F(RobertaGlueTest, ResumeTakesTheMethodFromTheFolder) {
  const std::string lora = "--adapter lora --rank 2 --alpha 4 --lr 0.005";
  const std::string common = " --epochs 1 --batch-size 8 --seed 5";
  const fs::path straight = root_ / "lora_straight", resumed = root_ / "lora_resumed";
  ASSERT_EQ(run("sst2", straight, lora + common), 0) << log_of(straight);
  ASSERT_EQ(run("sst2", resumed, lora + common + " --stop-after-steps 5"), 0) << log_of(resumed);
  // No method flags: the folder says LoRA, rank 2, alpha 4 (the defaults would be FourierFT).
  ASSERT_EQ(run("sst2", resumed, "--lr 0.005" + common + " --resume"), 0) << log_of(resumed);
  EXPECT_EQ(read_file(straight / "best/adapter_model.safetensors"),
            read_file(resumed / "best/adapter_model.safetensors"));
}

TEST_F(RobertaGlueTest, RunFoldersAreNeverMixed) {
  const auto exit_code = [](int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; };
  const std::string fourierft = "--adapter fourierft --n 100 --epochs 1 --batch-size 8";
  const std::string hartley = "--adapter hartley --n 100 --alpha 60 --epochs 1 --batch-size 8";
  const fs::path out = root_ / "reused";
  ASSERT_EQ(run("sst2", out, fourierft), 0) << log_of(out);
  // A non-empty --out is refused, and left as it was.
  EXPECT_EQ(exit_code(run("sst2", out, hartley)), 1);
  EXPECT_NE(log_of(out).find("--overwrite"), std::string::npos) << log_of(out);
  EXPECT_EQ(read_json(out / "best/adapter_config.json")["peft_type"], "FOURIERFT");
  // --overwrite: nothing of the earlier run survives; the folder evaluates as the new method.
  write_file(out / "predictions/SST-2.tsv", "stale");
  ASSERT_EQ(run("sst2", out, hartley + " --overwrite"), 0) << log_of(out);
  EXPECT_FALSE(fs::exists(out / "predictions"));
  const fs::path eval = root_ / "reused_eval";
  ASSERT_EQ(run("sst2", eval, "--eval-only --batch-size 8 --adapter-path " + out.string()), 0)
      << log_of(eval);
  EXPECT_EQ(read_json(eval / "eval.json")["dev_accuracy"].get<double>(),
            read_json(out / "results.json")["best"].get<double>());
  // A method flag that contradicts the folder is an error.
  EXPECT_EQ(exit_code(run(
                "sst2", eval,
                "--eval-only --overwrite --rank 4 --adapter lora --adapter-path " + out.string())),
            1);
  EXPECT_NE(log_of(eval).find("--adapter (adapter lora) contradicts"), std::string::npos)
      << log_of(eval);
  // A folder that does not describe its method is refused, naming it.
  const fs::path bare = root_ / "bare";
  write_file(bare / "adapter_model.safetensors", "no description");
  EXPECT_EQ(
      exit_code(run("sst2", root_ / "bare_eval", "--eval-only --adapter-path " + bare.string())),
      1);
  EXPECT_NE(log_of(root_ / "bare_eval").find(bare.string() + " holds neither adapter_config.json"),
            std::string::npos)
      << log_of(root_ / "bare_eval");
  EXPECT_EQ(exit_code(run("sst2", bare, "--resume")), 1);
  EXPECT_NE(log_of(bare).find(bare.string() + " holds no fftune_run.json"), std::string::npos)
      << log_of(bare);
}

TEST_F(RobertaGlueTest, BadFlagsAreNamed) {
  const fs::path out = root_ / "bad";
  EXPECT_NE(run("sst2", out, "--adapter dora"), 0);
  EXPECT_NE(log_of(out).find("--adapter"), std::string::npos) << log_of(out);
  EXPECT_NE(run("mnli", out, ""), 0);
  EXPECT_NE(log_of(out).find("mnli"), std::string::npos) << log_of(out);
}

// 96 examples in batches of 8: 12 optimizer steps per epoch.
constexpr int64_t kStepsPerEpoch = 12;
const std::string kLongRun = kFourierFT + " --epochs 3";

TEST_F(RobertaGlueTest, KilledOrTerminatedMidEpochThenResumedIsBitIdentical) {
  const fs::path straight = root_ / "long_straight";
  ASSERT_EQ(run("sst2", straight, kLongRun), 0) << log_of(straight);
  for (const int sig : {SIGKILL, SIGTERM}) {
    const fs::path out = root_ / (sig == SIGKILL ? "long_killed" : "long_terminated");
    fftune::testing::ChildProcess child(command("sst2", out, kLongRun));
    ASSERT_TRUE(child.started());
    // Wait until epoch 2 is under way: its first step is logged after epoch 1's checkpoint.
    int64_t last_step = 0;
    size_t epochs_logged = 0;
    ASSERT_TRUE(fftune::testing::wait_until(
        [&] {
          const auto train = records(out, "train");
          last_step = train.empty() ? 0 : train.back()["step"].get<int64_t>();
          epochs_logged = epoch_records(out).size();
          return last_step > kStepsPerEpoch;
        },
        300))
        << log_of(out);
    ASSERT_TRUE(child.running()) << "the run ended before the test could signal it";
    // While it runs, one "epoch" record per finished epoch.
    if (last_step % kStepsPerEpoch != 0) {
      EXPECT_EQ(epochs_logged, static_cast<size_t>(last_step / kStepsPerEpoch));
    }
    child.signal(sig);
    const int status = child.wait();
    if (sig == SIGKILL) {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << log_of(out);
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << log_of(out);
      EXPECT_NE(log_of(out).find("stopped after"), std::string::npos) << log_of(out);
    }
    ASSERT_TRUE(fs::exists(out / "checkpoint.safetensors"));
    ASSERT_EQ(run("sst2", out, kLongRun + " --resume"), 0) << log_of(out);
    for (const char* file : {"best/adapter_model.safetensors", "results.json"})
      EXPECT_EQ(read_file(out / file), read_file(straight / file)) << file << " " << sig;
    EXPECT_EQ(records(out, "train"), records(straight, "train")) << sig;
    EXPECT_EQ(epoch_records(out), epoch_records(straight)) << sig;
  }
}

TEST_F(RobertaGlueTest, ResumeWithOtherDataIsRefusedNamingIt) {
  const fs::path out = root_ / "other_data";
  ASSERT_EQ(run("sst2", out, kFourierFT + " --epochs 2 --stop-after-epochs 1"), 0) << log_of(out);
  // The same task with one training sentence changed.
  const fs::path other = root_ / "glue_other";
  fs::copy(root_ / "glue", other, fs::copy_options::recursive);
  std::string train = read_file(other / "SST-2/train.tsv");
  train.replace(train.find("\n") + 1, 3, "The");
  write_file(other / "SST-2/train.tsv", train);
  const auto exit_code = [](int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; };
  EXPECT_EQ(exit_code(run("sst2", out, kFourierFT + " --epochs 2 --resume", other)), 1);
  EXPECT_NE(log_of(out).find("content of the data: checkpoint "), std::string::npos) << log_of(out);
  EXPECT_NE(log_of(out).find((other / "SST-2").string()), std::string::npos) << log_of(out);
  // The same files elsewhere resume, with a warning.
  const fs::path copy = root_ / "glue_copy";
  fs::copy(root_ / "glue", copy, fs::copy_options::recursive);
  EXPECT_EQ(exit_code(run("sst2", out, kFourierFT + " --epochs 2 --resume", copy)), 0)
      << log_of(out);
  EXPECT_NE(log_of(out).find("warning: the data moved"), std::string::npos) << log_of(out);
}

TEST_F(RobertaGlueTest, SharedFlagsAndFoldersThatCannotBeCreated) {
  const auto exit_code = [](int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; };
  const fs::path log_dir = root_ / "unwritable";
  EXPECT_EQ(
      exit_code(std::system((std::string(FFTUNE_ROBERTA_GLUE_BIN) +
                             " --demo --out /dev/null/run > " + log_dir.string() + ".log 2>&1")
                                .c_str())),
      1);
  EXPECT_NE(log_of(log_dir).find("--out /dev/null/run: cannot create"), std::string::npos)
      << log_of(log_dir);
  EXPECT_EQ(
      exit_code(std::system((std::string(FFTUNE_ROBERTA_GLUE_BIN) +
                             " --demo --cache-dir /dev/null/cache --out " +
                             (root_ / "demo_out").string() + " > " + log_dir.string() + ".log 2>&1")
                                .c_str())),
      1);
  EXPECT_NE(log_of(log_dir).find("--cache-dir /dev/null/cache: cannot create"), std::string::npos)
      << log_of(log_dir);
  // The shared flags' names: LoRA's rank is --rank, --device exists, --warmup is a fraction.
  const fs::path out = root_ / "shared_flags";
  ASSERT_EQ(run("sst2", out,
                "--adapter lora --rank 3 --device cpu --warmup 0.1 --stop-after-epochs 1 "
                "--epochs 2 --print-config"),
            0)
      << log_of(out);
  const nlohmann::json config = nlohmann::json::parse(log_of(out).substr(
      log_of(out).find('{'), log_of(out).rfind('}') - log_of(out).find('{') + 1));
  EXPECT_EQ(config["adapter_options"]["r"].get<int64_t>(), 3);
  EXPECT_EQ(config["device"], "cpu");
  EXPECT_EQ(config["warmup"].get<double>(), 0.1);
  EXPECT_NE(exit_code(run("sst2", out, "--warmup 6")), 0);
  EXPECT_NE(log_of(out).find("--warmup is a fraction"), std::string::npos) << log_of(out);
}

}  // namespace
