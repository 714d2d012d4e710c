// peft adapter files (adapters/peft_format.h): config parsing and writing, refusal of unknown
// keys and unsupported values, and the load-time report of mismatched tensors.
#include "adapters/peft_format.h"

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/safetensors.h"
#include "nn/module_tree.h"
#include "tests/support/test_support.h"

namespace fftune::adapters {
namespace {

using Json = nlohmann::json;

// The config peft 0.21.2 writes for FourierFTConfig(task_type=SEQ_CLS, target_modules=[...],
// n_frequency=50, scaling=100.0, n_frequency_pattern={...}) (tools/gen_fourierft_fixtures.py).
Json peft_written_config() {
  return Json::parse(R"({
    "auto_mapping": null, "base_model_name_or_path": null, "bias": "none",
    "exclude_modules": null, "fan_in_fan_out": false, "inference_mode": true,
    "init_weights": false, "layers_pattern": null, "layers_to_transform": null,
    "modules_to_save": ["classifier", "score"], "n_frequency": 50,
    "n_frequency_pattern": {"1.attention.self.value": 40, "intermediate.dense": 70},
    "peft_type": "FOURIERFT", "peft_version": "0.21.2", "random_loc_seed": 777,
    "revision": null, "scaling": 100.0,
    "target_modules": ["intermediate.dense", "value", "query"], "task_type": "SEQ_CLS"})");
}

FourierFTConfig parse(const Json& j) {
  return parse_fourierft_config(j.dump(), "test.json");
}

std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("fftune_test_peft_format_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(PeftFormat, ParsesTheConfigPeftWrites) {
  const FourierFTConfig c = parse(peft_written_config());
  EXPECT_EQ(c.n_frequency, 50);
  EXPECT_EQ(c.scaling, 100.0);
  EXPECT_EQ(c.random_loc_seed, 777u);
  EXPECT_EQ(c.target_modules.names,
            (std::vector<std::string>{"intermediate.dense", "value", "query"}));
  EXPECT_FALSE(c.target_modules.regex);
  EXPECT_EQ(c.n_frequency_pattern,
            (std::vector<std::pair<std::string, int64_t>>{{"1.attention.self.value", 40},
                                                          {"intermediate.dense", 70}}));
  EXPECT_EQ(c.task_type, "SEQ_CLS");
  EXPECT_TRUE(c.inference_mode);
  EXPECT_FALSE(c.init_weights);
  EXPECT_EQ(c.modules_to_save, (std::vector<std::string>{"classifier", "score"}));
  EXPECT_TRUE(c.layers_to_transform.empty());
  const InjectOptions o = c.inject_options();
  EXPECT_EQ(o.modules_to_save, (std::vector<std::string>{"classifier", "score"}));
  // peft adds the task heads for SEQ_CLS, so a model may have only one of them.
  EXPECT_EQ(o.optional_modules_to_save, (std::vector<std::string>{"classifier", "score"}));
}

TEST(PeftFormat, WritesWhatPeftWrites) {
  const Json original = peft_written_config();
  EXPECT_EQ(Json::parse(to_json(parse(original))), original);
  // Defaults for a config built in C++: peft's values, the task heads added as peft does.
  FourierFTConfig c;
  c.target_modules = ModulePatterns::full_match(R"(.*\.(query|value))");
  c.task_type = "SEQ_CLS";
  c.layers_pattern = {};
  const Json j = Json::parse(to_json(c));
  EXPECT_EQ(j["target_modules"], R"(.*\.(query|value))");
  EXPECT_EQ(j["modules_to_save"], Json::parse(R"(["classifier", "score"])"));
  EXPECT_EQ(j["n_frequency"], 1000);
  EXPECT_EQ(j["scaling"], 150.0);
  EXPECT_EQ(j["n_frequency_pattern"], Json::object());
  EXPECT_EQ(j["exclude_modules"], nullptr);
  EXPECT_EQ(j.size(), original.size());
  for (const auto& [key, value] : original.items()) EXPECT_TRUE(j.contains(key)) << key;
  // Reading it back gives the same config (the task heads now named in the file).
  const FourierFTConfig back = parse(j);
  EXPECT_EQ(*back.target_modules.regex, *c.target_modules.regex);
  EXPECT_EQ(Json::parse(to_json(back)), j);
}

TEST(PeftFormat, AcceptsPeftsOtherSpellings) {
  Json j = peft_written_config();
  j["layers_to_transform"] = 1;   // Union[list[int], int]
  j["layers_pattern"] = "layer";  // Union[list[str], str]
  j["exclude_modules"] = ".*key";
  j["scaling"] = 100;  // an integer is a number too
  const FourierFTConfig c = parse(j);
  EXPECT_EQ(c.layers_to_transform, (std::vector<int64_t>{1}));
  EXPECT_EQ(c.layers_pattern, (std::vector<std::string>{"layer"}));
  EXPECT_EQ(*c.exclude_modules.regex, ".*key");
  EXPECT_EQ(c.scaling, 100.0);
  // Absent keys take peft's defaults.
  const FourierFTConfig d = parse(Json::parse(R"({"peft_type": "FOURIERFT",
                                                  "target_modules": ["query"]})"));
  EXPECT_EQ(d.n_frequency, 1000);
  EXPECT_EQ(d.scaling, 150.0);
  EXPECT_EQ(d.random_loc_seed, 777u);
}

TEST(PeftFormat, UnknownKeyIsAnErrorNamingIt) {
  Json j = peft_written_config();
  j["n_frequencies"] = 10;
  EXPECT_FFTUNE_ERROR(parse(j), "unknown key \"n_frequencies\"");
}

TEST(PeftFormat, UnsupportedValuesAreErrorsNamingTheKey) {
  auto expect_error = [](const char* key, const Json& value, const std::string& message) {
    Json j = peft_written_config();
    j[key] = value;
    EXPECT_FFTUNE_ERROR(parse(j), "\"" + std::string(key) + "\": " + message);
  };
  expect_error("fan_in_fan_out", true, "true is not supported");
  expect_error("bias", "all", "'all' is not supported");
  expect_error("bias", "fourier_only", "'fourier_only' is not supported");
  expect_error("random_loc_seed", nullptr, "must be an integer");
  expect_error("auto_mapping",
               Json::parse(R"({"base_model_class": "MyNet", "parent_library": "my_package"})"),
               "names a custom (non-transformers) Python base model class");
  {  // What peft writes for a plain transformers model without task_type: accepted.
    Json j = peft_written_config();
    j["auto_mapping"] = Json::parse(
        R"({"base_model_class": "RobertaModel",
            "parent_library": "transformers.models.roberta.modeling_roberta"})");
    EXPECT_NO_THROW(parse(j));
  }
  expect_error("n_frequency", "50", "expected an integer");
  expect_error("n_frequency", 0, "must be positive");
  expect_error("target_modules", nullptr, "must name the layers");
  expect_error("task_type", "SEQ_CLASSIFICATION", "unknown peft task type");
  expect_error("n_frequency_pattern", Json::parse(R"({"value": 1.5})"),
               "the value of 'value' must be an integer");
  expect_error("peft_type", "LORA", "expected \"FOURIERFT\"");
  expect_error("layers_to_transform", Json::parse(R"([0, "1"])"), "expected a list of integers");
  Json j = peft_written_config();
  j["target_modules"] = ".*query";
  j["layers_to_transform"] = Json::parse("[0]");
  EXPECT_FFTUNE_ERROR(parse(j), "cannot be used when target_modules is a regex");
  EXPECT_FFTUNE_ERROR(parse_fourierft_config("{\"peft_type\": ", "cfg.json"),
                      "cfg.json: not valid JSON");
}

