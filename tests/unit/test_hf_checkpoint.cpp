// Hugging Face model directories (nn/models/hf_checkpoint.h): reading configs and (sharded)
// weights, key mapping (prefixes, gamma/beta, ignorable and fresh keys, tied names), saving, and
// every error naming the key at fault. The model under test is a tiny RoBERTa.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/io/safetensors.h"
#include "nn/models/hf_checkpoint.h"
#include "nn/models/roberta.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

RobertaConfig tiny_config() {
  RobertaConfig c;
  c.vocab_size = 30;
  c.hidden_size = 12;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 3;
  c.intermediate_size = 20;
  c.max_position_embeddings = 16;
  c.num_labels = 3;
  return c;
}

// A fresh, empty directory for one test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            (std::string("fftune_hf_") + info->test_suite_name() + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

void write_json(const fs::path& path, const json& j) {
  std::ofstream(path) << j.dump(2);
}

using Tensors = std::vector<std::pair<std::string, Tensor>>;

Tensors state_of(const Module& m) {
  return m.state_dict();
}

// Writes a checkpoint directory: config + the given tensors in model.safetensors.
void write_checkpoint(const TempDir& dir, const json& config, const Tensors& tensors) {
  write_json(dir / "config.json", config);
  io::save_safetensors((dir / "model.safetensors").string(), tensors);
}

Tensors without(Tensors tensors, const std::string& name) {
  std::erase_if(tensors, [&](const auto& kv) { return kv.first == name; });
  return tensors;
}

void expect_same_values(const Module& a, const Module& b) {
  auto sa = a.state_dict(), sb = b.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    ASSERT_EQ(sa[i].first, sb[i].first);
    EXPECT_ALL_CLOSE(sa[i].second, sb[i].second, 0.0, 0.0) << sa[i].first;
  }
}

TEST(HfCheckpoint, SaveThenLoadRoundTrips) {
  TempDir dir;
  const RobertaConfig c = tiny_config();
  RobertaForSequenceClassification a(c), b(c);
  hf::save_pretrained(a, dir.str(), c.to_json("RobertaForSequenceClassification"),
                      a.checkpoint_layout());
  EXPECT_TRUE(fs::exists(dir / "config.json"));
  EXPECT_FALSE(fs::exists(dir / ".config.json.tmp"));
  const json config = hf::read_config(dir.str());
  EXPECT_EQ(RobertaConfig::from_json(config).num_labels, 3);
  const hf::LoadSummary s = hf::load_pretrained(b, dir.str(), b.checkpoint_layout());
  EXPECT_EQ(s.loaded.size(), a.state_dict().size());
  EXPECT_TRUE(s.fresh.empty() && s.ignored.empty());
  expect_same_values(a, b);
}

TEST(HfCheckpoint, MissingTensorNamesTheKey) {
  TempDir dir;
  RobertaForSequenceClassification m(tiny_config());
  write_checkpoint(dir, tiny_config().to_json("x"),
                   without(state_of(m), "roberta.encoder.layer.1.attention.self.value.bias"));
  EXPECT_FFTUNE_ERROR(hf::load_pretrained(m, dir.str(), m.checkpoint_layout()),
                      "missing tensor 'roberta.encoder.layer.1.attention.self.value.bias'");
}

TEST(HfCheckpoint, UnexpectedTensorNamesTheKey) {
  TempDir dir;
  RobertaForSequenceClassification m(tiny_config());
  Tensors t = state_of(m);
  t.emplace_back("roberta.encoder.layer.0.attention.self.rotary.weight", zeros({2}));
  write_checkpoint(dir, tiny_config().to_json("x"), t);
  EXPECT_FFTUNE_ERROR(hf::load_pretrained(m, dir.str(), m.checkpoint_layout()),
                      "unexpected tensor 'roberta.encoder.layer.0.attention.self.rotary.weight'");
}

