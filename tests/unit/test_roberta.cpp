// RoBERTa (nn/models/roberta.h): position ids under padding, HF's names, the tied MLM decoder,
// the loss HF's problem_type picks, transformers' initialisation for training from scratch, and
// adapters on query/value training alone.
#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/inject.h"
#include "adapters/lora_linear.h"
#include "core/autograd/grad_mode.h"
#include "fourierft/fourierft_linear.h"
#include "nn/models/roberta.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

RobertaConfig tiny_config(int64_t num_labels = 3) {
  RobertaConfig c;
  c.vocab_size = 30;
  c.hidden_size = 12;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 3;
  c.intermediate_size = 20;
  c.max_position_embeddings = 16;
  c.num_labels = num_labels;
  c.hidden_dropout_prob = 0.0;
  c.attention_probs_dropout_prob = 0.0;
  return c;
}

Tensor ids_tensor(const std::vector<int64_t>& v, int64_t B, int64_t T) {
  return from_vector(v, {B, T});
}

TEST(Roberta, PositionIdsCountTokensAndGivePadsThePaddingIndex) {
  // pad = 1; right padding, left padding, and a pad in the middle.
  const Tensor ids = ids_tensor({0, 5, 6, 2, 1, 1,  //
                                 1, 1, 0, 7, 8, 2,  //
                                 0, 9, 1, 4, 2, 1},
                                3, 6);
  const std::vector<int64_t> want = {2, 3, 4, 5, 1, 1,  //
                                     1, 1, 2, 3, 4, 5,  //
                                     2, 3, 1, 4, 5, 1};
  EXPECT_EQ(to_vector<int64_t>(roberta_position_ids(ids, 1)), want);
  EXPECT_FFTUNE_ERROR(roberta_position_ids(ids.to(DType::f32), 1), "input_ids must be i64");
}

TEST(Roberta, LeftAndRightPaddingEmbedTokensAlike) {
  RobertaModel m(tiny_config(), false);
  m.eval();
  const Tensor right = ids_tensor({0, 5, 6, 2, 1, 1}, 1, 6);
  const Tensor left = ids_tensor({1, 1, 0, 5, 6, 2}, 1, 6);
  const Tensor right_mask = ids_tensor({1, 1, 1, 1, 0, 0}, 1, 6);
  const Tensor left_mask = ids_tensor({0, 0, 1, 1, 1, 1}, 1, 6);
  const Tensor a = m.forward(right, right_mask).last_hidden_state.narrow(1, 0, 4);
  const Tensor b = m.forward(left, left_mask).last_hidden_state.narrow(1, 2, 4);
  EXPECT_ALL_CLOSE(a, b, 1e-5, 1e-6);
}

TEST(Roberta, NamesAreHuggingFaces) {
  RobertaForSequenceClassification cls(tiny_config());
  std::set<std::string> names;
  for (const auto& [n, t] : cls.state_dict()) names.insert(n);
  for (const char* n :
       {"roberta.embeddings.word_embeddings.weight",
        "roberta.embeddings.position_embeddings.weight",
        "roberta.embeddings.token_type_embeddings.weight", "roberta.embeddings.LayerNorm.weight",
        "roberta.encoder.layer.0.attention.self.query.weight",
        "roberta.encoder.layer.1.attention.output.LayerNorm.bias",
        "roberta.encoder.layer.1.intermediate.dense.weight",
        "roberta.encoder.layer.1.output.dense.bias", "classifier.dense.weight",
        "classifier.out_proj.bias"})
    EXPECT_TRUE(names.count(n)) << n;
  EXPECT_EQ(names.size(), 5u + 2 * 16 + 4);  // embeddings, 16 per layer, the head
  RobertaModel base(tiny_config());
  EXPECT_EQ(base.state_dict().back().first, "pooler.dense.bias");
}

