// adapters/registry.cpp: fftune's own adapters are registered; configs round-trip through
// adapter_config.json (peft's exact format for FourierFT and LoRA, FFTUNE_* otherwise); a
// registered adapter attaches, saves and loads its trainable state; bad registrations and bad
// configs are refused with a message naming what is wrong.
#include "adapters/registry.h"

#include <algorithm>

#include "adapters/hartley_adapter.h"
#include "core/autograd/grad_mode.h"
#include "nn/module_tree.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::adapters {
namespace {

using nlohmann::json;

// encoder.{0,1}.{query,value} (6 -> 6) and classifier (6 -> 2).
std::shared_ptr<nn::ModuleTree> make_model() {
  auto root = std::make_shared<nn::ModuleTree>();
  for (const std::string layer : {"encoder.0.", "encoder.1."})
    for (const char* name : {"query", "value"}) root->add_linear(layer + name, 6, 6);
  root->add_linear("classifier", 6, 2);
  return root;
}

AdapterConfig config_of(const std::string& adapter, const json& options) {
  AdapterConfig c;
  c.adapter = adapter;
  c.options = complete_options(find_adapter(adapter), options, "test");
  c.targets.target_modules = ModulePatterns::list({"query", "value"});
  c.targets.modules_to_save = {"classifier"};
  return c;
}

TEST(AdapterRegistry, FftunesOwnAdaptersAreRegistered) {
  std::vector<std::string> names;
  for (const AdapterSpec* spec : registered_adapters()) names.push_back(spec->name);
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 3),
            (std::vector<std::string>{"fourierft", "lora", "hartley"}));
  EXPECT_EQ(find_adapter("lora").learning_rate, 5e-4);  // not FourierFT's 0.05
  EXPECT_FFTUNE_ERROR(find_adapter("dora"), "registered: fourierft, lora, hartley");
}

TEST(AdapterRegistry, OptionsTakeDefaultsAndAreChecked) {
  const AdapterSpec& hartley = find_adapter("hartley");
  const json options = complete_options(hartley, {{"n_frequency", 12}}, "src");
  EXPECT_EQ(options, (json{{"n_frequency", 12}, {"scaling", 150.0}, {"random_loc_seed", 777}}));
  EXPECT_FFTUNE_ERROR(complete_options(hartley, {{"r", 4}}, "src"), "src: 'hartley' has no option");
  EXPECT_FFTUNE_ERROR(complete_options(hartley, {{"n_frequency", 1.5}}, "src"),
                      "\"n_frequency\" of 'hartley' must be an integer");
  EXPECT_EQ(option_differences(hartley, options, complete_options(hartley, {}, "src")),
            std::vector<std::string>{"n_frequency"});
}

TEST(AdapterRegistry, ConfigsRoundTripInTheirFormats) {
  struct Case {
    std::string adapter;
    json options;
    std::string peft_type, title;
  };
  const std::vector<Case> cases = {
      {"fourierft", {{"n_frequency", 10}, {"scaling", 20.0}}, "FOURIERFT", "FourierFT"},
      {"fourierft", {{"frequency_bias", {1.5, 3.0}}}, "FFTUNE_FOURIERFT", "FourierFT-fb"},
      {"lora", {{"r", 2}, {"lora_alpha", 6.0}}, "LORA", "LoRA"},
      {"hartley", {{"n_frequency", 9}, {"random_loc_seed", 5}}, "FFTUNE_HARTLEY", "Hartley"}};
  for (const Case& c : cases) {
    const AdapterConfig config = config_of(c.adapter, c.options);
    EXPECT_EQ(peft_type_of(config), c.peft_type);
    EXPECT_EQ(adapter_title(config), c.title);
    const std::string text = to_json(config);
    EXPECT_EQ(json::parse(text).at("peft_type"), c.peft_type);
    EXPECT_TRUE(is_adapter_config(text));
    const AdapterConfig back = adapter_config_from_json(text, "adapter_config.json");
    EXPECT_EQ(back.adapter, c.adapter);
    EXPECT_EQ(back.options, config.options) << text;
    EXPECT_EQ(back.targets.target_modules.names, config.targets.target_modules.names);
  }
  // peft's format exactly: the text peft_format writes for the same FourierFT config.
  FourierFTConfig peft;
  peft.target_modules = ModulePatterns::list({"query", "value"});
  peft.modules_to_save = {"classifier"};
  peft.n_frequency = 10;
  peft.scaling = 20.0;
  EXPECT_EQ(to_json(config_of("fourierft", {{"n_frequency", 10}, {"scaling", 20.0}})),
            to_json(peft));
}

