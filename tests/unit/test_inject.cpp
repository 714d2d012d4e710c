// The injector (adapters/inject.h): peft's module matching rules (Note [peft module matching]),
// freezing, modules to save, and errors.
#include "adapters/inject.h"

#include <algorithm>

#include "nn/module_tree.h"
#include "tests/support/test_support.h"

namespace fftune::adapters {
namespace {

using nn::ModuleTree;

// encoder.layer.{0,1}.attention.{query,key,value} (8 -> 8), encoder.layer.{0,1}.ffn.dense
// (8 -> 12), head.dense (8 -> 8), head.out (8 -> 2), embeddings (holds a parameter, not a Linear).
std::shared_ptr<ModuleTree> make_model() {
  auto root = std::make_shared<ModuleTree>();
  root->add_parameter("embeddings.weight", zeros({10, 8}));
  for (const std::string layer : {"encoder.layer.0.", "encoder.layer.1."}) {
    for (const char* name : {"query", "key", "value"})
      root->add_linear(layer + "attention." + name, 8, 8);
    root->add_linear(layer + "ffn.dense", 8, 12);
  }
  root->add_linear("head.dense", 8, 8);
  root->add_linear("head.out", 8, 2);
  return root;
}

std::shared_ptr<nn::LinearAdapter> small_fourierft(const std::string&, const nn::Linear& base) {
  fourierft::FourierFTOptions options;
  options.n_frequency = 4;
  return std::make_shared<fourierft::FourierFTLinear>(base.out_features(), base.in_features(),
                                                      options);
}

std::vector<std::string> inject(nn::Module& model, const InjectOptions& options) {
  return inject_adapters(model, options, small_fourierft);
}

nn::Linear& linear(nn::Module& model, const std::string& name) {
  for (const auto& [path, m] : model.named_modules())
    if (path == name) return dynamic_cast<nn::Linear&>(*m);
  throw Error("no module " + name);
}

using Names = std::vector<std::string>;

TEST(Inject, ListEntriesMatchExactNamesAndDottedSuffixes) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"query", "layer.1.attention.value"});
  EXPECT_EQ(inject(*model, o),
            (Names{"encoder.layer.0.attention.query", "encoder.layer.1.attention.query",
                   "encoder.layer.1.attention.value"}));
  // Exact full name.
  model = make_model();
  o.target_modules = ModulePatterns::list({"head.out"});
  EXPECT_EQ(inject(*model, o), (Names{"head.out"}));
}

TEST(Inject, ListEntryMustEndAtADot) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"query", "uery"});
  EXPECT_FFTUNE_ERROR(inject(*model, o), "target module 'uery' matches no module");
  EXPECT_FFTUNE_ERROR(inject(*model, o), "encoder.layer.0.attention");  // lists module names
}

TEST(Inject, RegexMustMatchTheWholeName) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::full_match(R"(.*layer\.1\.attention\.(query|value))");
  EXPECT_EQ(inject(*model, o),
            (Names{"encoder.layer.1.attention.query", "encoder.layer.1.attention.value"}));
  // Alternation: each branch must match the whole name.
  model = make_model();
  o.target_modules = ModulePatterns::full_match(R"(head\.out|.*0\.attention\.key)");
  EXPECT_EQ(inject(*model, o), (Names{"encoder.layer.0.attention.key", "head.out"}));
  // A substring is not enough.
  model = make_model();
  o.target_modules = ModulePatterns::full_match("query");
  EXPECT_FFTUNE_ERROR(inject(*model, o), "target_modules regex 'query' matches no module");
  o.target_modules = ModulePatterns::full_match("(query");
  EXPECT_FFTUNE_ERROR(inject(*model, o), "target_modules: regex '(query' is not valid");
}

TEST(Inject, RegexHasPythonSemanticsLookaheadsIncluded) {
  // peft users write Python patterns: a negative lookahead excludes a branch of the model.
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::full_match(R"(^(?!.*layer\.0).*attention\.(?P<m>query|key))");
  EXPECT_EQ(inject(*model, o),
            (Names{"encoder.layer.1.attention.query", "encoder.layer.1.attention.key"}));
}

