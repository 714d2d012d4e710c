// A new adapter needs its file pair and one registration, and no edit in examples/
// (docs/new-adapter.md): this test defines a throwaway adapter — ΔW = s·u·vᵀ, a rank-one update
// — registers it, and drives both programs' code (vit_dtd::run_program,
// roberta_glue::run_program) through training, saving, --eval-only and --resume with
// `--adapter rank_one --rank-one-scale 2`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/registry.h"
#include "core/io/safetensors.h"
#include "examples/roberta_glue/program.h"
#include "examples/vit_dtd/program.h"
#include "examples/vit_dtd/textures.h"
#include "nn/init.h"
#include "nn/models/roberta.h"
#include "nn/models/vit.h"
#include "tests/support/test_support.h"

namespace {

namespace fs = std::filesystem;
using namespace fftune;
using nlohmann::json;

// ---- the throwaway adapter: its layer and its registration ----

// ΔW = s · u·vᵀ (out, in): u (out) starts at zero, v (in) at N(0, 1), so ΔW = 0 at the start.
class RankOneLinear final : public nn::LinearAdapter {
 public:
  RankOneLinear(int64_t out, int64_t in, double scale, Generator* gen, bool zero_init, DType dtype,
                Device device)
      : scale_(scale) {
    u_ = register_parameter("rank_one_u", zeros({out}, dtype, device));  // (out)
    v_ = register_parameter("rank_one_v", zeros({in}, dtype, device));   // (in)
    if (!zero_init) nn::init::normal_(v_, 0.0, 1.0, gen);
  }
  std::string method() const override { return "rank_one"; }
  Tensor delta_weight() const override {  // (out, in)
    return mul(matmul(u_.reshape({u_.numel(), 1}), v_.reshape({1, v_.numel()})), scale_);
  }

 private:
  double scale_;
  Tensor u_, v_;
};

adapters::AdapterSpec rank_one_spec() {
  adapters::AdapterSpec spec;
  spec.name = "rank_one";
  spec.title = "RankOne";
  spec.peft_type = "FFTUNE_RANK_ONE";
  spec.options = {
      {"scale", "rank-one-scale", adapters::AdapterOption::Type::kNumber, 1.0, "s in ΔW = s·u·vᵀ"}};
  spec.learning_rate = 1e-2;
  spec.make_linear = [](const adapters::AdapterOptions& o, const nn::Linear& layer, Generator* gen,
                        bool zero_init) {
    return std::make_shared<RankOneLinear>(layer.out_features(), layer.in_features(),
                                           o.at("scale").get<double>(), gen, zero_init,
                                           layer.weight().dtype(), layer.weight().device());
  };
  return spec;
}

// The one registration line.
const bool kRegistered = (adapters::register_adapter(rank_one_spec()), true);

// ---- helpers ----

std::string read_file(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing " << path;
  return {std::istreambuf_iterator<char>(f), {}};
}

json read_json(const fs::path& path) {
  return json::parse(read_file(path));
}

// Calls `program` with argv = {name, args...}.
int run(int (*program)(int, char**), const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), name);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return program(static_cast<int>(argv.size()), argv.data());
}

// --export-merged's directory: config.json, and model.safetensors without adapter tensors whose
// first adapted weight is W0 (from `base`, named without `strip`) + s·u·vᵀ (from `adapter`).
void expect_merged(const fs::path& merged, const fs::path& adapter, const fs::path& base,
                   const std::string& strip) {
  EXPECT_TRUE(fs::exists(merged / "config.json"));
  const io::SafetensorsFile weights = io::load_safetensors((merged / "model.safetensors").string());
  for (const auto& [name, t] : weights.tensors)
    EXPECT_EQ(name.find("rank_one"), std::string::npos) << name;
  const io::SafetensorsFile trained =
      io::load_safetensors((adapter / "adapter_model.safetensors").string());
  std::string layer;  // the first adapted layer
  for (const auto& [name, t] : trained.tensors)
    if (name.ends_with(".rank_one_u") && layer.empty())
      layer = name.substr(std::string("base_model.model.").size(),
                          name.size() - std::string("base_model.model.").size() -
                              std::string(".rank_one_u").size());
  ASSERT_FALSE(layer.empty());
  const Tensor u = trained.tensors.at("base_model.model." + layer + ".rank_one_u");
  const Tensor v = trained.tensors.at("base_model.model." + layer + ".rank_one_v");
  const Tensor w0 = io::load_safetensors((base / "model.safetensors").string())
                        .tensors.at(layer.substr(strip.size()) + ".weight");
  const Tensor expected =
      add(w0, mul(matmul(u.reshape({u.numel(), 1}), v.reshape({1, v.numel()})), 2.0));
  EXPECT_ALL_CLOSE(weights.tensors.at(layer + ".weight"), expected, 1e-6, 1e-6);
}