TEST(Roberta, TiedDecoderSharesStorageWithTheWordEmbeddings) {
  RobertaForMaskedLM m(tiny_config());
  const Tensor& emb = m.roberta()->embeddings()->word_embeddings()->weight();
  EXPECT_TRUE(m.lm_head()->decoder()->weight().is_same(emb));
  EXPECT_TRUE(m.lm_head()->decoder()->bias().is_same(m.lm_head()->bias()));
  // named_parameters lists the tensor once, state_dict under both names.
  int listed = 0;
  for (const auto& [n, p] : m.named_parameters()) listed += p.is_same(emb);
  EXPECT_EQ(listed, 1);
  int saved = 0;
  for (const auto& [n, t] : m.state_dict())
    saved += n == "lm_head.decoder.weight" || n == "roberta.embeddings.word_embeddings.weight";
  EXPECT_EQ(saved, 2);
  {
    NoGradGuard no_grad;
    emb.select(0, 4).fill_(0.5);
  }
  EXPECT_EQ(m.lm_head()->decoder()->weight().select(0, 4).select(0, 0).item(), 0.5);

  // The embedding table's gradient holds both uses: the lookup and the decoder.
  m.eval();
  const Tensor ids = ids_tensor({0, 5, 6, 2}, 1, 4);
  const Tensor labels = ids_tensor({-100, 5, -100, -100}, 1, 4);
  m.loss(m.forward(ids), labels).backward();
  const Tensor g = emb.grad();
  ASSERT_TRUE(g.defined());
  // Row 7 never appears in the input: its gradient comes only from the decoder.
  EXPECT_GT(max(abs(g.select(0, 7))).item(), 0.0);
}

TEST(Roberta, InitRobertaWeightsIsTransformers) {
  RobertaConfig c = tiny_config();
  c.vocab_size = 400;
  c.hidden_size = 48;
  c.num_attention_heads = 4;
  RobertaForMaskedLM m(c);
  Generator gen(5);
  init_roberta_weights(m, 0.02, &gen);
  const auto std_of = [](const Tensor& t) {
    const Tensor centred = sub(t, mean(t));
    return std::sqrt(mean(mul(centred, centred)).item());
  };
  const auto& embeddings = *m.roberta()->embeddings();
  const Tensor& word = embeddings.word_embeddings()->weight();
  EXPECT_NEAR(std_of(word), 0.02, 0.002);
  // The padding row (pad_token_id 1) starts at zero in both padded tables.
  EXPECT_EQ(max(abs(word.select(0, 1))).item(), 0.0);
  EXPECT_EQ(max(abs(embeddings.position_embeddings()->weight().select(0, 1))).item(), 0.0);
  for (const auto& [name, p] : m.named_parameters()) {
    if (name.ends_with("query.weight") || name.ends_with("intermediate.dense.weight")) {
      EXPECT_NEAR(std_of(p), 0.02, 0.003) << name;
    } else if (name.ends_with("LayerNorm.weight") || name.ends_with("layer_norm.weight")) {
      EXPECT_EQ(max(abs(sub(p, 1.0))).item(), 0.0) << name;
    } else if (name.ends_with(".bias")) {
      EXPECT_EQ(max(abs(p)).item(), 0.0) << name;
    }
  }
  EXPECT_EQ(max(abs(m.lm_head()->bias())).item(), 0.0);
}

TEST(Roberta, UntiedDecoderHasItsOwnWeight) {
  RobertaConfig c = tiny_config();
  c.tie_word_embeddings = false;
  RobertaForMaskedLM m(c);
  EXPECT_FALSE(m.lm_head()->decoder()->weight().is_same(
      m.roberta()->embeddings()->word_embeddings()->weight()));
}

