// ViT (nn/models/vit.h): shapes and HF names, the CLS token and position embeddings, patch order,
// config.json and preprocessor_config.json parsing, errors, initialisation, adapters on
// attention.attention.query/value training alone with the head, and the in21k-layout load.
#include <filesystem>
#include <fstream>
#include <set>

#include "adapters/lora_linear.h"
#include "core/autograd/grad_mode.h"
#include "core/io/safetensors.h"
#include "fourierft/fourierft_linear.h"
#include "nn/adamw.h"
#include "nn/models/vit.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// hidden 12, 3 heads, 2 layers, 12×12 images of 2 channels in 4×4 patches (9 patches).
ViTConfig tiny_config(Generator* gen = nullptr) {
  ViTConfig c;
  c.hidden_size = 12;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 3;
  c.intermediate_size = 20;
  c.image_size = 12;
  c.patch_size = 4;
  c.num_channels = 2;
  c.num_labels = 5;
  c.gen = gen;
  return c;
}

Tensor pixels(int64_t batch, const ViTConfig& c, uint64_t seed = 1) {
  return testing::random_tensor({batch, c.num_channels, c.image_size, c.image_size}, DType::f32,
                                seed, false);
}

std::vector<std::string> names_of(const Module& m, bool trainable_only = false) {
  std::vector<std::string> names;
  for (const auto& [name, p] : m.named_parameters())
    if (!trainable_only || p.requires_grad()) names.push_back(name);
  return names;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(ViT, ShapesAndOutputs) {
  Generator gen(3);
  const ViTConfig c = tiny_config(&gen);
  ViTModel model(c);
  const ViTModelOutput out = model.forward(pixels(2, c));
  EXPECT_EQ(out.last_hidden_state.shape(), (Shape{2, 10, 12}));
  EXPECT_EQ(out.pooler_output.shape(), (Shape{2, 12}));
  // The pooler is tanh(dense(CLS of the final layernorm's output)).
  const Tensor cls = out.last_hidden_state.select(1, 0);
  EXPECT_ALL_CLOSE(out.pooler_output, tanh(model.pooler_dense()->forward(cls)), 1e-6, 1e-7);

  ViTModel no_pooler(c, false);
  EXPECT_FALSE(no_pooler.forward(pixels(2, c)).pooler_output.defined());

  ViTForImageClassification classifier(c);
  EXPECT_EQ(classifier.forward(pixels(3, c)).shape(), (Shape{3, 5}));
}

TEST(ViT, HuggingFaceNames) {
  const ViTConfig c = tiny_config();
  const std::vector<std::string> base = names_of(ViTModel(c));
  for (const char* name :
       {"embeddings.cls_token", "embeddings.position_embeddings",
        "embeddings.patch_embeddings.projection.weight",
        "embeddings.patch_embeddings.projection.bias",
        "encoder.layer.0.attention.attention.query.weight",
        "encoder.layer.1.attention.attention.value.bias",
        "encoder.layer.1.attention.output.dense.weight",
        "encoder.layer.0.intermediate.dense.weight", "encoder.layer.0.output.dense.bias",
        "encoder.layer.1.layernorm_before.weight", "encoder.layer.1.layernorm_after.bias",
        "layernorm.weight", "pooler.dense.weight"}) {
    EXPECT_TRUE(has(base, name)) << name;
  }
  EXPECT_EQ(base.size(), 4u + 2 * 16u + 2u + 2u);

  const std::vector<std::string> cls = names_of(ViTForImageClassification(c));
  EXPECT_TRUE(has(cls, "vit.embeddings.cls_token"));
  EXPECT_TRUE(has(cls, "vit.encoder.layer.1.attention.attention.key.weight"));
  EXPECT_TRUE(has(cls, "classifier.weight"));
  EXPECT_FALSE(has(cls, "vit.pooler.dense.weight"));
  EXPECT_EQ(cls.size(), base.size());  // the pooler's two traded for the classifier's two
  ViTModel m(c);
  EXPECT_EQ(m.embeddings()->cls_token().shape(), (Shape{1, 1, 12}));
  EXPECT_EQ(m.embeddings()->position_embeddings().shape(), (Shape{1, 10, 12}));
  EXPECT_EQ(m.embeddings()->projection()->weight().shape(), (Shape{12, 2, 4, 4}));
}

// Row 0 of the embeddings is cls_token + position 0; row 1 + p is patch p (row-major over the
// grid) + position 1 + p.
TEST(ViT, ClsTokenPositionsAndPatchOrder) {
  ViTConfig c = tiny_config();
  c.num_channels = 1;
  c.hidden_size = 16;
  c.num_attention_heads = 4;
  c.hidden_dropout_prob = 0.5;  // eval: no effect
  ViTEmbeddings emb(c);
  emb.eval();
  {
    NoGradGuard no_grad;
    // Output channel k = 4·i + j reads pixel (i, j) of the patch: the embedding of a patch is its
    // pixels in row-major order.
    Tensor w = zeros({16, 1, 4, 4});
    for (int64_t k = 0; k < 16; ++k)
      w.select(0, k).select(0, 0).select(0, k / 4).select(0, k % 4).fill_(1.0);
    Tensor weight = emb.projection()->weight(), bias = emb.projection()->bias();
    weight.copy_(w);
    bias.fill_(0.0);
    Tensor cls = emb.cls_token(), pos = emb.position_embeddings();
    cls.copy_(arange(0, 16, 1, DType::f32).view({1, 1, 16}));
    pos.copy_(mul(arange(0, 160, 1, DType::f32).view({1, 10, 16}), 100.0));
  }
  const Tensor x = arange(0, 144, 1, DType::f32).view({1, 1, 12, 12});  // pixel value = index
  const Tensor h = emb.forward(x);
  ASSERT_EQ(h.shape(), (Shape{1, 10, 16}));
  const Tensor pos = emb.position_embeddings().detach();
  EXPECT_ALL_CLOSE(h.select(1, 0), add(emb.cls_token().detach().select(1, 0), pos.select(1, 0)),
                   0.0, 0.0);
  for (int64_t p = 0; p < 9; ++p) {
    const int64_t py = p / 3, px = p % 3;
    std::vector<float> patch;
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 4; ++j)
        patch.push_back(static_cast<float>((4 * py + i) * 12 + 4 * px + j));
    EXPECT_ALL_CLOSE(h.select(1, 1 + p), add(from_vector(patch, {1, 16}), pos.select(1, 1 + p)),
                     0.0, 0.0)
        << "patch " << p;
  }
}