class CustomAdapter : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(kRegistered);
    dir_ = fs::temp_directory_path() / ("fftune_custom_adapter_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static inline fs::path dir_;
};

// ---- vit_dtd ----

// 3 texture classes of 16 × 16 images and a random 2-layer ViT, as tests/e2e's run folders.
void write_vit_inputs(const fs::path& dir) {
  vit_dtd::TextureDatasetOptions data;
  data.root = (dir / "images").string();
  data.classes = {vit_dtd::texture_classes()[0], vit_dtd::texture_classes()[1],
                  vit_dtd::texture_classes()[2]};
  data.image_size = 16;
  data.images_per_class = 30;
  data.num_splits = 1;
  vit_dtd::write_texture_dataset(data);
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
  nn::hf::save_pretrained(backbone, (dir / "vit").string(), config.to_json("ViTModel"),
                          nn::ViTModel::checkpoint_layout());
}

TEST_F(CustomAdapter, TrainsSavesEvaluatesAndResumesInVitDtd) {
  write_vit_inputs(dir_);
  const std::vector<std::string> common = {"--quiet",
                                           "--threads",
                                           "2",
                                           "--workers",
                                           "1",
                                           "--model",
                                           (dir_ / "vit").string(),
                                           "--data",
                                           (dir_ / "images").string(),
                                           "--epochs",
                                           "2",
                                           "--batch-size",
                                           "8",
                                           "--crop-scale-min",
                                           "0.5",
                                           "--seed",
                                           "3"};
  const auto vit = [&](std::vector<std::string> args) {
    args.insert(args.begin(), common.begin(), common.end());
    return run(&vit_dtd::run_program, "vit_dtd", args);
  };
  const fs::path straight = dir_ / "vit_straight", resumed = dir_ / "vit_resumed";
  const std::vector<std::string> method = {"--adapter", "rank_one", "--rank-one-scale", "2"};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  ASSERT_EQ(vit(with(method, {"--out", straight.string(), "--export-merged",
                              (dir_ / "vit_merged").string()})),
            0);
  expect_merged(dir_ / "vit_merged", straight / "adapter", dir_ / "vit", "vit.");

  const json config = read_json(straight / "adapter" / "adapter_config.json");
  EXPECT_EQ(config.at("peft_type"), "FFTUNE_RANK_ONE");
  EXPECT_EQ(config.at("scale").get<double>(), 2.0);
  const json summary = read_json(straight / "summary.json");
  EXPECT_EQ(summary.at("method"), "RankOne");
  EXPECT_EQ(summary.at("adapter_params").get<int64_t>(), 2 * 2 * (32 + 32));  // q, v per layer

  // --eval-only with no method flags: the folder says rank_one, scale 2.
  ASSERT_EQ(vit({"--eval-only", "--adapter-path", straight.string(), "--out",
                 (dir_ / "vit_eval").string()}),
            0);
  const json evaluated = read_json(dir_ / "vit_eval" / "summary.json");
  EXPECT_EQ(evaluated.at("best_val").get<double>(), summary.at("best_val").get<double>());
  EXPECT_EQ(evaluated.at("test_at_best").get<double>(), summary.at("test_at_best").get<double>());

  // Stopped after 2 steps, resumed with no method flags: the same adapter, byte for byte.
  // A requested stop exits 0 (a signal would exit 130: examples/common/interrupt.h).
  ASSERT_EQ(vit(with(method, {"--out", resumed.string(), "--stop-after-steps", "2"})), 0);
  ASSERT_EQ(vit({"--out", resumed.string(), "--resume"}), 0);
  EXPECT_EQ(read_file(straight / "adapter" / "adapter_model.safetensors"),
            read_file(resumed / "adapter" / "adapter_model.safetensors"));
}

// ---- roberta_glue ----

