// End-to-end test of vit_dtd's run folders (examples/common/run_folder.h, method.h) on a tiny
// random ViT and a few procedural textures:
//   - --eval-only on the folder of every method (head, full, LoRA, FourierFT, frequency-biased
//     FourierFT, Hartley), with no method flags, reproduces the run's accuracies exactly;
//   - --resume with no method flags continues with the folder's method;
//   - a folder that does not describe its method is refused, a non-empty --out is refused
//     unless --overwrite, and --overwrite leaves nothing of the earlier run;
//   - a method flag that contradicts the folder is an error;
//   - a run killed (kill -9) or terminated (SIGTERM) mid-epoch and resumed ends bit-identical to
//     an uninterrupted one, and metrics.jsonl holds one record per finished epoch while it runs;
//   - --resume refuses other data (naming it), warns about the same data elsewhere, and refuses
//     another program's checkpoint, one without fftune metadata or with a corrupt progress
//     record; an --out or --cache-dir that cannot be created is named.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "core/io/safetensors.h"
#include "examples/common/metrics_log.h"
#include "examples/vit_dtd/textures.h"
#include "nn/models/vit.h"
#include "tests/support/child_process.h"

#ifndef FFTUNE_VIT_DTD_BIN
#error "FFTUNE_VIT_DTD_BIN must name the vit_dtd binary (tests/CMakeLists.txt)"
#endif