TEST(Inject, LayerIndexTooLargeForInt64MatchesNoLayer) {
  EXPECT_EQ(layer_index("encoder.layer.11.attention.query", {}), 11);
  EXPECT_EQ(layer_index("encoder.layer.99999999999999999999999.attention.query", {}), std::nullopt);
}

TEST(Inject, BacktrackingRegexIsAnErrorNotAHang) {
  auto model = make_model();
  InjectOptions o;
  // Names ending in anything but 'y' ("encoder.layer.0.attention.query" ends in 'y' but the
  // group structure still backtracks on the names before it) send this into exponential
  // backtracking; the match limit turns it into an error before anything is attached.
  o.target_modules = ModulePatterns::full_match("(.*)*(.*)*(.*)*(.*)*(.*)*(.*)*y");
  EXPECT_FFTUNE_ERROR(inject(*model, o), "needs too much backtracking to match '");
  for (const auto& [name, p] : model->named_parameters()) EXPECT_TRUE(p.requires_grad()) << name;
}

TEST(Inject, ExcludeModulesListAndRegex) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"query", "value"});
  o.exclude_modules = ModulePatterns::list({"layer.0.attention.value", "1.attention.query"});
  EXPECT_EQ(inject(*model, o),
            (Names{"encoder.layer.0.attention.query", "encoder.layer.1.attention.value"}));
  model = make_model();
  o.exclude_modules = ModulePatterns::full_match(R"(.*\.0\..*)");
  EXPECT_EQ(inject(*model, o),
            (Names{"encoder.layer.1.attention.query", "encoder.layer.1.attention.value"}));
  // Excluding every match of an entry leaves that entry matching nothing.
  model = make_model();
  o.exclude_modules = ModulePatterns::list({"value"});
  EXPECT_FFTUNE_ERROR(inject(*model, o), "target module 'value' matches no module");
}

TEST(Inject, LayerIndexFollowsPeftPatterns) {
  // Default: the first "<segment>.<number>." after some prefix (lazy, so nested indices lose).
  EXPECT_EQ(layer_index("encoder.layer.12.attention.query", {}), 12);
  EXPECT_EQ(layer_index("model.layers.3.experts.7.w1", {}), 3);
  EXPECT_EQ(layer_index("head.dense", {}), std::nullopt);
  // The default needs a segment before the "<segment>.<number>." part.
  EXPECT_EQ(layer_index("layers.3.mlp", {}), std::nullopt);
  EXPECT_EQ(layer_index("x.layers.3.mlp", {}), 3);
  // With layers_pattern: "<pattern>.<number>." at the start or after a dot.
  EXPECT_EQ(layer_index("transformer.h.5.attn.c_attn", {"h"}), 5);
  EXPECT_EQ(layer_index("blocks.2.mlp.fc1", {"blocks"}), 2);
  EXPECT_EQ(layer_index("transformer.h.5.attn", {"blocks"}), std::nullopt);
  EXPECT_EQ(layer_index("a.blocks.4.b", {"h", "blocks"}), 4);
}