TEST(HfCheckpoint, ShapeDisagreeingWithConfigNamesTheKeyAndBothShapes) {
  TempDir dir;
  RobertaConfig small = tiny_config();
  small.vocab_size = 25;
  RobertaForSequenceClassification other(small), m(tiny_config());
  write_checkpoint(dir, small.to_json("x"), state_of(other));
  EXPECT_FFTUNE_ERROR(
      hf::load_pretrained(m, dir.str(), m.checkpoint_layout()),
      "'roberta.embeddings.word_embeddings.weight': expected f32 (30, 12) (from config.json), "
      "got f32 (25, 12)");
}

TEST(HfCheckpoint, DtypeMismatchIsAnError) {
  TempDir dir;
  RobertaForSequenceClassification m(tiny_config());
  Tensors t = state_of(m);
  for (auto& [name, v] : t)
    if (name == "classifier.out_proj.bias") v = v.to(DType::f64);
  write_checkpoint(dir, tiny_config().to_json("x"), t);
  EXPECT_FFTUNE_ERROR(
      hf::load_pretrained(m, dir.str(), m.checkpoint_layout()),
      "'classifier.out_proj.bias': expected f32 (3,) (from config.json), got f64 (3,)");
}

// A fine-tuned 7-class checkpoint loaded into a 3-class model: an error by default (naming the
// option that would allow it); with ignore_mismatched_sizes the classifier's output projection
// keeps its initialisation and the summary says so, everything else loads.
TEST(HfCheckpoint, MismatchedClassifierIsAnErrorUnlessIgnored) {
  TempDir dir;
  RobertaConfig seven = tiny_config();
  seven.num_labels = 7;
  RobertaForSequenceClassification source(seven), m(tiny_config());
  write_checkpoint(dir, seven.to_json("RobertaForSequenceClassification"), state_of(source));
  EXPECT_FFTUNE_ERROR(hf::load_pretrained(m, dir.str(), m.checkpoint_layout()),
                      "'classifier.out_proj.weight': expected f32 (3, 12) (from config.json), got "
                      "f32 (7, 12) (load with ignore_mismatched_sizes to initialise it freshly)");

  const Tensor init_weight = m.classifier()->out_proj()->weight().clone();
  std::ostringstream log;
  const hf::LoadSummary s = hf::load_pretrained(m, dir.str(), m.checkpoint_layout(), &log,
                                                {.ignore_mismatched_sizes = true});
  EXPECT_EQ(s.mismatched, (std::vector<std::string>{
                              "classifier.out_proj.bias: checkpoint f32 (7,), model f32 (3,)",
                              "classifier.out_proj.weight: checkpoint f32 (7, 12), model "
                              "f32 (3, 12)"}));
  EXPECT_EQ(s.loaded.size(), m.state_dict().size() - 2);
  EXPECT_TRUE(s.fresh.empty());
  EXPECT_NE(log.str().find("mismatched, freshly initialised: classifier.out_proj.weight"),
            std::string::npos)
      << log.str();
  EXPECT_ALL_CLOSE(m.classifier()->out_proj()->weight(), init_weight, 0.0, 0.0);
  EXPECT_ALL_CLOSE(m.classifier()->dense()->weight(), source.classifier()->dense()->weight(), 0.0,
                   0.0);
  EXPECT_ALL_CLOSE(m.roberta()->embeddings()->word_embeddings()->weight(),
                   source.roberta()->embeddings()->word_embeddings()->weight(), 0.0, 0.0);
}

// The option covers shapes only: a dtype disagreement is still an error.
TEST(HfCheckpoint, IgnoreMismatchedSizesKeepsDtypeErrors) {
  RobertaForSequenceClassification m(tiny_config());
  std::map<std::string, Tensor> weights;
  for (auto& [name, v] : state_of(m)) weights[name] = v;
  weights["classifier.out_proj.bias"] = weights["classifier.out_proj.bias"].to(DType::f64);
  EXPECT_FFTUNE_ERROR(hf::load_weights(m, weights, m.checkpoint_layout(), nullptr,
                                       {.ignore_mismatched_sizes = true}),
                      "'classifier.out_proj.bias': expected f32 (3,) (from config.json), got f64");
}