TEST(ViT, GradientsReachEveryParameter) {
  Generator gen(4);
  ViTForImageClassification model(tiny_config(&gen));
  sum(model.forward(pixels(2, model.config()))).backward();
  for (const auto& [name, p] : model.named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_GT(to_vector<float>(sum(abs(p.grad())))[0], 0.0f) << name;
  }
}

TEST(ViT, DropoutOnlyInTraining) {
  Generator gen(5);
  ViTConfig c = tiny_config(&gen);
  c.hidden_dropout_prob = 0.3;
  c.attention_probs_dropout_prob = 0.3;
  ViTForImageClassification model(c);
  const Tensor x = pixels(2, c);
  model.eval();
  const Tensor a = model.forward(x), b = model.forward(x);
  EXPECT_ALL_CLOSE(a, b, 0.0, 0.0);
  model.train();
  EXPECT_FALSE(testing::all_close(model.forward(x), a, 1e-3, 1e-3));
}

TEST(ViT, Initialisation) {
  Generator gen(6);
  ViTConfig c = tiny_config(&gen);
  c.hidden_size = 96;
  c.num_attention_heads = 4;
  c.intermediate_size = 200;
  ViTModel model(c);
  for (const auto& [name, p] : model.named_parameters()) {
    const std::vector<float> v = to_vector<float>(p.detach().contiguous().flatten());
    double sum = 0, sq = 0;
    for (float f : v) sum += f, sq += double(f) * f;
    const double mean = sum / v.size(), rms = std::sqrt(sq / v.size());
    if (name.find("layernorm") != std::string::npos && name.ends_with("weight")) {
      EXPECT_EQ(mean, 1.0) << name;
      EXPECT_EQ(rms, 1.0) << name;
    } else if (name.ends_with("bias")) {
      EXPECT_EQ(rms, 0.0) << name;
    } else {  // every weight, cls_token, position_embeddings ~ N(0, 0.02²)
      EXPECT_NEAR(rms, 0.02, 0.02 * 0.25) << name;
    }
  }
}

