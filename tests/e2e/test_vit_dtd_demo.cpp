// End-to-end test of examples/vit_dtd: runs the binary's demo at its small size (procedural
// textures in the DTD layout, a tiny ViT pre-trained from scratch, then head-only, LoRA and
// FourierFT fine-tuning) at a fixed seed in a temporary cache, and checks
//   - FourierFT's test accuracy beats head-only's by a margin (the paper's claim in miniature);
//   - a run stopped mid-epoch, or at an epoch end, and continued with --resume ends bit for bit
//     where an uninterrupted run ends (the saved adapter files are byte-identical);
//   - --eval-only on the saved adapter reproduces the run's test accuracy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#ifndef FFTUNE_VIT_DTD_BIN
#error "FFTUNE_VIT_DTD_BIN must name the vit_dtd binary (tests/CMakeLists.txt)"
#endif

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ViTDtdDemo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("fftune_vit_dtd_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    demo_rc_ = run("--demo --demo-size small --seed 0 --cache-dir " + (dir_ / "cache").string() +
                   " --out " + (dir_ / "demo").string());
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // Runs vit_dtd with `args` (output appended to dir_/log.txt); returns its exit status.
  static int run(const std::string& args) {
    const std::string command = "OMP_WAIT_POLICY=passive " + std::string(FFTUNE_VIT_DTD_BIN) +
                                " --quiet --threads 2 " + args + " >> " +
                                (dir_ / "log.txt").string() + " 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static std::string log() {
    std::ifstream f(dir_ / "log.txt");
    return {std::istreambuf_iterator<char>(f), {}};
  }
  static json read_json(const fs::path& path) {
    std::ifstream f(path);
    EXPECT_TRUE(f.good()) << "missing " << path;
    return json::parse(f);
  }
  static std::string read_bytes(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    EXPECT_TRUE(f.good()) << "missing " << path;
    return {std::istreambuf_iterator<char>(f), {}};
  }
  // The demo's backbone (an HF ViTModel directory) and fine-tuning data, from its results.
  static std::string demo_path(const std::string& key) {
    return read_json(dir_ / "demo" / "demo_results.json").at(key).get<std::string>();
  }
  // A short FourierFT run on the demo's fine-tuning data into dir_/<out>.
  static std::string fourierft_args(const std::string& out) {
    return "--model " + demo_path("backbone") + " --data " + demo_path("finetune_data") +
           " --adapter fourierft --n 200 --alpha 8 --lr 0.2 --head-lr 0.005 --epochs 3"
           " --batch-size 16 --crop-scale-min 0.5 --seed 3 --out " +
           (dir_ / out).string();
  }

  static inline fs::path dir_;
  static inline int demo_rc_ = -1;
};

TEST_F(ViTDtdDemo, FourierFTBeatsHeadOnly) {
  ASSERT_EQ(demo_rc_, 0) << log();
  const json results = read_json(dir_ / "demo" / "demo_results.json").at("runs");
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("method"), "head only");
  EXPECT_EQ(results[1].at("method"), "LoRA");
  EXPECT_EQ(results[2].at("method"), "FourierFT");
  const double head = results[0].at("test_at_best"), fourierft = results[2].at("test_at_best");
  EXPECT_GE(fourierft, head + 0.04) << log();
  // Each run wrote its metrics, curves and adapter.
  for (const std::string method : {"head", "lora", "fourierft"}) {
    EXPECT_TRUE(fs::exists(dir_ / "demo" / method / "metrics.jsonl")) << method;
    EXPECT_TRUE(fs::exists(dir_ / "demo" / method / "accuracy.png")) << method;
    EXPECT_TRUE(fs::exists(dir_ / "demo" / method / "adapter" / "adapter_config.json"));
    EXPECT_TRUE(fs::exists(dir_ / "demo" / method / "adapter" / "adapter_model.safetensors"));
  }
}

TEST_F(ViTDtdDemo, ResumeIsBitIdentical) {
  ASSERT_EQ(demo_rc_, 0) << log();
  ASSERT_EQ(run(fourierft_args("straight")), 0) << log();
  // Stopped mid-epoch (step 5 of a 3-epoch run), then at the end of epoch 2, then finished.
  ASSERT_EQ(run(fourierft_args("resumed") + " --stop-after-steps 5"), 0) << log();
  ASSERT_TRUE(fs::exists(dir_ / "resumed" / "checkpoint.safetensors"));
  ASSERT_EQ(run(fourierft_args("resumed") + " --resume --stop-after-epochs 2"), 0) << log();
  ASSERT_EQ(run(fourierft_args("resumed") + " --resume"), 0) << log();
  EXPECT_FALSE(fs::exists(dir_ / "resumed" / "checkpoint.safetensors"));

  for (const std::string file : {"adapter_model.safetensors", "adapter_config.json"})
    EXPECT_EQ(read_bytes(dir_ / "straight" / "adapter" / file),
              read_bytes(dir_ / "resumed" / "adapter" / file))
        << file;
  const json a = read_json(dir_ / "straight" / "summary.json");
  const json b = read_json(dir_ / "resumed" / "summary.json");
  EXPECT_EQ(a.at("test_at_best").get<double>(), b.at("test_at_best").get<double>());
  EXPECT_EQ(a.at("best_epoch").get<int64_t>(), b.at("best_epoch").get<int64_t>());

  // --eval-only on the saved (peft-format) adapter gives the best epoch's test accuracy.
  ASSERT_EQ(run("--model " + demo_path("backbone") + " --data " + demo_path("finetune_data") +
                " --eval-only --adapter-path " + (dir_ / "straight" / "adapter").string() +
                " --out " + (dir_ / "eval").string()),
            0)
      << log();
  EXPECT_EQ(read_json(dir_ / "eval" / "summary.json").at("test_at_best").get<double>(),
            a.at("test_at_best").get<double>());
}

}  // namespace