// A tied tensor whose checkpoint shape differs (a vocabulary of another size): the tied names
// are reported with their twin.
TEST(HfCheckpoint, IgnoreMismatchedSizesReportsTiedTwins) {
  TempDir dir;
  RobertaConfig small = tiny_config();
  small.vocab_size = 25;
  RobertaForMaskedLM source(small), m(tiny_config());
  hf::save_pretrained(source, dir.str(), small.to_json("RobertaForMaskedLM"),
                      source.checkpoint_layout());
  const hf::LoadSummary s = hf::load_pretrained(m, dir.str(), m.checkpoint_layout(), nullptr,
                                                {.ignore_mismatched_sizes = true});
  EXPECT_EQ(s.mismatched,
            (std::vector<std::string>{
                "lm_head.bias: checkpoint f32 (25,), model f32 (30,)",
                "roberta.embeddings.word_embeddings.weight: checkpoint f32 (25, 12), model f32 "
                "(30, 12)",
                "lm_head.decoder.weight: tied to roberta.embeddings.word_embeddings.weight, whose "
                "checkpoint shape differs",
                "lm_head.decoder.bias: tied to lm_head.bias, whose checkpoint shape differs"}));
  EXPECT_TRUE(s.fresh.empty());
}

TEST(HfCheckpoint, NothingIsWrittenWhenLoadingFails) {
  RobertaForSequenceClassification m(tiny_config()), other(tiny_config());
  std::map<std::string, Tensor> weights;
  for (auto& [name, v] : state_of(other)) weights[name] = v;
  weights.erase("classifier.dense.bias");
  weights.erase("roberta.embeddings.LayerNorm.bias");  // missing, and not fresh
  const Tensor before = m.roberta()->embeddings()->word_embeddings()->weight().clone();
  EXPECT_FFTUNE_ERROR(hf::load_weights(m, weights, m.checkpoint_layout()),
                      "roberta.embeddings.LayerNorm.bias");
  EXPECT_ALL_CLOSE(m.roberta()->embeddings()->word_embeddings()->weight(), before, 0.0, 0.0);
}

TEST(HfCheckpoint, BadModelTypeNamesTheKeyAndTheExpected) {
  json config = tiny_config().to_json("x");
  config["model_type"] = "bert";
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(config),
                      "unsupported model_type 'bert' (expected 'roberta', 'xlm-roberta')");
  config.erase("model_type");
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(config), "missing key 'model_type'");
}

TEST(HfCheckpoint, BadHiddenActNamesTheKeyAndTheSupported) {
  json config = tiny_config().to_json("x");
  config["hidden_act"] = "swish";
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(config), "'hidden_act': unsupported hidden_act");
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(config), "gelu");
}

TEST(HfCheckpoint, ConfigTypeErrorsNameTheKey) {
  json config = tiny_config().to_json("x");
  config["hidden_size"] = "48";
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(config),
                      "'hidden_size' must be an integer, got \"48\"");
  config.erase("hidden_size");
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(config), "missing key 'hidden_size'");
  TempDir dir;
  EXPECT_FFTUNE_ERROR(hf::read_config(dir.str()), "config.json");
  std::ofstream(dir / "config.json") << "{\"a\": ";
  EXPECT_FFTUNE_ERROR(hf::read_config(dir.str()), "is not valid JSON");
}

// Writes the module's state as two shards plus the index; returns the weight map.
json write_sharded(const TempDir& dir, const Module& m) {
  Tensors t = state_of(m);
  const size_t half = t.size() / 2;
  Tensors first(t.begin(), t.begin() + half), second(t.begin() + half, t.end());
  io::save_safetensors((dir / "model-00001-of-00002.safetensors").string(), first);
  io::save_safetensors((dir / "model-00002-of-00002.safetensors").string(), second);
  json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", json::object()}};
  for (auto& [name, v] : first) index["weight_map"][name] = "model-00001-of-00002.safetensors";
  for (auto& [name, v] : second) index["weight_map"][name] = "model-00002-of-00002.safetensors";
  write_json(dir / "model.safetensors.index.json", index);
  write_json(dir / "config.json", tiny_config().to_json("x"));
  return index;
}