TEST(Roberta, OneLabelIsRegressionWithMSE) {
  RobertaForSequenceClassification m(tiny_config(1));
  m.eval();
  const Tensor ids = ids_tensor({0, 5, 6, 2, 0, 7, 2, 1}, 2, 4);
  const Tensor mask = ids_tensor({1, 1, 1, 1, 1, 1, 1, 0}, 2, 4);
  const Tensor logits = m.forward(ids, mask);
  ASSERT_EQ(logits.shape(), Shape({2, 1}));
  const Tensor y = from_vector<float>({0.5f, 3.25f}, {2});
  const Tensor loss = m.loss(logits, y);
  const std::vector<float> l = to_vector<float>(logits.contiguous());
  const double want = ((l[0] - 0.5) * (l[0] - 0.5) + (l[1] - 3.25) * (l[1] - 3.25)) / 2;
  EXPECT_NEAR(loss.item(), want, 1e-5 * want);
  loss.backward();
  EXPECT_TRUE(m.classifier()->out_proj()->weight().grad().defined());
  EXPECT_FFTUNE_ERROR(m.loss(logits, from_vector<float>({1, 2, 3}, {3})),
                      "regression labels must hold one value per sequence");
}

TEST(Roberta, ProblemTypeFollowsTheLabelsAsTransformersDoes) {
  RobertaForSequenceClassification m(tiny_config(3));
  m.eval();
  const Tensor ids = ids_tensor({0, 5, 6, 2, 0, 7, 2, 1}, 2, 4);
  const Tensor logits = m.forward(ids);
  // Integer labels: cross-entropy.
  const Tensor classes = ids_tensor({2, 0}, 2, 1).reshape({2});
  EXPECT_ALL_CLOSE(m.loss(logits, classes), cross_entropy(logits, classes), 1e-6, 0.0);
  // Float labels: mean binary cross-entropy with logits, −[y·log σ(x) + (1−y)·log(1−σ(x))].
  const Tensor y = from_vector<float>({1, 0, 1, 0, 0, 1}, {2, 3});
  const Tensor s = sigmoid(logits);
  const Tensor bce =
      neg(mean(add(mul(y, log(s)), mul(sub(ones({2, 3}), y), log(neg(sub(s, 1.0)))))));
  EXPECT_ALL_CLOSE(m.loss(logits, y), bce, 1e-5, 1e-7);
}

// After injecting adapters on query and value (with the classifier as a module to save): only
// they and the classifier receive gradients, and every adapter is on a query or value layer.
void expect_only_adapters_and_head_train(RobertaForSequenceClassification& m,
                                         const std::vector<std::string>& adapted) {
  EXPECT_EQ(adapted, (std::vector<std::string>{"roberta.encoder.layer.0.attention.self.query",
                                               "roberta.encoder.layer.0.attention.self.value",
                                               "roberta.encoder.layer.1.attention.self.query",
                                               "roberta.encoder.layer.1.attention.self.value"}));
  m.eval();
  const Tensor ids = ids_tensor({0, 5, 6, 2, 0, 7, 2, 1}, 2, 4);
  const Tensor mask = ids_tensor({1, 1, 1, 1, 1, 1, 1, 0}, 2, 4);
  m.loss(m.forward(ids, mask), ids_tensor({1, 2}, 2, 1).reshape({2})).backward();
  int adapter_grads = 0;
  for (const auto& [name, p] : m.named_parameters()) {
    const bool adapter = name_matches(name, "adapter");
    const bool trains = adapter || name_matches(name, "classifier");
    EXPECT_EQ(p.requires_grad(), trains) << name;
    EXPECT_EQ(p.grad().defined(), trains) << name;
    if (adapter) {
      EXPECT_TRUE(name.find(".query.adapter.") != std::string::npos ||
                  name.find(".value.adapter.") != std::string::npos)
          << name;
      adapter_grads += max(abs(p.grad())).item() > 0;
    }
  }
  EXPECT_GT(adapter_grads, 0);
}

adapters::InjectOptions query_value() {
  adapters::InjectOptions options;
  options.target_modules = adapters::ModulePatterns::list({"query", "value"});
  options.modules_to_save = {"classifier"};
  return options;
}

TEST(Roberta, FourierFTOnQueryValueAloneTrains) {
  RobertaForSequenceClassification m(tiny_config());
  fourierft::FourierFTOptions options;
  options.n_frequency = 20;
  expect_only_adapters_and_head_train(m, adapters::inject_fourierft(m, query_value(), options));
}