// The config peft 0.21.2 writes for LoRAConfig(task_type=SEQ_CLS, target_modules=[...], r=4,
// lora_alpha=8).
Json peft_written_lora_config() {
  return Json::parse(R"({
    "alora_invocation_tokens": null, "alpha_pattern": {}, "arrow_config": null,
    "auto_mapping": null, "base_model_name_or_path": null, "bias": "none", "corda_config": null,
    "ensure_weight_tying": false, "eva_config": null, "exclude_modules": null,
    "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true,
    "kasa_config": null, "layer_replication": null, "layers_pattern": null,
    "layers_to_transform": null, "loftq_config": {}, "lora_alpha": 8, "lora_bias": false,
    "lora_dropout": 0.0, "lora_ga_config": null, "megatron_config": null,
    "megatron_core": "megatron.core", "modules_to_save": ["classifier", "score"],
    "monteclora_config": null, "peft_type": "LORA", "peft_version": "0.21.2",
    "qalora_group_size": 16, "r": 4, "rank_pattern": {}, "revision": null,
    "target_modules": ["value", "query", "intermediate.dense"], "target_parameters": null,
    "task_type": "SEQ_CLS", "trainable_token_indices": null, "use_bdlora": null,
    "use_dora": false, "use_qalora": false, "use_rslora": false, "velora_config": null})");
}