TEST(ViT, InputErrors) {
  const ViTConfig c = tiny_config();
  ViTForImageClassification model(c);
  EXPECT_FFTUNE_ERROR(model.forward(zeros({2, 2, 16, 16})), "doesn't match model (12*12)");
  EXPECT_FFTUNE_ERROR(model.forward(zeros({2, 3, 12, 12})), "num_channels = 2");
  EXPECT_FFTUNE_ERROR(model.forward(zeros({2, 12, 12})), "pixel_values must be (B, 2, 12, 12)");
  // f64 pixels are cast to the weights' dtype, as transformers does.
  EXPECT_EQ(model.forward(zeros({1, 2, 12, 12}, DType::f64)).dtype(), DType::f32);
}

json in21k_config() {  // google/vit-base-patch16-224-in21k's config.json
  return json::parse(R"({
    "architectures": ["ViTModel"], "attention_probs_dropout_prob": 0.0, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.0, "hidden_size": 768, "image_size": 224,
    "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-12,
    "model_type": "vit", "num_attention_heads": 12, "num_channels": 3, "num_hidden_layers": 12,
    "patch_size": 16, "qkv_bias": true, "transformers_version": "4.13.0.dev0"})");
}

TEST(ViTConfig, FromJson) {
  const ViTConfig c = ViTConfig::from_json(in21k_config());
  EXPECT_EQ(c.hidden_size, 768);
  EXPECT_EQ(c.num_patches(), 196);
  EXPECT_EQ(c.num_labels, 2);  // no id2label: transformers' default
  EXPECT_EQ(c.pooler_size(), 768);
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-12);

  json j = in21k_config();
  j["image_size"] = {384, 384};
  j["id2label"] = {{"0", "a"}, {"1", "b"}, {"2", "c"}};
  const ViTConfig d = ViTConfig::from_json(j);
  EXPECT_EQ(d.image_size, 384);
  EXPECT_EQ(d.num_labels, 3);
  // to_json reads back to the same config.
  EXPECT_EQ(ViTConfig::from_json(d.to_json("ViTForImageClassification")).to_json("x"),
            d.to_json("x"));
}

TEST(ViTConfig, Errors) {
  auto with = [](const std::string& key, const json& value) {
    json j = in21k_config();
    if (value.is_null())
      j.erase(key);
    else
      j[key] = value;
    return j;
  };
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(with("model_type", "deit")),
                      "unsupported model_type 'deit'");
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(with("hidden_act", "swish")), "'hidden_act'");
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(with("hidden_size", nullptr)), "hidden_size");
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(with("patch_size", 15)), "multiple of patch_size");
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(with("num_attention_heads", 7)),
                      "not a multiple of num_attention_heads");
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(with("image_size", json::array({224, 192}))),
                      "non-square");
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(with("qkv_bias", "yes")), "'qkv_bias'");
  ViTConfig c = tiny_config();
  c.num_labels = 0;
  EXPECT_FFTUNE_ERROR(ViTForImageClassification{c}, "num_labels must be positive");
}

TEST(ViTImageProcessorConfig, FromJson) {
  const auto old = ViTImageProcessorConfig::from_json(json::parse(
      R"({"do_normalize": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5],
          "image_std": [0.5, 0.5, 0.5], "resample": 2, "size": 224})"));
  EXPECT_EQ(old.height, 224);
  EXPECT_EQ(old.width, 224);
  const auto modern = ViTImageProcessorConfig::from_json(json::parse(
      R"({"image_mean": 0.4, "image_std": [0.2, 0.3, 0.25], "size": {"height": 384,
          "width": 320}, "rescale_factor": 0.5, "do_rescale": false})"));
  EXPECT_EQ(modern.height, 384);
  EXPECT_EQ(modern.width, 320);
  EXPECT_EQ(modern.image_mean, (std::vector<double>{0.4, 0.4, 0.4}));
  EXPECT_FALSE(modern.do_rescale);
  EXPECT_DOUBLE_EQ(modern.rescale_factor, 0.5);
  EXPECT_FFTUNE_ERROR(ViTImageProcessorConfig::from_json(json::parse(R"({"size": "big"})")),
                      "'size'");
  EXPECT_FFTUNE_ERROR(
      ViTImageProcessorConfig::from_json(json::parse(R"({"image_std": [0.5, 0.0, 0.5]})")), "zero");
  EXPECT_FFTUNE_ERROR(ViTImageProcessorConfig::from_json(json::parse(R"({"size": 4294967296})")),
                      "size must be in [1, 16384] a side");
  // No file: the defaults at the model's size.
  const auto none = ViTImageProcessorConfig::from_pretrained(
      (fs::temp_directory_path() / "fftune_vit_no_such_dir").string(), tiny_config());
  EXPECT_EQ(none.height, 12);
  EXPECT_EQ(none.image_std, (std::vector<double>{0.5, 0.5}));
}