TEST(Inject, LayersToTransform) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"query", "dense"});
  o.layers_to_transform = {1};
  // head.dense has no layer index: not adapted (and "dense" still matches layer 1's ffn).
  EXPECT_EQ(inject(*model, o),
            (Names{"encoder.layer.1.attention.query", "encoder.layer.1.ffn.dense"}));
  model = make_model();
  o.layers_pattern = {"layer"};
  o.layers_to_transform = {0};
  EXPECT_EQ(inject(*model, o),
            (Names{"encoder.layer.0.attention.query", "encoder.layer.0.ffn.dense"}));
  model = make_model();
  o.layers_pattern = {"blocks"};
  EXPECT_FFTUNE_ERROR(inject(*model, o), "with layers_to_transform [0]");
  // An exact full name skips the layer filter, as in peft.
  model = make_model();
  o.layers_pattern = {};
  o.target_modules = ModulePatterns::list({"encoder.layer.1.attention.key", "query"});
  EXPECT_EQ(inject(*model, o),
            (Names{"encoder.layer.0.attention.query", "encoder.layer.1.attention.key"}));
  // peft's own argument rules.
  o.target_modules = ModulePatterns::full_match(".*query");
  EXPECT_FFTUNE_ERROR(inject(*model, o), "cannot be used when target_modules is a regex");
  o.target_modules = ModulePatterns::list({"query"});
  o.layers_to_transform = {};
  o.layers_pattern = {"layer"};
  EXPECT_FFTUNE_ERROR(inject(*model, o), "layers_pattern is given but layers_to_transform");
}

TEST(Inject, FreezesTheBaseAndTrainsAdaptersAndModulesToSave) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"dense"});
  o.modules_to_save = {"head"};
  // head.dense lies inside a module to save: excluded from the targets, as in peft.
  EXPECT_EQ(inject(*model, o), (Names{"encoder.layer.0.ffn.dense", "encoder.layer.1.ffn.dense"}));
  int64_t trainable = 0;
  for (const auto& [name, p] : model->named_parameters()) {
    const bool adapter = name.find(".adapter.") != std::string::npos;
    const bool saved = name.rfind("head.", 0) == 0;
    EXPECT_EQ(p.requires_grad(), adapter || saved) << name;
    trainable += p.requires_grad() ? p.numel() : 0;
  }
  EXPECT_EQ(trainable, 2 * 4 + (8 * 8 + 8) + (2 * 8 + 2));
  EXPECT_EQ(model->num_parameters(true), trainable);
  EXPECT_NE(linear(*model, "encoder.layer.0.ffn.dense").adapter(), nullptr);
  EXPECT_EQ(linear(*model, "head.dense").adapter(), nullptr);
}

TEST(Inject, ModulesToSaveMatchByPlainSuffix) {
  auto model = make_model();
  const auto saved = modules_to_save(*model, {"ead", "key"});
  std::vector<std::string> names;
  for (const auto& [name, m] : saved) names.push_back(name);
  EXPECT_EQ(names,
            (Names{"encoder.layer.0.attention.key", "encoder.layer.1.attention.key", "head"}));
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"query"});
  o.modules_to_save = {"classifier"};
  EXPECT_FFTUNE_ERROR(inject(*model, o), "modules_to_save entry 'classifier' matches no module");
  // Task heads peft adds on its own may be missing, as long as one of them exists.
  o.modules_to_save = {"classifier", "head"};
  o.optional_modules_to_save = {"classifier", "head"};
  EXPECT_EQ(inject(*model, o).size(), 2u);
  model = make_model();
  o.modules_to_save = {"classifier", "score"};
  o.optional_modules_to_save = {"classifier", "score"};
  EXPECT_FFTUNE_ERROR(inject(*model, o), "none of the task-head modules");
}

TEST(Inject, AMatchThatIsNotALinearIsAnError) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"query", "embeddings"});
  EXPECT_FFTUNE_ERROR(inject(*model, o),
                      "'embeddings' matches target_modules but is not an nn::Linear");
}

TEST(Inject, AnErrorLeavesTheModelUntouched) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"query", "nothing"});
  EXPECT_FFTUNE_ERROR(inject(*model, o), "'nothing'");
  EXPECT_EQ(linear(*model, "encoder.layer.0.attention.query").adapter(), nullptr);
  for (const auto& [name, p] : model->named_parameters()) EXPECT_TRUE(p.requires_grad()) << name;
  // A second injection into an adapted layer is refused.
  o.target_modules = ModulePatterns::list({"query"});
  inject(*model, o);
  EXPECT_FFTUNE_ERROR(inject(*model, o), "already has a 'fourierft' adapter");
}