TEST(PeftFormat, LoraConfigReadsAndWritesWhatPeftWrites) {
  const Json original = peft_written_lora_config();
  const PeftAdapterConfig any = parse_peft_config(original.dump(), "lora.json");
  ASSERT_TRUE(std::holds_alternative<LoRAConfig>(any));
  EXPECT_EQ(peft_type(any), "LORA");
  const LoRAConfig& c = std::get<LoRAConfig>(any);
  EXPECT_EQ(c.r, 4);
  EXPECT_EQ(c.lora_alpha, 8.0);
  EXPECT_EQ(c.lora_dropout, 0.0);
  EXPECT_TRUE(c.init_lora_weights);
  EXPECT_FALSE(c.use_rslora);
  Json written = Json::parse(to_json(any));
  EXPECT_EQ(written["lora_alpha"], 8.0);  // peft's 8 (int) is written as 8.0: the same number
  written["lora_alpha"] = 8;
  EXPECT_EQ(written, original);
  EXPECT_TRUE(std::holds_alternative<FourierFTConfig>(
      parse_peft_config(peft_written_config().dump(), "f.json")));
  Json other = original;
  other["peft_type"] = "VERA";
  EXPECT_FFTUNE_ERROR(parse_peft_config(other.dump(), "v.json"),
                      "\"peft_type\": \"VERA\" is not supported");
}

TEST(PeftFormat, LoraPatternsGivePerLayerOptions) {
  Json j = peft_written_lora_config();
  j["rank_pattern"] = Json::parse(R"({"layer\\.1\\..*value": 2, "query": 6})");
  j["alpha_pattern"] = Json::parse(R"({"value": 16})");
  j["use_rslora"] = true;
  j["lora_dropout"] = 0.1;
  const LoRAConfig c = parse_lora_config(j.dump());
  const LoRAOptions v1 = c.layer_options("roberta.encoder.layer.1.attention.self.value");
  EXPECT_EQ(v1.r, 2);
  EXPECT_EQ(v1.lora_alpha, 16.0);
  EXPECT_TRUE(v1.use_rslora);
  EXPECT_EQ(v1.lora_dropout, 0.1);
  const LoRAOptions v0 = c.layer_options("roberta.encoder.layer.0.attention.self.value");
  EXPECT_EQ(v0.r, 4);
  EXPECT_EQ(v0.lora_alpha, 16.0);
  const LoRAOptions q = c.layer_options("roberta.encoder.layer.0.attention.self.query");
  EXPECT_EQ(q.r, 6);
  EXPECT_EQ(q.lora_alpha, 8.0);
}

TEST(PeftFormat, LoraVariantsFftuneDoesNotImplementAreErrors) {
  auto expect_error = [](const char* key, const Json& value, const std::string& message) {
    Json j = peft_written_lora_config();
    j[key] = value;
    EXPECT_FFTUNE_ERROR(parse_lora_config(j.dump(), "lora.json"),
                        "\"" + std::string(key) + "\": " + message);
  };
  expect_error("use_dora", true, "true is not supported: fftune implements plain LoRA");
  expect_error("lora_bias", true, "true is not supported");
  expect_error("use_qalora", true, "true is not supported");
  expect_error("loftq_config", Json::parse(R"({"loftq_bits": 4})"),
               R"({"loftq_bits":4} is not supported)");
  expect_error("layer_replication", Json::parse("[[0, 2]]"), "[[0,2]] is not supported");
  expect_error("init_lora_weights", "gaussian", "\"gaussian\" is not supported");
  expect_error("init_lora_weights", "pissa", "\"pissa\" is not supported");
  expect_error("r", 0, "must be positive");
  expect_error("lora_dropout", 1.0, "must be in [0, 1)");
  expect_error("rank_pattern", Json::parse(R"({"q": 0})"), "the value of 'q' must be positive");
  expect_error("peft_type", "FOURIERFT", "expected \"LORA\"");
  Json j = peft_written_lora_config();
  j["lora_rank"] = 4;
  EXPECT_FFTUNE_ERROR(parse_lora_config(j.dump(), "lora.json"), "unknown key \"lora_rank\"");
  // Settings of variants that are off are accepted, and so is an empty target_parameters.
  j = peft_written_lora_config();
  j["qalora_group_size"] = 32;
  j["megatron_core"] = "megatron.core.x";
  j["target_parameters"] = Json::array();
  EXPECT_EQ(parse_lora_config(j.dump()).r, 4);
}

// A two-layer model and a FourierFT adapter saved from it.
struct SavedAdapter {
  std::shared_ptr<nn::ModuleTree> model;
  FourierFTConfig config;
  std::string dir;
};