// Attaches an adapter made by `make(out, in)` to every Linear whose name matches query or value
// (Note [name patterns]); returns the adapted names.
template <typename Make>
std::vector<std::string> attach_to_query_value(Module& model, Make make) {
  std::vector<std::string> adapted;
  for (const auto& [name, m] : model.named_modules()) {
    auto* linear = dynamic_cast<Linear*>(m);
    if (!linear || !(name_matches(name, "query") || name_matches(name, "value"))) continue;
    linear->attach_adapter(make(linear->out_features(), linear->in_features()));
    adapted.push_back(name);
  }
  return adapted;
}

// FourierFT / LoRA on attention.attention.query and .value: only they and the classifier train;
// one AdamW step changes exactly those tensors.
void check_adapters_train_alone(const std::string& method) {
  Generator gen(7);
  ViTForImageClassification model(tiny_config(&gen));
  model.set_requires_grad(false);
  const std::vector<std::string> adapted =
      attach_to_query_value(model, [&](int64_t out, int64_t in) {
        std::shared_ptr<LinearAdapter> a;
        if (method == "fourierft") {
          fourierft::FourierFTOptions options;
          options.n_frequency = 40;
          options.scaling = 10.0;
          a = std::make_shared<fourierft::FourierFTLinear>(out, in, options, &gen);
        } else {
          adapters::LoRAOptions options;
          options.r = 4;
          options.init_lora_weights = false;  // B random too, so that A gets a gradient
          a = std::make_shared<adapters::LoRALinear>(out, in, options, &gen);
        }
        return a;
      });
  EXPECT_EQ(adapted, (std::vector<std::string>{"vit.encoder.layer.0.attention.attention.query",
                                               "vit.encoder.layer.0.attention.attention.value",
                                               "vit.encoder.layer.1.attention.attention.query",
                                               "vit.encoder.layer.1.attention.attention.value"}));
  model.set_requires_grad({"classifier"}, true);

  std::set<std::string> expected{"classifier.weight", "classifier.bias"};
  for (const std::string& layer : adapted) {
    if (method == "fourierft") {
      expected.insert(layer + ".adapter.fourierft_spectrum");
    } else {
      expected.insert(layer + ".adapter.lora_A");
      expected.insert(layer + ".adapter.lora_B");
    }
  }
  const std::vector<std::string> trainable = names_of(model, true);
  EXPECT_EQ(std::set<std::string>(trainable.begin(), trainable.end()), expected);

  std::map<std::string, Tensor> before;
  for (const auto& [name, p] : model.named_parameters()) before[name] = p.detach().clone();
  AdamW optimizer(model.parameters(true), AdamWOptions{.lr = 1e-2});
  const Tensor x = pixels(2, model.config());
  cross_entropy(model.forward(x), from_vector<int64_t>({1, 3}, {2})).backward();
  for (const auto& [name, p] : model.named_parameters()) {
    EXPECT_EQ(p.grad().defined(), expected.count(name) == 1) << name;
  }
  optimizer.step();
  for (const auto& [name, p] : model.named_parameters()) {
    const bool changed = !testing::all_close(p.detach(), before.at(name), 0.0, 0.0);
    EXPECT_EQ(changed, expected.count(name) == 1) << name;
  }
}