TEST(Inject, NFrequencyPatternFollowsPeft) {
  // peft: the first key k (in order) with re.match(r".*\." + k + "$", name), else the exact name.
  const std::vector<std::pair<std::string, int64_t>> pattern = {
      {R"(layer\.1\..*value)", 30}, {"value", 20}, {"head.out", 7}, {"out", 9}};
  EXPECT_EQ(n_frequency_for(pattern, "encoder.layer.1.attention.value", 100), 30);
  EXPECT_EQ(n_frequency_for(pattern, "encoder.layer.0.attention.value", 100), 20);
  EXPECT_EQ(n_frequency_for(pattern, "encoder.layer.0.attention.query", 100), 100);
  // "head.out" has no dot before it: the regex keys "head.out" and "out" — "out" matches first
  // by regex (".*\.out$"), so the exact-name key does not win.
  EXPECT_EQ(n_frequency_for(pattern, "head.out", 100), 9);
  EXPECT_EQ(n_frequency_for({{"value", 20}}, "value", 100), 20);  // exact-name fallback
  EXPECT_EQ(n_frequency_for({{"alue", 20}}, "x.value", 100), 100);

  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"value", "dense"});
  fourierft::FourierFTOptions base;
  base.n_frequency = 5;
  base.init_weights = true;
  inject_fourierft(*model, o, base, {{R"(1\.attention\.value)", 3}, {"dense", 11}});
  auto n_of = [&](const std::string& name) {
    auto* a = dynamic_cast<fourierft::FourierFTLinear*>(linear(*model, name).adapter().get());
    return a->spectrum().numel();
  };
  EXPECT_EQ(n_of("encoder.layer.0.attention.value"), 5);
  EXPECT_EQ(n_of("encoder.layer.1.attention.value"), 3);
  EXPECT_EQ(n_of("encoder.layer.0.ffn.dense"), 11);
  EXPECT_EQ(n_of("head.dense"), 11);
}

// Note [row spectrum sharing]: the adapted layers of one parent module hold one share, layers
// of different parents different ones.
TEST(Inject, FourierFTLayersOfOneParentShareTheRowSpectrum) {
  auto model = make_model();
  InjectOptions o;
  o.target_modules = ModulePatterns::list({"query", "value", "dense"});
  fourierft::FourierFTOptions base;
  base.n_frequency = 4;
  inject_fourierft(*model, o, base);
  auto share_of = [&](const std::string& name) {
    auto* a = dynamic_cast<fourierft::FourierFTLinear*>(linear(*model, name).adapter().get());
    return a->row_spectrum_share().get();
  };
  const auto* layer0 = share_of("encoder.layer.0.attention.query");
  ASSERT_NE(layer0, nullptr);
  EXPECT_EQ(share_of("encoder.layer.0.attention.value"), layer0);
  EXPECT_NE(share_of("encoder.layer.1.attention.query"), layer0);
  EXPECT_EQ(share_of("encoder.layer.1.attention.value"),
            share_of("encoder.layer.1.attention.query"));
  EXPECT_NE(share_of("encoder.layer.0.ffn.dense"), layer0);
  EXPECT_NE(share_of("head.dense"), share_of("encoder.layer.0.ffn.dense"));
}

TEST(Inject, LoraPatternFollowsPeftGetPatternKey) {
  // peft: the first key k with re.match(r"(.*\.)?(" + k + ")$", name), else the exact name.
  const std::vector<std::pair<std::string, double>> pattern = {{"attention.value", 2}, {"q.*y", 3}};
  EXPECT_EQ(lora_pattern_value(pattern, "encoder.layer.0.attention.value", 8), 2);
  EXPECT_EQ(lora_pattern_value(pattern, "attention.value", 8), 2);  // no dot needed before
  EXPECT_EQ(lora_pattern_value(pattern, "encoder.layer.0.attention.query", 8), 3);
  EXPECT_EQ(lora_pattern_value(pattern, "encoder.layer.0.attention.xvalue", 8), 8);
}

}  // namespace
}  // namespace fftune::adapters
