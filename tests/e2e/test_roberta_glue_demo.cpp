// End-to-end test of `roberta_glue --demo` at its small size, at a fixed seed, in a temporary
// cache: it generates the SST-2-format task and the review corpus, trains the BPE vocabulary,
// pre-trains the tiny RoBERTa with the masked-LM objective, fine-tunes it head-only, with LoRA and
// with FourierFT, and must show FourierFT ahead of head-only by a margin (the paper's claim in
// miniature).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/temp_dir.h"

#ifndef FFTUNE_ROBERTA_GLUE_BIN
#error "FFTUNE_ROBERTA_GLUE_BIN must name the roberta_glue binary (tests/CMakeLists.txt)"
#endif

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RobertaGlueDemo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<fftune::testing::TempDir>("fftune_roberta_glue_demo");
    demo_rc_ = run("--out " + (*dir_ / "demo"));
  }
  static void TearDownTestSuite() { dir_.reset(); }

  // Runs the small demo with `args` (output appended to log.txt); returns its exit status.
  static int run(const std::string& args) {
    const std::string command = "OMP_WAIT_POLICY=passive " + std::string(FFTUNE_ROBERTA_GLUE_BIN) +
                                " --demo --demo-size small --seed 0 --threads 2 --cache-dir " +
                                (*dir_ / "cache") + " " + args + " >> " + (*dir_ / "log.txt") +
                                " 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static std::string log() {
    std::ifstream f(*dir_ / "log.txt");
    return {std::istreambuf_iterator<char>(f), {}};
  }
  static json read_json(const fs::path& path) {
    std::ifstream f(path);
    EXPECT_TRUE(f.good()) << "missing " << path;
    return json::parse(f);
  }

  static inline std::unique_ptr<fftune::testing::TempDir> dir_;
  static inline int demo_rc_ = -1;
};

TEST_F(RobertaGlueDemo, FourierFTBeatsHeadOnly) {
  ASSERT_EQ(demo_rc_, 0) << log();
  const json results = read_json(dir_->path() / "demo" / "demo_results.json");
  const json& runs = results.at("runs");
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].at("method"), "head only");
  EXPECT_EQ(runs[1].at("method"), "LoRA");
  EXPECT_EQ(runs[2].at("method"), "FourierFT");
  const double head = runs[0].at("dev_accuracy"), lora = runs[1].at("dev_accuracy"),
               fourierft = runs[2].at("dev_accuracy");
  // Measured at seed 0: head only 0.552, LoRA 0.656, FourierFT 0.650 (seeds 1 and 2: FourierFT
  // ahead by 0.142 and 0.132; docs/reproduce.md).
  EXPECT_GE(fourierft, head + 0.05) << log();
  EXPECT_GT(lora, head) << log();
  // FourierFT trains fewer parameters than LoRA; the classifier trains in every row.
  EXPECT_LT(runs[2].at("trainable_params").get<int64_t>(),
            runs[1].at("trainable_params").get<int64_t>());
  EXPECT_EQ(runs[0].at("trainable_params"), runs[0].at("classifier_params"));

  // The task is in GLUE's SST-2 layout; the backbone is a Hugging Face directory with its
  // tokenizer; each run left its metrics, curves and best adapter.
  const fs::path glue = results.at("glue_dir").get<std::string>();
  std::ifstream train(glue / "SST-2" / "train.tsv");
  std::string header;
  std::getline(train, header);
  EXPECT_EQ(header, "sentence\tlabel");
  const fs::path model = results.at("model").get<std::string>();
  for (const char* file : {"config.json", "model.safetensors", "vocab.json", "merges.txt"})
    EXPECT_TRUE(fs::exists(model / file)) << file;
  for (const std::string method : {"head", "lora", "fourierft"}) {
    EXPECT_TRUE(fs::exists(dir_->path() / "demo" / method / "metrics.jsonl")) << method;
    EXPECT_TRUE(fs::exists(dir_->path() / "demo" / method / "loss.png")) << method;
    EXPECT_TRUE(fs::exists(dir_->path() / "demo" / method / "accuracy.png")) << method;
  }
  EXPECT_TRUE(fs::exists(dir_->path() / "demo" / "fourierft" / "best" / "adapter_config.json"));
  EXPECT_NE(log().find("\nFourierFT "), std::string::npos) << log();  // the table
}

}  // namespace