TEST(AdapterRegistry, StrictParsingOfFftuneTypes) {
  json j = json::parse(to_json(config_of("hartley", json::object())));
  j["dropout"] = 0.1;
  EXPECT_FFTUNE_ERROR(adapter_config_from_json(j.dump(), "f.json"),
                      "f.json: unknown key \"dropout\"");
  j.erase("dropout");
  j.erase("scaling");
  EXPECT_FFTUNE_ERROR(adapter_config_from_json(j.dump(), "f.json"), "\"scaling\" is missing");
  EXPECT_FFTUNE_ERROR(adapter_config_from_json(R"({"peft_type": "FFTUNE_NOPE"})", "f.json"),
                      "no registered adapter writes peft_type 'FFTUNE_NOPE'");
  EXPECT_FALSE(is_adapter_config(R"({"peft_type": "FFTUNE_HEAD"})"));
}

TEST(AdapterRegistry, AttachSaveAndLoadTheTrainableState) {
  testing::TempDir dir("fftune_registry");
  for (const std::string adapter : {"hartley", "fourierft", "lora"}) {
    const json options = adapter == "lora" ? json{{"r", 2}} : json{{"n_frequency", 8}};
    const AdapterConfig config = config_of(adapter, options);
    auto model = make_model();
    Generator gen(4);
    EXPECT_EQ(attach_adapter(*model, config, &gen),
              (std::vector<std::string>{"encoder.0.query", "encoder.0.value", "encoder.1.query",
                                        "encoder.1.value"}));
    // Something non-zero to save: every trainable tensor gets distinct values.
    {
      NoGradGuard no_grad;
      double k = 1;
      for (auto& [name, t] : model->named_parameters())
        if (t.requires_grad()) add_(t, full(t.shape(), 0.01 * k++, t.dtype()));
    }
    save_adapter(*model, config, dir / adapter);
    auto loaded_model = make_model();
    const LoadedAdapter loaded = load_adapter(*loaded_model, dir / adapter);
    EXPECT_EQ(loaded.config.options, config.options) << adapter;
    EXPECT_EQ(loaded.adapted.size(), 4u);
    // The trained tensors (adapters and classifier) come back exactly; the base weights are
    // the model's own.
    const auto expected = model->named_parameters();
    const auto actual = loaded_model->named_parameters();
    ASSERT_EQ(expected.size(), actual.size());
    int64_t compared = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(expected[i].first, actual[i].first);
      EXPECT_FALSE(actual[i].second.requires_grad());
      if (!expected[i].second.requires_grad()) continue;
      EXPECT_ALL_CLOSE(expected[i].second, actual[i].second, 0.0, 0.0) << expected[i].first;
      ++compared;
    }
    EXPECT_EQ(compared, adapter == "lora" ? 4 * 2 + 2 : 4 + 2) << adapter;
  }
}

TEST(AdapterRegistry, RegistrationIsChecked) {
  AdapterSpec spec = hartley_adapter_spec();
  EXPECT_FFTUNE_ERROR(register_adapter(spec), "'hartley' is registered already");
  spec.name = "hartley2";
  EXPECT_FFTUNE_ERROR(register_adapter(spec), "peft_type FFTUNE_HARTLEY belongs to 'hartley'");
  spec.peft_type = "HARTLEY2";
  EXPECT_FFTUNE_ERROR(register_adapter(spec), "must start with FFTUNE_");
  spec.peft_type = "FFTUNE_HARTLEY2";
  spec.options[0].type = AdapterOption::Type::kNumber;  // --n is an integer elsewhere
  EXPECT_FFTUNE_ERROR(register_adapter(spec), "--n is a number, but 'fourierft' declares it");
  spec.options[0].type = AdapterOption::Type::kInteger;
  spec.make_linear = nullptr;
  EXPECT_FFTUNE_ERROR(register_adapter(spec), "has no nn::Linear factory");
  // A valid one registers, and goes again.
  spec = hartley_adapter_spec();
  spec.name = "hartley2";
  spec.peft_type = "FFTUNE_HARTLEY2";
  register_adapter(spec);
  EXPECT_TRUE(is_registered_adapter("hartley2"));
  unregister_adapter("hartley2");
  EXPECT_FALSE(is_registered_adapter("hartley2"));
}

}  // namespace
}  // namespace fftune::adapters
