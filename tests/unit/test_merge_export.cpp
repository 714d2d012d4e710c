// adapters/merge_export.cpp: a safetensors round trip of a model with LoRA and FourierFT
// adapters — each adapted weight saved as W0 + ΔW, no adapter keys, the other parameters as they
// are, the live model unchanged — plus merged layers, name maps and errors.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "adapters/lora_linear.h"
#include "adapters/merge_export.h"
#include "core/io/safetensors.h"
#include "fourierft/fourierft_linear.h"
#include "nn/module_tree.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::adapters {
namespace {

namespace fs = std::filesystem;
using nn::ModuleTree;

// A two-layer encoder skeleton: q gets FourierFT, v LoRA, k and the output projection none.
class MergeExport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();

    Generator gen(7);
    model_.add_parameter("embeddings.word_embeddings.weight",
                         randn({20, 16}, DType::f32, Device::cpu(), &gen));
    for (int i = 0; i < 2; ++i) {
      const std::string block = "encoder.layer." + std::to_string(i) + ".attention.";
      q_.push_back(model_.add_linear(block + "self.query", 16, 16, true, &gen));
      model_.add_linear(block + "self.key", 16, 16, true, &gen);
      v_.push_back(model_.add_linear(block + "self.value", 16, 16, true, &gen));
      model_.add_linear(block + "output.dense", 16, 16, true, &gen);
      model_.add_parameter(block + "output.LayerNorm.weight", ones({16}));
    }
    model_.set_requires_grad(false);
    fourierft::FourierFTOptions fourierft;
    fourierft.n_frequency = 30;
    fourierft.scaling = 20.0;
    LoRAOptions lora;
    lora.r = 2;
    lora.init_lora_weights = false;  // ΔW ≠ 0
    for (auto& q : q_)
      q->attach_adapter(std::make_shared<fourierft::FourierFTLinear>(16, 16, fourierft, &gen));
    for (auto& v : v_) v->attach_adapter(std::make_shared<LoRALinear>(16, 16, lora, &gen));
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  testing::TempDir tmp_{"fftune_merge_export"};  // removed with the fixture
  fs::path dir_;
  ModuleTree model_;
  std::vector<std::shared_ptr<nn::Linear>> q_, v_;
};

Tensor merged(const nn::Linear& layer) {
  NoGradGuard no_grad;
  return add(layer.weight(), layer.adapter()->delta_weight());
}

TEST_F(MergeExport, RoundTrip) {
  std::vector<std::pair<std::string, Tensor>> before;
  for (const auto& [name, p] : model_.named_parameters()) before.emplace_back(name, p.clone());
  const Tensor x = randn({3, 16});
  const Tensor q_out = q_[0]->forward(x);

  save_merged(model_, path("model.safetensors"));
  const io::SafetensorsFile file = io::load_safetensors(path("model.safetensors"));
  EXPECT_EQ(file.metadata.at("format"), "pt");

  // Exactly the base checkpoint's keys: every non-adapter parameter, no ".adapter." ones.
  std::vector<std::string> expected_keys;
  for (const auto& [name, p] : model_.named_parameters())
    if (name.find(".adapter.") == std::string::npos) expected_keys.push_back(name);
  ASSERT_EQ(expected_keys.size(), 1u + 2 * (4 * 2 + 1));
  std::vector<std::string> keys;
  for (const auto& [name, t] : file.tensors) keys.push_back(name);
  std::sort(expected_keys.begin(), expected_keys.end());
  EXPECT_EQ(keys, expected_keys);

  // Adapted weights are W0 + ΔW (and differ from W0), the rest as they were.
  for (int i = 0; i < 2; ++i) {
    const std::string block = "encoder.layer." + std::to_string(i) + ".attention.self.";
    EXPECT_ALL_CLOSE(file.tensors.at(block + "query.weight"), merged(*q_[i]), 0, 0);
    EXPECT_ALL_CLOSE(file.tensors.at(block + "value.weight"), merged(*v_[i]), 0, 0);
    EXPECT_FALSE(
        testing::all_close(file.tensors.at(block + "value.weight"), v_[i]->weight(), 1e-3, 1e-3));
    EXPECT_FALSE(
        testing::all_close(file.tensors.at(block + "query.weight"), q_[i]->weight(), 1e-3, 1e-3));
  }
  for (const auto& [name, value] : before) {
    const bool adapted = name.ends_with("query.weight") || name.ends_with("value.weight");
    if (name.find(".adapter.") == std::string::npos && !adapted) {
      EXPECT_ALL_CLOSE(file.tensors.at(name), value, 0, 0) << name;
    }
  }
  // A layer loaded with the merged weight and no adapter computes what the adapted layer did.
  const std::string q0 = "encoder.layer.0.attention.self.query.";
  EXPECT_ALL_CLOSE(linear(x, file.tensors.at(q0 + "weight"), file.tensors.at(q0 + "bias")), q_out,
                   1e-5, 1e-5);

  // The live model is unchanged: same parameters, same values, adapters unmerged.
  const auto after = model_.named_parameters();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].first, before[i].first);
    EXPECT_ALL_CLOSE(after[i].second, before[i].second, 0, 0) << after[i].first;
  }
  EXPECT_FALSE(q_[0]->merged());
  EXPECT_ALL_CLOSE(q_[0]->forward(x), q_out, 0, 0);
}

TEST_F(MergeExport, MergedLayersAreSavedAsTheyAre) {
  const Tensor expected = merged(*v_[1]);
  v_[1]->merge_adapter();  // W0 already holds ΔW: it must not be added twice
  save_merged(model_, path("model.safetensors"));
  const auto file = io::load_safetensors(path("model.safetensors"));
  EXPECT_ALL_CLOSE(file.tensors.at("encoder.layer.1.attention.self.value.weight"), expected, 1e-6,
                   1e-6);
  EXPECT_ALL_CLOSE(file.tensors.at("encoder.layer.0.attention.self.value.weight"), merged(*v_[0]),
                   0, 0);
}

TEST_F(MergeExport, NameMap) {
  // The checkpoint's own names ("roberta." prefix), leaving the embeddings out.
  save_merged(model_, path("model.safetensors"), [](const std::string& name) -> std::string {
    return name.starts_with("embeddings.") ? "" : "roberta." + name;
  });
  const auto file = io::load_safetensors(path("model.safetensors"));
  EXPECT_EQ(file.tensors.size(), 2u * (4 * 2 + 1));
  EXPECT_EQ(file.tensors.count("roberta.embeddings.word_embeddings.weight"), 0u);
  EXPECT_ALL_CLOSE(file.tensors.at("roberta.encoder.layer.1.attention.self.query.weight"),
                   merged(*q_[1]), 0, 0);
  for (const auto& [name, t] : file.tensors) EXPECT_TRUE(name.starts_with("roberta.")) << name;

  EXPECT_FFTUNE_ERROR(save_merged(model_, path("bad.safetensors"),
                                  [](const std::string& name) {
                                    return name.ends_with(".bias") ? std::string("bias") : name;
                                  }),
                      "two parameters are saved as 'bias'");
  EXPECT_FALSE(fs::exists(path("bad.safetensors")));
}

}  // namespace
}  // namespace fftune::adapters