TEST(Roberta, LoRAOnQueryValueAloneTrains) {
  RobertaForSequenceClassification m(tiny_config());
  adapters::LoRAOptions options;
  options.r = 4;
  options.init_lora_weights = false;  // B ≠ 0, so A's gradient is not zero
  const auto adapted =
      adapters::inject_adapters(m, query_value(), [&](const std::string&, const Linear& layer) {
        return std::make_shared<adapters::LoRALinear>(layer.out_features(), layer.in_features(),
                                                      options);
      });
  expect_only_adapters_and_head_train(m, adapted);
}

// Activation checkpointing (nn/activation_checkpoint.h) on RoBERTa with FourierFT on query/value,
// dropout on and a padded batch: the loss and every gradient are bit for bit those of the plain
// forward, and the generator ends where the plain step leaves it.
TEST(RobertaActivationCheckpointing, GradientsEqualThePlainForwardBitForBit) {
  Generator gen(12);
  RobertaConfig c = tiny_config();
  c.num_hidden_layers = 3;
  c.hidden_dropout_prob = 0.1;
  c.attention_probs_dropout_prob = 0.1;
  c.gen = &gen;
  RobertaForSequenceClassification m(c);
  fourierft::FourierFTOptions options;
  options.n_frequency = 20;
  options.scaling = 10.0;
  ASSERT_EQ(adapters::inject_fourierft(m, query_value(), options, {}, &gen).size(), 6u);
  m.train();
  const Tensor ids = ids_tensor({0, 5, 6, 8, 2, 0, 7, 2, 1, 1}, 2, 5);
  const Tensor mask = ids_tensor({1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5);
  const Tensor labels = ids_tensor({1, 2}, 2, 1).reshape({2});

  std::map<std::string, Tensor> grads[2];
  Tensor losses[2];
  uint64_t streams[2];
  for (const bool checkpointed : {false, true}) {
    m.zero_grad();
    m.set_activation_checkpointing(checkpointed);
    gen.manual_seed(99);
    losses[checkpointed] = m.loss(m.forward(ids, mask), labels);
    losses[checkpointed].backward();
    streams[checkpointed] = gen.stream_position();
    for (const auto& [name, p] : m.named_parameters())
      if (p.grad().defined()) grads[checkpointed][name] = p.grad();
  }
  EXPECT_ALL_CLOSE(losses[1], losses[0], 0.0, 0.0);
  EXPECT_EQ(streams[1], streams[0]);
  ASSERT_EQ(grads[0].size(), 3u * 2 + 4);  // a spectrum per query/value layer, the classifier
  ASSERT_EQ(grads[1].size(), grads[0].size());
  for (const auto& [name, g] : grads[0]) {
    ASSERT_TRUE(grads[1].count(name)) << name;
    EXPECT_ALL_CLOSE(grads[1].at(name), g, 0.0, 0.0) << name;
  }
}

TEST(RobertaConfig, EveryFieldIsReadWithATypedNamedCheck) {
  // tests/fixtures/hostile/cfg_is_decoder_string.json: "is_decoder": "no" escaped as a JSON
  // library exception (exit 134).
  std::ifstream in(testing::fixture_path("hostile/cfg_is_decoder_string.json"));
  const nlohmann::json hostile = nlohmann::json::parse(in);
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(hostile),
                      "config.json: 'is_decoder' must be true or false, got \"no\"");
  nlohmann::json j = hostile;
  j["is_decoder"] = false;
  EXPECT_EQ(RobertaConfig::from_json(j).hidden_size, 8);
  j["tie_word_embeddings"] = 1;
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(j), "'tie_word_embeddings' must be true or false");
  j.erase("tie_word_embeddings");
  j["vocab_size"] = int64_t{1} << 40;
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(j), "'vocab_size' must be in [1, 4194304]");
  j["vocab_size"] = 50;
  j["num_attention_heads"] = 0;
  EXPECT_FFTUNE_ERROR(RobertaConfig::from_json(j), "'num_attention_heads' must be in [1, 8]");
}

}  // namespace
}  // namespace fftune::nn