std::shared_ptr<nn::ModuleTree> two_layer_model() {
  Generator gen(5);
  return nn::linear_tree({{"blocks.0.proj.weight", randn({6, 4}, DType::f32, Device::cpu(), &gen)},
                          {"blocks.1.proj.weight", randn({6, 4}, DType::f32, Device::cpu(), &gen)},
                          {"head.weight", randn({2, 6}, DType::f32, Device::cpu(), &gen)},
                          {"head.bias", randn({2}, DType::f32, Device::cpu(), &gen)}});
}

SavedAdapter save_small_adapter(const std::string& name) {
  SavedAdapter s{two_layer_model(), {}, temp_dir(name)};
  s.config.target_modules = ModulePatterns::list({"proj"});
  s.config.modules_to_save = {"head"};
  s.config.n_frequency = 5;
  s.config.n_frequency_pattern = {{R"(1\.proj)", 7}};
  Generator gen(9);
  inject_fourierft(*s.model, s.config, &gen);
  save_peft_adapter(*s.model, s.dir, s.config);
  return s;
}

TEST(PeftFormat, SaveAndLoadRoundTrip) {
  const SavedAdapter s = save_small_adapter("round_trip");
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(s.dir))
    files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"adapter_config.json", "adapter_model.safetensors"}));
  const auto file = io::load_safetensors(s.dir + "/adapter_model.safetensors");
  std::vector<std::string> keys;
  for (const auto& [k, t] : file.tensors) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"base_model.model.blocks.0.proj.fourierft_spectrum",
                                            "base_model.model.blocks.1.proj.fourierft_spectrum",
                                            "base_model.model.head.bias",
                                            "base_model.model.head.weight"}));
  EXPECT_EQ(file.tensors.at("base_model.model.blocks.1.proj.fourierft_spectrum").shape(),
            (Shape{7}));
  EXPECT_EQ(file.metadata.at("format"), "pt");

  auto fresh = two_layer_model();
  const LoadedPeftAdapter loaded = load_peft_adapter(*fresh, s.dir);
  EXPECT_EQ(peft_type(loaded.config), "FOURIERFT");
  EXPECT_EQ(loaded.adapted, (std::vector<std::string>{"blocks.0.proj", "blocks.1.proj"}));
  const auto want = s.model->named_parameters();
  const auto got = fresh->named_parameters();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first);
    EXPECT_ALL_CLOSE(got[i].second, want[i].second, 0.0, 0.0);
    EXPECT_FALSE(got[i].second.requires_grad()) << got[i].first;  // is_trainable = false
  }
  auto trainable = two_layer_model();
  load_peft_adapter(*trainable, s.dir, /*is_trainable=*/true);
  for (const auto& [name, p] : trainable->named_parameters())
    EXPECT_EQ(p.requires_grad(), name.find("proj.weight") == std::string::npos) << name;
  std::filesystem::remove_all(s.dir);
}