TEST(HfCheckpoint, ShardedCheckpointLoads) {
  TempDir dir;
  RobertaForSequenceClassification a(tiny_config()), b(tiny_config());
  write_sharded(dir, a);
  EXPECT_EQ(hf::read_weights(dir.str()).size(), a.state_dict().size());
  hf::load_pretrained(b, dir.str(), b.checkpoint_layout());
  expect_same_values(a, b);
}

TEST(HfCheckpoint, MissingShardNamesTheShard) {
  TempDir dir;
  RobertaForSequenceClassification m(tiny_config());
  write_sharded(dir, m);
  fs::remove(dir / "model-00002-of-00002.safetensors");
  EXPECT_FFTUNE_ERROR(hf::read_weights(dir.str()),
                      "shard 'model-00002-of-00002.safetensors' (holding '");
}

TEST(HfCheckpoint, ShardLackingAMappedTensorNamesBoth) {
  TempDir dir;
  RobertaForSequenceClassification m(tiny_config());
  json index = write_sharded(dir, m);
  index["weight_map"]["roberta.encoder.layer.9.output.dense.weight"] =
      "model-00001-of-00002.safetensors";
  write_json(dir / "model.safetensors.index.json", index);
  EXPECT_FFTUNE_ERROR(hf::read_weights(dir.str()),
                      "tensor 'roberta.encoder.layer.9.output.dense.weight' is missing from shard "
                      "'model-00001-of-00002.safetensors'");
}

TEST(HfCheckpoint, TensorNotInTheWeightMapIsUnexpected) {
  TempDir dir;
  RobertaForSequenceClassification m(tiny_config());
  json index = write_sharded(dir, m);
  index["weight_map"].erase("classifier.out_proj.bias");
  write_json(dir / "model.safetensors.index.json", index);
  EXPECT_FFTUNE_ERROR(hf::read_weights(dir.str()),
                      "unexpected tensor 'classifier.out_proj.bias' in shard");
}

TEST(HfCheckpoint, NoWeightsFileNamesWhatWasLookedFor) {
  TempDir dir;
  EXPECT_FFTUNE_ERROR(hf::read_weights(dir.str()),
                      "has neither model.safetensors nor model.safetensors.index.json");
  std::ofstream(dir / "pytorch_model.bin") << "x";
  EXPECT_FFTUNE_ERROR(hf::read_weights(dir.str()), "pytorch_model.bin only");
}

TEST(HfCheckpoint, OldNamesAndPositionIdsBuffers) {
  TempDir dir;
  RobertaForSequenceClassification a(tiny_config()), b(tiny_config());
  Tensors t;
  for (auto& [name, v] : state_of(a)) {
    std::string key = name;
    if (key.ends_with("LayerNorm.weight")) key.replace(key.size() - 6, 6, "gamma");
    if (key.ends_with("LayerNorm.bias")) key.replace(key.size() - 4, 4, "beta");
    t.emplace_back(key, v);
  }
  t.emplace_back("roberta.embeddings.position_ids", arange(16).view({1, 16}));
  write_checkpoint(dir, tiny_config().to_json("x"), t);
  const hf::LoadSummary s = hf::load_pretrained(b, dir.str(), b.checkpoint_layout());
  expect_same_values(a, b);
  ASSERT_EQ(s.ignored.size(), 1u);
  EXPECT_EQ(s.ignored[0].first, "roberta.embeddings.position_ids");
  // 5 LayerNorms (the embeddings', two per layer), gamma and beta each.
  EXPECT_EQ(s.renamed.size(), 10u);
}