TEST(ViTAdapters, FourierFTOnQueryValueTrainsAloneWithTheHead) {
  check_adapters_train_alone("fourierft");
}
TEST(ViTAdapters, LoRAOnQueryValueTrainsAloneWithTheHead) {
  check_adapters_train_alone("lora");
}

// transformers 5.24's in-memory names (as tools/gen_vit_fixtures.py records them from
// named_modules()), for the task model and the bare one; names without a rename stay.
TEST(ViT, TransformersModuleRenames) {
  const hf::ModuleRenames renames = ViTForImageClassification::transformers_module_renames();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"vit.encoder.layer.0.attention.attention.query", "vit.layers.0.attention.q_proj"},
      {"vit.encoder.layer.1.attention.attention.key.weight",
       "vit.layers.1.attention.k_proj.weight"},
      {"vit.encoder.layer.11.attention.attention.value", "vit.layers.11.attention.v_proj"},
      {"vit.encoder.layer.0.attention.output.dense", "vit.layers.0.attention.o_proj"},
      {"vit.encoder.layer.0.intermediate.dense", "vit.layers.0.mlp.fc1"},
      {"vit.encoder.layer.0.output.dense.bias", "vit.layers.0.mlp.fc2.bias"},
      {"vit.encoder.layer.0.layernorm_before", "vit.layers.0.layernorm_before"},
      {"encoder.layer.2.attention.attention.query", "layers.2.attention.q_proj"},
      {"vit.embeddings.patch_embeddings.projection", "vit.embeddings.patch_embeddings.projection"},
      {"classifier", "classifier"},
      {"", ""}};
  for (const auto& [checkpoint, in_memory] : cases)
    EXPECT_EQ(hf::in_memory_name(checkpoint, renames), in_memory) << checkpoint;
  // Whole components only.
  EXPECT_EQ(hf::in_memory_name("my_intermediate.dense", renames), "my_intermediate.dense");
  EXPECT_EQ(hf::in_memory_name("x.output.denser", renames), "x.output.denser");
}

// Activation checkpointing (nn/activation_checkpoint.h) on a frozen 3-layer ViT with FourierFT on
// query/value, in training mode with dropout: the loss and every gradient are bit for bit those
// of the plain forward, and the generator ends where the plain step leaves it.
TEST(ViTActivationCheckpointing, GradientsEqualThePlainForwardBitForBit) {
  Generator gen(8);
  ViTConfig c = tiny_config(&gen);
  c.num_hidden_layers = 3;
  c.hidden_dropout_prob = 0.1;
  c.attention_probs_dropout_prob = 0.1;
  ViTForImageClassification model(c);
  model.set_requires_grad(false);
  attach_to_query_value(model, [&](int64_t out, int64_t in) {
    fourierft::FourierFTOptions options;
    options.n_frequency = 30;
    options.scaling = 10.0;
    return std::make_shared<fourierft::FourierFTLinear>(out, in, options, &gen);
  });
  model.set_requires_grad({"classifier"}, true);
  model.train();
  const Tensor x = pixels(2, c);
  const Tensor labels = from_vector<int64_t>({1, 3}, {2});

  std::map<std::string, Tensor> grads[2];
  Tensor losses[2];
  uint64_t streams[2];
  for (const bool checkpointed : {false, true}) {
    model.zero_grad();
    model.set_activation_checkpointing(checkpointed);
    gen.manual_seed(99);
    losses[checkpointed] = cross_entropy(model.forward(x), labels);
    losses[checkpointed].backward();
    streams[checkpointed] = gen.stream_position();
    for (const auto& [name, p] : model.named_parameters())
      if (p.grad().defined()) grads[checkpointed][name] = p.grad();
  }
  EXPECT_ALL_CLOSE(losses[1], losses[0], 0.0, 0.0);
  EXPECT_EQ(streams[1], streams[0]);
  ASSERT_EQ(grads[0].size(), 3u * 2 + 2);  // a spectrum per query/value layer, the classifier
  ASSERT_EQ(grads[1].size(), grads[0].size());
  for (const auto& [name, g] : grads[0]) {
    ASSERT_TRUE(grads[1].count(name)) << name;
    EXPECT_ALL_CLOSE(grads[1].at(name), g, 0.0, 0.0) << name;
  }
}