namespace {

namespace fs = std::filesystem;
using namespace fftune;
using nlohmann::json;

class ViTDtdRunFolders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("fftune_vit_dtd_runs_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // 3 classes, 10 train / 10 val / 10 test images each, 16 × 16 pixels.
    vit_dtd::TextureDatasetOptions data;
    data.root = (dir_ / "data").string();
    data.classes = {vit_dtd::texture_classes()[0], vit_dtd::texture_classes()[1],
                    vit_dtd::texture_classes()[2]};
    data.image_size = 16;
    data.images_per_class = 30;
    data.num_splits = 1;
    vit_dtd::write_texture_dataset(data);
    // The backbone: a random 2-layer ViT as an HF ViTModel directory.
    nn::ViTConfig config;
    config.image_size = 16;
    config.patch_size = 8;
    config.hidden_size = 32;
    config.num_hidden_layers = 2;
    config.num_attention_heads = 2;
    config.intermediate_size = 64;
    Generator gen(1);
    config.gen = &gen;
    nn::ViTModel backbone(config, /*add_pooling_layer=*/false);
    nn::hf::save_pretrained(backbone, (dir_ / "model").string(), config.to_json("ViTModel"),
                            nn::ViTModel::checkpoint_layout());
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // The command that runs vit_dtd on the model and `data` (default: dir_/data) with `args`,
  // its output appended to dir_/log.txt.
  static std::string command(const std::string& args, const fs::path& data = {}) {
    std::ofstream(dir_ / "log.txt", std::ios::app) << "\n$ vit_dtd " << args << "\n";
    return "env OMP_WAIT_POLICY=passive " + std::string(FFTUNE_VIT_DTD_BIN) +
           " --quiet --threads 2 --model " + (dir_ / "model").string() + " --data " +
           (data.empty() ? dir_ / "data" : data).string() + " --workers 1 " + args + " >> " +
           (dir_ / "log.txt").string() + " 2>&1";
  }
  // Runs it; returns its exit status.
  static int run(const std::string& args, const fs::path& data = {}) {
    const int status = std::system(command(args, data).c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // A short training run into dir_/<out>.
  static int train(const std::string& out, const std::string& method_flags,
                   const std::string& more = "") {
    return run(method_flags + " --epochs 2 --batch-size 8 --crop-scale-min 0.5 --seed 3 --out " +
               (dir_ / out).string() + " " + more);
  }
  static std::string log() {
    std::ifstream f(dir_ / "log.txt");
    return {std::istreambuf_iterator<char>(f), {}};
  }
  // The last command's output.
  static std::string last_output() {
    const std::string all = log();
    return all.substr(all.rfind("\n$ vit_dtd "));
  }
  static json read_json(const fs::path& path) {
    std::ifstream f(path);
    EXPECT_TRUE(f.good()) << "missing " << path;
    return f.good() ? json::parse(f) : json();
  }
  static std::string read_bytes(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    EXPECT_TRUE(f.good()) << "missing " << path;
    return {std::istreambuf_iterator<char>(f), {}};
  }

  // The records of <out>/metrics.jsonl of `kind` ("train", "epoch"), as a reader sees them.
  static std::vector<json> records(const fs::path& out, const std::string& kind) {
    std::vector<json> out_records;
    if (!fs::exists(out / "metrics.jsonl")) return out_records;
    for (const json& r : examples::read_metrics_log((out / "metrics.jsonl").string()))
      if (r.value("kind", "") == kind) out_records.push_back(r);
    return out_records;
  }

  static inline fs::path dir_;
};

TEST_F(ViTDtdRunFolders, EvalOnlyReproducesEveryMethodWithoutItsFlags) {
  struct Case {
    std::string out, flags, peft_type, method;
  };
  const std::vector<Case> cases = {
      {"head", "--adapter head --lr 0.01 --head-lr 0.01", "FFTUNE_HEAD", "head only"},
      {"full", "--adapter full --lr 0.001 --head-lr 0.01", "FFTUNE_FULL", "full"},
      {"lora", "--adapter lora --rank 2 --alpha 4", "LORA", "LoRA"},
      {"fourierft", "--adapter fourierft --n 50 --alpha 20 --lr 0.1", "FOURIERFT", "FourierFT"},
      {"fourierft_fb", "--adapter fourierft --n 50 --alpha 20 --lr 0.1 --freq-bias 3,4",
       "FFTUNE_FOURIERFT", "FourierFT-fb"},
      {"hartley", "--adapter hartley --n 40 --alpha 10 --lr 0.1 --random-loc-seed 5",
       "FFTUNE_HARTLEY", "Hartley"}};
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    ASSERT_EQ(train(c.out, c.flags), 0) << c.out << log();
    const fs::path adapter = dir_ / c.out / "adapter";
    EXPECT_EQ(read_json(adapter / "adapter_config.json").at("peft_type"), c.peft_type);
    EXPECT_TRUE(fs::exists(adapter / "adapter_model.safetensors")) << c.out;
    EXPECT_EQ(read_json(dir_ / c.out / "fftune_run.json").at("method").at("peft_type"),
              c.peft_type);
    // Every other case names the run folder, the others its adapter/.
    const fs::path path = i % 2 == 0 ? dir_ / c.out : adapter;
    const std::string eval = c.out + "_eval";
    ASSERT_EQ(
        run("--eval-only --adapter-path " + path.string() + " --out " + (dir_ / eval).string()), 0)
        << c.out << log();
    const json trained = read_json(dir_ / c.out / "summary.json");
    const json evaluated = read_json(dir_ / eval / "summary.json");
    EXPECT_EQ(evaluated.at("method"), c.method);
    EXPECT_EQ(evaluated.at("best_val").get<double>(), trained.at("best_val").get<double>())
        << c.out;
    EXPECT_EQ(evaluated.at("test_at_best").get<double>(), trained.at("test_at_best").get<double>())
        << c.out;
  }
  EXPECT_TRUE(fs::exists(dir_ / "full" / "adapter" / "backbone" / "model.safetensors"));
}

TEST_F(ViTDtdRunFolders, ResumeTakesTheMethodFromTheFolder) {
  const std::string lora = "--adapter lora --rank 2 --alpha 4";
  ASSERT_EQ(train("lora_straight", lora), 0) << log();
  ASSERT_EQ(train("lora_resumed", lora, "--stop-after-steps 2"), 0) << log();
  // No method flags: the folder says LoRA, r 2, alpha 4.
  ASSERT_EQ(train("lora_resumed", "", "--resume"), 0) << log();
  EXPECT_EQ(read_bytes(dir_ / "lora_straight" / "adapter" / "adapter_model.safetensors"),
            read_bytes(dir_ / "lora_resumed" / "adapter" / "adapter_model.safetensors"));
}

TEST_F(ViTDtdRunFolders, FoldersWithoutADescriptionAreRefused) {
  const fs::path bare = dir_ / "bare";
  fs::create_directories(bare);
  std::ofstream(bare / "adapter_model.safetensors") << "not a description";
  EXPECT_EQ(run("--eval-only --adapter-path " + bare.string() + " --out " +
                (dir_ / "bare_eval").string()),
            1);
  EXPECT_NE(last_output().find(bare.string() + " holds neither adapter_config.json"),
            std::string::npos)
      << last_output();
  EXPECT_EQ(train("bare", "--adapter head", "--resume"), 1);
  EXPECT_NE(last_output().find(bare.string() + " holds no fftune_run.json"), std::string::npos)
      << last_output();
}

TEST_F(ViTDtdRunFolders, ANonEmptyOutIsRefusedUnlessOverwrite) {
  ASSERT_EQ(train("reused", "--adapter fourierft --n 50 --alpha 20 --lr 0.1"), 0) << log();
  EXPECT_EQ(train("reused", "--adapter hartley --n 40 --alpha 10 --lr 0.1"), 1);
  EXPECT_NE(last_output().find("--overwrite"), std::string::npos) << last_output();
  EXPECT_EQ(read_json(dir_ / "reused" / "adapter" / "adapter_config.json").at("peft_type"),
            "FOURIERFT");

  std::ofstream(dir_ / "reused" / "stale.txt") << "from the earlier run";
  ASSERT_EQ(train("reused", "--adapter hartley --n 40 --alpha 10 --lr 0.1", "--overwrite"), 0)
      << log();
  EXPECT_FALSE(fs::exists(dir_ / "reused" / "stale.txt"));
  ASSERT_EQ(run("--eval-only --adapter-path " + (dir_ / "reused").string() + " --out " +
                (dir_ / "reused_eval").string()),
            0)
      << log();
  EXPECT_EQ(read_json(dir_ / "reused_eval" / "summary.json").at("method"), "Hartley");
  EXPECT_EQ(read_json(dir_ / "reused_eval" / "summary.json").at("test_at_best").get<double>(),
            read_json(dir_ / "reused" / "summary.json").at("test_at_best").get<double>());

  // A non-empty folder that no run wrote is not emptied, even with --overwrite.
  const fs::path other = dir_ / "other";
  fs::create_directories(other);
  std::ofstream(other / "notes.txt") << "mine";
  EXPECT_EQ(train("other", "--adapter head", "--overwrite"), 1);
  EXPECT_TRUE(fs::exists(other / "notes.txt"));
}

TEST_F(ViTDtdRunFolders, MethodFlagsThatContradictTheFolderAreErrors) {
  ASSERT_EQ(train("contradicted", "--adapter fourierft --n 50 --alpha 20 --lr 0.1"), 0) << log();
  const std::string eval = " --out " + (dir_ / "contradicted_eval").string();
  EXPECT_EQ(
      run("--eval-only --adapter lora --adapter-path " + (dir_ / "contradicted").string() + eval),
      1);
  EXPECT_NE(last_output().find("--adapter (adapter lora) contradicts"), std::string::npos)
      << last_output();
  EXPECT_EQ(run("--eval-only --n 60 --adapter-path " + (dir_ / "contradicted").string() + eval +
                " --overwrite"),
            1);
  EXPECT_NE(last_output().find("--n (n_frequency 60) contradicts"), std::string::npos)
      << last_output();
  // Flags that agree with the folder are accepted.
  EXPECT_EQ(run("--eval-only --adapter fourierft --n 50 --adapter-path " +
                (dir_ / "contradicted").string() + eval + " --overwrite"),
            0)
      << last_output();
}

// 30 training images in batches of 2: 15 optimizer steps per epoch.
constexpr int64_t kStepsPerEpoch = 15;
const std::string kLongRun =
    "--adapter fourierft --n 50 --alpha 20 --lr 0.1 --epochs 4 --batch-size 2 --grad-accum 1 "
    "--crop-scale-min 0.5 --seed 3";

TEST_F(ViTDtdRunFolders, KilledOrTerminatedMidEpochThenResumedIsBitIdentical) {
  const fs::path straight = dir_ / "long_straight";
  ASSERT_EQ(run(kLongRun + " --out " + straight.string()), 0) << log();
  for (const int sig : {SIGKILL, SIGTERM}) {
    const fs::path out = dir_ / (sig == SIGKILL ? "long_killed" : "long_terminated");
    fftune::testing::ChildProcess child(command(kLongRun + " --out " + out.string()));
    ASSERT_TRUE(child.started());
    // Wait until epoch 2 is under way: its first step is logged after epoch 1's checkpoint.
    int64_t last_step = 0;
    size_t epochs_logged = 0;
    ASSERT_TRUE(fftune::testing::wait_until(
        [&] {
          const auto train = records(out, "train");
          last_step = train.empty() ? 0 : train.back()["step"].get<int64_t>();
          epochs_logged = records(out, "epoch").size();
          return last_step > kStepsPerEpoch;
        },
        300))
        << log();
    ASSERT_TRUE(child.running()) << "the run ended before the test could signal it";
    // While it runs, one "epoch" record per finished epoch (an epoch's record comes after its
    // last step and before the next epoch's first one).
    if (last_step % kStepsPerEpoch != 0) {
      EXPECT_EQ(epochs_logged, static_cast<size_t>(last_step / kStepsPerEpoch));
    }
    child.signal(sig);
    const int status = child.wait();
    if (sig == SIGKILL) {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << log();
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << log();
      EXPECT_NE(log().find("stopped after"), std::string::npos) << log();
    }
    ASSERT_TRUE(fs::exists(out / "checkpoint.safetensors"));
    ASSERT_EQ(run(kLongRun + " --resume --out " + out.string()), 0) << log();
    EXPECT_FALSE(fs::exists(out / "checkpoint.safetensors"));
    EXPECT_EQ(read_bytes(out / "adapter" / "adapter_model.safetensors"),
              read_bytes(straight / "adapter" / "adapter_model.safetensors"))
        << sig;
    EXPECT_EQ(records(out, "train"), records(straight, "train")) << sig;
    EXPECT_EQ(records(out, "epoch"), records(straight, "epoch")) << sig;
    const json a = read_json(straight / "summary.json"), b = read_json(out / "summary.json");
    for (const char* key : {"best_val", "best_epoch", "test_at_best"})
      EXPECT_EQ(a[key], b[key]) << key;
  }
}

TEST_F(ViTDtdRunFolders, ResumeChecksTheDataAndTheCheckpoint) {
  const fs::path out = dir_ / "checked";
  ASSERT_EQ(run(kLongRun + " --stop-after-epochs 1 --out " + out.string()), 0) << log();
  const std::string checkpoint = (out / "checkpoint.safetensors").string();

  // The same images in another folder (a batch job's scratch copy): a warning, and it resumes.
  const fs::path copy = dir_ / "data_copy";
  fs::copy(dir_ / "data", copy, fs::copy_options::recursive);
  ASSERT_EQ(run(kLongRun + " --resume --stop-after-epochs 2 --out " + out.string(), copy), 0)
      << log();
  EXPECT_NE(last_output().find("warning: the data moved"), std::string::npos) << last_output();

  // Other images with the same classes and names (one of them changed): refused, naming the
  // data and both folders.
  const fs::path other = dir_ / "data_other";
  fs::copy(dir_ / "data", other, fs::copy_options::recursive);
  for (const auto& e : fs::recursive_directory_iterator(other / "images"))
    if (e.is_regular_file()) {
      std::ofstream(e.path(), std::ios::app | std::ios::binary) << "changed";
      break;
    }
  EXPECT_EQ(run(kLongRun + " --resume --out " + out.string(), other), 1) << log();
  EXPECT_NE(last_output().find("content of the data: checkpoint "), std::string::npos)
      << last_output();
  EXPECT_NE(last_output().find(fs::absolute(other).string()), std::string::npos) << last_output();

  // Checkpoints that are not this program's: clear errors, exit 1.
  io::SafetensorsFile file = io::load_safetensors(checkpoint);
  const std::vector<std::pair<std::string, Tensor>> tensors(file.tensors.begin(),
                                                            file.tensors.end());
  auto metadata = file.metadata;
  metadata["program"] = "roberta_glue";
  io::save_safetensors(checkpoint, tensors, metadata);
  EXPECT_EQ(run(kLongRun + " --resume --out " + out.string()), 1);
  EXPECT_NE(last_output().find("was written by roberta_glue, not by vit_dtd"), std::string::npos)
      << last_output();
  io::save_safetensors(checkpoint, tensors, {});
  EXPECT_EQ(run(kLongRun + " --resume --out " + out.string()), 1);
  EXPECT_NE(last_output().find("not an fftune training checkpoint"), std::string::npos)
      << last_output();
  metadata = file.metadata;
  metadata["batch_in_epoch"] = "two";
  io::save_safetensors(checkpoint, tensors, metadata);
  EXPECT_EQ(run(kLongRun + " --resume --out " + out.string()), 1);
  EXPECT_NE(last_output().find("metadata 'batch_in_epoch' is not a number"), std::string::npos)
      << last_output();
}

TEST_F(ViTDtdRunFolders, FoldersThatCannotBeCreatedAreNamed) {
  EXPECT_EQ(run("--adapter head --out /dev/null/run"), 1);
  EXPECT_NE(last_output().find("--out /dev/null/run: cannot create"), std::string::npos)
      << last_output();
  EXPECT_EQ(run("--demo --cache-dir /dev/null/cache --out " + (dir_ / "demo_out").string()), 1);
  EXPECT_NE(last_output().find("--cache-dir /dev/null/cache: cannot create"), std::string::npos)
      << last_output();
}

}  // namespace