// SST-2 whose label is a keyword, and a tiny random RoBERTa with the fixture tokenizer.
void write_roberta_inputs(const fs::path& dir) {
  Generator gen(1);
  const std::vector<std::string> filler = {"the", "movie", "film", "was", "is", "this"};
  const auto split = [&](int64_t n) {
    std::string text = "sentence\tlabel\n";
    for (int64_t i = 0; i < n; ++i) {
      const auto picks = to_vector<int64_t>(randint(0, 6, {3}, Device::cpu(), &gen));
      text += filler[picks[0]] + (i % 2 ? " great " : " awful ") + filler[picks[1]] + " " +
              filler[picks[2]] + "\t" + std::to_string(i % 2) + "\n";
    }
    return text;
  };
  fs::create_directories(dir / "glue" / "SST-2");
  std::ofstream(dir / "glue" / "SST-2" / "train.tsv") << split(48);
  std::ofstream(dir / "glue" / "SST-2" / "dev.tsv") << split(16);
  const fs::path tokenizer = fs::path(FFTUNE_FIXTURE_DIR) / "tokenizer";
  const fs::path model_dir = dir / "roberta";
  fs::create_directories(model_dir);
  fs::copy_file(tokenizer / "vocab.json", model_dir / "vocab.json");
  fs::copy_file(tokenizer / "merges.txt", model_dir / "merges.txt");
  nn::RobertaConfig config;
  config.vocab_size = 3261;
  config.hidden_size = 32;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 4;
  config.intermediate_size = 64;
  config.max_position_embeddings = 66;  // --max-len 64
  config.hidden_dropout_prob = 0.1;     // dropout on: resume must restore its generator
  Generator model_gen(3);
  config.gen = &model_gen;
  nn::RobertaForMaskedLM model(config);
  nn::hf::save_pretrained(model, model_dir.string(), config.to_json("RobertaForMaskedLM"),
                          nn::RobertaForMaskedLM::checkpoint_layout());
}

TEST_F(CustomAdapter, TrainsSavesEvaluatesAndResumesInRobertaGlue) {
  write_roberta_inputs(dir_);
  const auto glue = [&](const fs::path& out, std::vector<std::string> args) {
    const std::vector<std::string> common = {"--task",       "sst2",
                                             "--glue-dir",   (dir_ / "glue").string(),
                                             "--model",      (dir_ / "roberta").string(),
                                             "--out",        out.string(),
                                             "--max-len",    "64",
                                             "--threads",    "2",
                                             "--epochs",     "2",
                                             "--batch-size", "8",
                                             "--seed",       "5"};
    args.insert(args.begin(), common.begin(), common.end());
    return run(&roberta_glue::run_program, "roberta_glue", args);
  };
  const fs::path straight = dir_ / "glue_straight", resumed = dir_ / "glue_resumed";
  ASSERT_EQ(glue(straight, {"--adapter", "rank_one", "--rank-one-scale", "2", "--export-merged",
                            (dir_ / "glue_merged").string()}),
            0);
  expect_merged(dir_ / "glue_merged", straight / "best", dir_ / "roberta", "");
  const json config = read_json(straight / "best" / "adapter_config.json");
  EXPECT_EQ(config.at("peft_type"), "FFTUNE_RANK_ONE");
  EXPECT_EQ(config.at("scale").get<double>(), 2.0);
  EXPECT_EQ(config.at("task_type"), "SEQ_CLS");
  // The registry's learning rate, not FourierFT's.
  EXPECT_EQ(read_json(straight / "config.json").at("lr").get<double>(), 1e-2);
  const json results = read_json(straight / "results.json");

  ASSERT_EQ(glue(dir_ / "glue_eval", {"--eval-only", "--adapter-path", straight.string()}), 0);
  EXPECT_EQ(read_json(dir_ / "glue_eval" / "eval.json").at("dev_accuracy").get<double>(),
            results.at("best").get<double>());

  ASSERT_EQ(
      glue(resumed, {"--adapter", "rank_one", "--rank-one-scale", "2", "--stop-after-steps", "3"}),
      0);
  ASSERT_FALSE(fs::exists(resumed / "results.json"));  // stopped before the end
  ASSERT_EQ(glue(resumed, {"--resume"}), 0);
  EXPECT_EQ(read_file(straight / "best" / "adapter_model.safetensors"),
            read_file(resumed / "best" / "adapter_model.safetensors"));
}

}  // namespace