TEST(HfCheckpoint, BaseCheckpointIntoTaskModelAddsThePrefixAndFreshensTheHead) {
  TempDir dir;
  RobertaModel base(tiny_config(), /*add_pooling_layer=*/true);
  write_checkpoint(dir, tiny_config().to_json("RobertaModel"), state_of(base));
  RobertaForSequenceClassification m(tiny_config());
  std::ostringstream log;
  const hf::LoadSummary s = hf::load_pretrained(m, dir.str(), m.checkpoint_layout(), &log);
  EXPECT_EQ(s.prefix_change, "'roberta.' added to the checkpoint keys");
  EXPECT_EQ(s.fresh.size(), 4u);    // classifier.{dense,out_proj}.{weight,bias}
  EXPECT_EQ(s.ignored.size(), 2u);  // pooler.dense.{weight,bias}
  EXPECT_NE(log.str().find("freshly initialised: classifier.dense.weight"), std::string::npos)
      << log.str();
  EXPECT_NE(log.str().find("ignored: pooler.dense.weight"), std::string::npos) << log.str();
  EXPECT_ALL_CLOSE(m.roberta()->embeddings()->word_embeddings()->weight(),
                   base.embeddings()->word_embeddings()->weight(), 0.0, 0.0);
}

TEST(HfCheckpoint, MaskedLMCheckpointIntoBaseModelStripsThePrefix) {
  TempDir dir;
  RobertaForMaskedLM mlm(tiny_config());
  hf::save_pretrained(mlm, dir.str(), tiny_config().to_json("RobertaForMaskedLM"),
                      mlm.checkpoint_layout());
  RobertaModel base(tiny_config(), /*add_pooling_layer=*/true);
  const hf::LoadSummary s = hf::load_pretrained(base, dir.str(), base.checkpoint_layout());
  EXPECT_EQ(s.prefix_change, "'roberta.' stripped from the checkpoint keys");
  EXPECT_EQ(s.fresh, (std::vector<std::string>{"pooler.dense.weight", "pooler.dense.bias"}));
  for (const auto& [key, reason] : s.ignored) EXPECT_TRUE(key.starts_with("lm_head.")) << key;
  EXPECT_ALL_CLOSE(base.encoder()->layers()[1]->output()->dense()->weight(),
                   mlm.roberta()->encoder()->layers()[1]->output()->dense()->weight(), 0.0, 0.0);
}

TEST(HfCheckpoint, TiedNamesAreSavedOnceAndFilledThroughTheirTwin) {
  TempDir dir;
  RobertaForMaskedLM a(tiny_config()), b(tiny_config());
  hf::save_pretrained(a, dir.str(), tiny_config().to_json("RobertaForMaskedLM"),
                      a.checkpoint_layout());
  const auto saved = hf::read_weights(dir.str());
  EXPECT_FALSE(saved.count("lm_head.decoder.weight"));
  EXPECT_FALSE(saved.count("lm_head.decoder.bias"));
  EXPECT_TRUE(saved.count("lm_head.bias"));
  const hf::LoadSummary s = hf::load_pretrained(b, dir.str(), b.checkpoint_layout());
  EXPECT_EQ(s.tied.size(), 2u);
  expect_same_values(a, b);

  // Older files carry the tied names too: accepted when equal, an error when they differ.
  std::map<std::string, Tensor> weights(saved.begin(), saved.end());
  weights["lm_head.decoder.weight"] = saved.at("roberta.embeddings.word_embeddings.weight");
  weights["lm_head.decoder.bias"] = saved.at("lm_head.bias");
  EXPECT_EQ(hf::load_weights(b, weights, b.checkpoint_layout()).tied.size(), 2u);
  weights["lm_head.decoder.bias"] = add(saved.at("lm_head.bias"), 1.0);
  EXPECT_FFTUNE_ERROR(hf::load_weights(b, weights, b.checkpoint_layout()),
                      "are one tied tensor in the model but differ in the checkpoint");
}

}  // namespace
}  // namespace fftune::nn