// A bare ViTModel with pooler saved (the in21k layout) and loaded into a classifier: the summary
// says "vit." was added, the pooler ignored, the classifier fresh; saved back, the classifier
// writes the fine-tuned layout.
TEST(ViTCheckpoint, In21kLayoutSummary) {
  const fs::path dir = fs::temp_directory_path() / "fftune_vit_in21k_layout";
  const fs::path out = fs::temp_directory_path() / "fftune_vit_in21k_layout_out";
  fs::remove_all(dir);
  fs::remove_all(out);
  Generator gen(8);
  const ViTConfig c = tiny_config(&gen);
  ViTModel base(c);
  hf::save_pretrained(base, dir.string(), c.to_json("ViTModel"), ViTModel::checkpoint_layout());
  const auto saved = io::load_safetensors((dir / "model.safetensors").string()).tensors;
  EXPECT_TRUE(saved.count("embeddings.cls_token"));
  EXPECT_TRUE(saved.count("pooler.dense.weight"));

  ViTForImageClassification model(c);
  std::ostringstream log;
  const hf::LoadSummary s = hf::load_pretrained(
      model, dir.string(), ViTForImageClassification::checkpoint_layout(), &log);
  EXPECT_EQ(s.fresh, (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  ASSERT_EQ(s.ignored.size(), 2u);
  EXPECT_EQ(s.ignored[0].first.find("pooler.dense."), 0u);
  EXPECT_EQ(s.loaded.size(), saved.size() - 2);
  EXPECT_NE(s.to_string().find("classifier.weight"), std::string::npos) << s.to_string();
  EXPECT_NE(log.str().find(s.to_string()), std::string::npos) << log.str();
  model.eval();
  base.eval();
  const Tensor x = pixels(2, c);
  EXPECT_ALL_CLOSE(model.vit()->forward(x).last_hidden_state, base.forward(x).last_hidden_state,
                   0.0, 0.0);

  hf::save_pretrained(model, out.string(), c.to_json("ViTForImageClassification"),
                      ViTForImageClassification::checkpoint_layout());
  const auto written = io::load_safetensors((out / "model.safetensors").string()).tensors;
  EXPECT_TRUE(written.count("vit.embeddings.cls_token"));
  EXPECT_TRUE(written.count("classifier.weight"));
  EXPECT_FALSE(written.count("vit.pooler.dense.weight"));
  fs::remove_all(dir);
  fs::remove_all(out);
}

TEST(ViTCheckpoint, ShapeDisagreeingWithConfigNamesTheKey) {
  const fs::path dir = fs::temp_directory_path() / "fftune_vit_bad_shape";
  fs::remove_all(dir);
  const ViTConfig c = tiny_config();
  ViTModel base(c);
  hf::save_pretrained(base, dir.string(), c.to_json("ViTModel"), ViTModel::checkpoint_layout());
  ViTConfig other = c;
  other.patch_size = 6;  // 4 patches: position_embeddings (1, 5, 12), a (12, 2, 6, 6) kernel
  ViTModel model(other);
  EXPECT_FFTUNE_ERROR(hf::load_pretrained(model, dir.string(), ViTModel::checkpoint_layout()),
                      "embeddings.position_embeddings");
  fs::remove_all(dir);
}

TEST(ViTConfig, SizesOutsideTheirRangeAreRefused) {
  // tests/fixtures/hostile/cfg_vit_patches.json: image_size 2^32, patch_size 1 overflowed the
  // patch count (2^64).
  std::ifstream in(testing::fixture_path("hostile/cfg_vit_patches.json"));
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(json::parse(in)),
                      "'image_size' must be in [1, 16384], got 4294967296");
  json j = in21k_config();
  j["image_size"] = 512;
  j["patch_size"] = 1;  // 512^2 patches
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(j), "262144 patches");
  j = in21k_config();
  j["hidden_size"] = json(uint64_t{1} << 63);
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(j), "'hidden_size' is too large for a 64-bit integer");
  j = in21k_config();
  j["num_hidden_layers"] = 100000;
  EXPECT_FFTUNE_ERROR(ViTConfig::from_json(j), "'num_hidden_layers' must be in [0, 1024]");
}

}  // namespace
}  // namespace fftune::nn
