// adapters/param_report.cpp: DESIGN.md §3's counts (RoBERTa-base q,v; ViT-B q,v), target
// matching, rectangular layers, the rows measured from attached adapters, the Markdown table,
// and errors.
#include <gtest/gtest.h>

#include "adapters/lora_linear.h"
#include "adapters/param_report.h"
#include "fourierft/fourierft_linear.h"
#include "nn/module_tree.h"
#include "tests/support/test_support.h"

namespace fftune::adapters {
namespace {

using nn::ModuleTree;

const MethodCost& row(const ParamReport& report, const std::string& method,
                      const std::string& setting = "") {
  for (const MethodCost& r : report.rows)
    if (r.method == method && r.setting == setting) return r;
  ADD_FAILURE() << "no row '" << method << "' '" << setting << "'";
  return report.rows.front();
}

TEST(ParamReport, RobertaBaseQueryValue) {
  // 12 layers of RoBERTa-base self-attention, query/key/value 768×768, without the rest.
  ModuleTree model;
  Generator gen(1);
  for (int i = 0; i < 12; ++i)
    for (const char* name : {"query", "key", "value"})
      model.add_linear("roberta.encoder.layer." + std::to_string(i) + ".attention.self." + name,
                       768, 768, true, &gen);
  ParamReportSettings settings;
  settings.fourierft_n = {200, 1000};
  settings.lora_r = {4, 8};
  const ParamReport report = param_report(model, {"query", "value"}, settings);
  ASSERT_EQ(report.targets.size(), 24u);
  EXPECT_EQ(report.targets[0], "roberta.encoder.layer.0.attention.self.query");
  EXPECT_EQ(report.targets[1], "roberta.encoder.layer.0.attention.self.value");
  EXPECT_EQ(report.base_params, 36 * (768 * 768 + 768));
  ASSERT_EQ(report.rows.size(), 5u);
  // DESIGN.md §3 and the paper's Table 1 (RoBERTa Base: 4.8K / 24K vs 147K / 295K).
  EXPECT_EQ(row(report, "FourierFT", "n = 1000").trainable_params, 24'000);
  EXPECT_EQ(row(report, "FourierFT", "n = 1000").storage_bytes, 96'000);
  EXPECT_EQ(row(report, "FourierFT", "n = 200").trainable_params, 4'800);
  EXPECT_EQ(row(report, "LoRA", "r = 8").trainable_params, 294'912);
  EXPECT_EQ(row(report, "LoRA", "r = 8").storage_bytes, 294'912 * 4);
  EXPECT_EQ(row(report, "LoRA", "r = 4").trainable_params, 147'456);
  EXPECT_EQ(row(report, "full fine-tuning").trainable_params, report.base_params);
  EXPECT_EQ(row(report, "full fine-tuning").storage_bytes, 4 * report.base_params);
  // Full paths select too; "self.query" matches as a dotted suffix, "uery" does not.
  EXPECT_EQ(param_report(model, {"roberta.encoder.layer.3.attention.self.query"}).targets.size(),
            1u);
  EXPECT_EQ(param_report(model, {"self.query"}).targets.size(), 12u);
  EXPECT_FFTUNE_ERROR(param_report(model, {"uery"}), "target 'uery' matches no Linear layer");
}

TEST(ParamReport, VitBaseDtd) {
  // The paper's ViT-B run on DTD: n = 3000 on q,v of 12 layers.
  ModuleTree model;
  Generator gen(2);
  for (int i = 0; i < 12; ++i)
    for (const char* name : {"query", "value"})
      model.add_linear("vit.encoder.layer." + std::to_string(i) + ".attention.attention." + name,
                       768, 768, true, &gen);
  ParamReportSettings settings;
  settings.fourierft_n = {3000};
  settings.lora_r = {16};
  const ParamReport report = param_report(model, {"query", "value"}, settings);
  EXPECT_EQ(row(report, "FourierFT", "n = 3000").trainable_params, 72'000);
  EXPECT_EQ(row(report, "FourierFT", "n = 3000").storage_bytes, 288'000);
  EXPECT_EQ(row(report, "LoRA", "r = 16").trainable_params, 24 * 16 * (768 + 768));
}

TEST(ParamReport, RectangularLayersAndTiedWeights) {
  ModuleTree model;
  model.add_linear("mlp.up", 10, 40);    // weight (40, 10)
  model.add_linear("mlp.down", 40, 10);  // weight (10, 40)
  model.add_parameter("norm.weight", ones({10}));
  ParamReportSettings settings;
  settings.fourierft_n = {400};
  settings.lora_r = {3};
  const ParamReport report = param_report(model, {"up", "down"}, settings);
  EXPECT_EQ(row(report, "FourierFT", "n = 400").trainable_params, 800);
  EXPECT_EQ(row(report, "LoRA", "r = 3").trainable_params, 2 * 3 * (10 + 40));
  EXPECT_EQ(report.base_params, 2 * 400 + 40 + 10 + 10);
  settings.fourierft_n = {401};
  EXPECT_FFTUNE_ERROR(param_report(model, {"up"}, settings),
                      "n = 401 exceeds the 40 x 10 spectrum of 'mlp.up'");
}

TEST(ParamReport, AttachedAdaptersAreMeasured) {
  ModuleTree model;
  Generator gen(3);
  std::vector<std::shared_ptr<nn::Linear>> layers;
  for (int i = 0; i < 3; ++i) {
    const std::string block = "encoder.layer." + std::to_string(i) + ".attention.";
    layers.push_back(model.add_linear(block + "query", 32, 32, true, &gen));
    layers.push_back(model.add_linear(block + "value", 32, 32, true, &gen));
    model.add_linear(block + "key", 32, 32, true, &gen);
  }
  const int64_t base = model.num_parameters();
  model.set_requires_grad(false);
  fourierft::FourierFTOptions fourierft;
  fourierft.n_frequency = 50;
  LoRAOptions lora;
  lora.r = 4;
  // q gets FourierFT, v LoRA: both measured rows appear.
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i % 2 == 0)
      layers[i]->attach_adapter(
          std::make_shared<fourierft::FourierFTLinear>(32, 32, fourierft, &gen));
    else
      layers[i]->attach_adapter(std::make_shared<LoRALinear>(32, 32, lora, &gen));
  }
  ParamReportSettings settings;
  settings.fourierft_n = {50};
  settings.lora_r = {4};
  const ParamReport report = param_report(model, settings);
  EXPECT_EQ(report.targets.size(), 6u);
  EXPECT_EQ(report.base_params, base);  // adapters excluded
  const MethodCost& f = row(report, "fourierft", "n = 50");
  EXPECT_TRUE(f.attached);
  EXPECT_EQ(f.trainable_params, 3 * 50);
  EXPECT_EQ(f.storage_bytes, 3 * 50 * 4);
  const MethodCost& l = row(report, "lora", "r = 4");
  EXPECT_EQ(l.trainable_params, 3 * 4 * 64);
  // The measured counts are what the optimizer sees, and agree with the formulas for 6 layers.
  EXPECT_EQ(f.trainable_params + l.trainable_params, model.num_parameters(/*trainable=*/true));
  EXPECT_EQ(row(report, "FourierFT", "n = 50").trainable_params, 2 * f.trainable_params);
  EXPECT_EQ(row(report, "LoRA", "r = 4").trainable_params, 2 * l.trainable_params);

  ModuleTree plain;
  plain.add_linear("fc", 4, 4);
  EXPECT_FFTUNE_ERROR(param_report(plain), "no adapters attached");
}

TEST(ParamReport, Markdown) {
  ModuleTree model;
  for (int i = 0; i < 12; ++i)
    for (const char* name : {"query", "value"})
      model.add_linear("layer." + std::to_string(i) + "." + name, 768, 768, false);
  const std::string table = to_markdown(param_report(model, {"query", "value"}));
  EXPECT_NE(table.find("24 target Linear layers; base model 14,155,776 parameters"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("| method | setting | trainable params | storage (bytes) | storage |"),
            std::string::npos);
  EXPECT_NE(table.find("| FourierFT | n = 1000 | 24,000 | 96,000 | 93.75 KB |"), std::string::npos)
      << table;
  EXPECT_NE(table.find("| LoRA | r = 8 | 294,912 | 1,179,648 | 1.12 MB |"), std::string::npos)
      << table;
  EXPECT_NE(table.find("| full fine-tuning |  | 14,155,776 | 56,623,104 | 54.00 MB |"),
            std::string::npos)
      << table;
}

}  // namespace
}  // namespace fftune::adapters