TEST(PeftFormat, LoadReportsEveryMismatchAtOnce) {
  const SavedAdapter s = save_small_adapter("mismatch");
  const std::string weights = s.dir + "/adapter_model.safetensors";
  auto file = io::load_safetensors(weights);
  std::vector<std::pair<std::string, Tensor>> tensors;
  tensors.emplace_back("base_model.model.blocks.0.proj.fourierft_spectrum", zeros({6}));  // shape
  tensors.emplace_back("base_model.model.head.weight",
                       file.tensors.at("base_model.model.head.weight"));
  tensors.emplace_back("base_model.model.head.bias", file.tensors.at("base_model.model.head.bias"));
  tensors.emplace_back("base_model.model.blocks.2.proj.fourierft_spectrum", zeros({5}));  // extra
  // blocks.1.proj.fourierft_spectrum missing
  io::save_safetensors(weights, tensors);
  auto fresh = two_layer_model();
  try {
    load_peft_adapter(*fresh, s.dir);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("(3 problems)"), std::string::npos) << what;
    EXPECT_NE(what.find("shape mismatch for base_model.model.blocks.0.proj.fourierft_spectrum: "
                        "the file has (6,), the model expects (5,)"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("missing tensor base_model.model.blocks.1.proj.fourierft_spectrum"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("unexpected tensor base_model.model.blocks.2.proj.fourierft_spectrum"),
              std::string::npos)
        << what;
  }
  std::filesystem::remove_all(s.dir);
}

TEST(PeftFormat, LoadNamesTheFileOnConfigErrors) {
  const SavedAdapter s = save_small_adapter("bad_config");
  {
    std::ofstream out(s.dir + "/adapter_config.json", std::ios::trunc);
    Json j = Json::parse(to_json(s.config));
    j["use_dora"] = false;
    out << j.dump();
  }
  auto fresh = two_layer_model();
  EXPECT_FFTUNE_ERROR(load_peft_adapter(*fresh, s.dir),
                      "adapter_config.json: unknown key \"use_dora\"");
  EXPECT_FFTUNE_ERROR(load_peft_adapter(*fresh, s.dir + "/nope"), "cannot open");
  std::filesystem::remove_all(s.dir);
}

// ---- hostile adapter configs (issue 14; tests/fixtures/hostile) ----

std::string read_fixture_text(const std::string& name) {
  std::ifstream in(testing::fixture_path(name));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PeftFormat, BacktrackingTargetRegexIsAClearErrorNamingTheFile) {
  // (.*)*(.*)*(.*)*(.*)*(.*)*(.*)*X spun std::regex for minutes on every module name. PCRE2 sees
  // that no name holds the required 'X' and answers at once; a name with an 'X' would hit the
  // match limit instead (test_regex: CatastrophicBacktrackingHitsTheMatchLimit).
  const SavedAdapter s = save_small_adapter("backtrack");
  std::filesystem::copy_file(testing::fixture_path("hostile/adapter_backtrack/adapter_config.json"),
                             s.dir + "/adapter_config.json",
                             std::filesystem::copy_options::overwrite_existing);
  auto fresh = two_layer_model();
  EXPECT_FFTUNE_ERROR(load_peft_adapter(*fresh, s.dir),
                      s.dir +
                          "/adapter_config.json: inject: target_modules regex "
                          "'(.*)*(.*)*(.*)*(.*)*(.*)*(.*)*X' matches no module");
  // Renamed so that a module holds an 'X': now the match limit stops the backtracking.
  auto renamed = nn::linear_tree({{"blocks.0.Xproj.weight", zeros({6, 4})}});
  EXPECT_FFTUNE_ERROR(load_peft_adapter(*renamed, s.dir),
                      s.dir +
                          "/adapter_config.json: inject: target_modules: regex "
                          "'(.*)*(.*)*(.*)*(.*)*(.*)*(.*)*X' needs too much backtracking");
  std::filesystem::remove_all(s.dir);
}

TEST(PeftFormat, DeeplyNestedTargetRegexIsRefusedWhenParsing) {
  // The reproducer's target_modules: 30,000 groups around "query" (a SIGSEGV in std::regex).
  Json j = Json::parse(read_fixture_text("hostile/adapter_backtrack/adapter_config.json"));
  j["target_modules"] = std::string(30000, '(') + "query" + std::string(30000, ')');
  EXPECT_FFTUNE_ERROR(parse_peft_config(j.dump(), "deep/adapter_config.json"),
                      "deep/adapter_config.json: \"target_modules\": target_modules: regex");
  j["target_modules"] = std::string(200, '(') + "query" + std::string(200, ')');
  EXPECT_FFTUNE_ERROR(parse_peft_config(j.dump(), "deep/adapter_config.json"), "nested groups");
  j["exclude_modules"] = "(unclosed";
  j["target_modules"] = ".*query";
  EXPECT_FFTUNE_ERROR(parse_peft_config(j.dump(), "deep/adapter_config.json"),
                      "\"exclude_modules\": exclude_modules: regex '(unclosed' is not valid");
}

TEST(PeftFormat, LoraRankAboveTheLayerIsRefusedNamingTheLayer) {
  // The reproducer's r = 10^12 (on vit_classifier's query and value in the original), here on a
  // (6, 4) layer: it would allocate (r, in) and (out, r) matrices. The rank of B·A is at most
  // min(out, in).
  Json j = Json::parse(read_fixture_text("hostile/vit_lora_huge_r/adapter_config.json"));
  EXPECT_EQ(j["r"].get<int64_t>(), 1000000000000);
  auto model = two_layer_model();
  j["target_modules"] = Json::array({"proj"});
  j["modules_to_save"] = nullptr;
  j["task_type"] = nullptr;  // SEQ_CLS would look for a classifier head to save
  const LoRAConfig config = parse_lora_config(j.dump(), "lora.json");
  EXPECT_FFTUNE_ERROR(inject_lora(*model, config), "inject: layer 'blocks.0.proj' (");
  EXPECT_FFTUNE_ERROR(inject_lora(*model, config),
                      "r 1000000000000 exceeds min(out_features, in_features)");
}

}  // namespace
}  // namespace fftune::adapters
