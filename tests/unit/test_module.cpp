// nn/module.h: registration, dotted names in registration order, tied weights, freezing,
// parameter counts, train/eval propagation, zero_grad, and naming errors.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"
#include "tests/support/test_support.h"

namespace fftune::nn {
namespace {

// A stand-in for a layer: weight (out, in) and an optional bias.
class Dense : public Module {
 public:
  Dense(int64_t in, int64_t out, bool bias = true) {
    weight = register_parameter("weight", zeros({out, in}));
    if (bias) this->bias = register_parameter("bias", zeros({out}));
  }
  Tensor weight, bias;
};

class Attention : public Module {
 public:
  Attention() {
    query = register_module("query", std::make_shared<Dense>(4, 4));
    key = register_module("key", std::make_shared<Dense>(4, 4, /*bias=*/false));
    value = register_module("value", std::make_shared<Dense>(4, 4));
  }
  std::shared_ptr<Dense> query, key, value;
};

class Layer : public Module {
 public:
  Layer() {
    attention = register_module("attention", std::make_shared<Attention>());
    scale = register_parameter("scale", ones({4}));
  }
  std::shared_ptr<Attention> attention;
  Tensor scale;
};

class Encoder : public Module {
 public:
  explicit Encoder(int layers) {
    auto list = std::make_shared<Layers>();
    for (int i = 0; i < layers; ++i) list->add(std::to_string(i));
    layer = register_module("layer", list);
  }
  // Children named "0", "1", … as torch.nn.ModuleList names them.
  class Layers : public Module {
   public:
    void add(const std::string& name) { register_module(name, std::make_shared<Layer>()); }
  };
  std::shared_ptr<Layers> layer;
};

class Model : public Module {
 public:
  Model() {
    embedding = register_parameter("embedding", zeros({10, 4}));
    encoder = register_module("encoder", std::make_shared<Encoder>(2));
    head = register_module("head", std::make_shared<Dense>(4, 3));
  }
  Tensor embedding;
  std::shared_ptr<Encoder> encoder;
  std::shared_ptr<Dense> head;
};

std::vector<std::string> names_of(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}

TEST(Module, NamesAreDottedPathsInRegistrationOrder) {
  Model m;
  const std::vector<std::string> expected = {
      "embedding",
      "encoder.layer.0.scale",
      "encoder.layer.0.attention.query.weight",
      "encoder.layer.0.attention.query.bias",
      "encoder.layer.0.attention.key.weight",
      "encoder.layer.0.attention.value.weight",
      "encoder.layer.0.attention.value.bias",
      "encoder.layer.1.scale",
      "encoder.layer.1.attention.query.weight",
      "encoder.layer.1.attention.query.bias",
      "encoder.layer.1.attention.key.weight",
      "encoder.layer.1.attention.value.weight",
      "encoder.layer.1.attention.value.bias",
      "head.weight",
      "head.bias",
  };
  EXPECT_EQ(names_of(m.named_parameters()), expected);
  EXPECT_EQ(names_of(m.named_parameters(/*recurse=*/false)), std::vector<std::string>{"embedding"});
  EXPECT_EQ(names_of(m.head->named_parameters()), (std::vector<std::string>{"weight", "bias"}));
  // The named tensors are the modules' own handles, not copies.
  EXPECT_TRUE(m.named_parameters()[0].second.is_same(m.embedding));
  EXPECT_TRUE(m.named_parameters().back().second.is_same(m.head->bias));
  EXPECT_EQ(m.parameters().size(), expected.size());
  // Every registered parameter requires grad.
  for (const Tensor& p : m.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, NamedModulesAndChildren) {
  Model m;
  std::vector<std::string> paths;
  for (const auto& [path, mod] : m.named_modules()) paths.push_back(path);
  ASSERT_EQ(paths.size(), 14u);  // root, encoder, layer, 2 × (i, attention, q, k, v), head
  EXPECT_EQ(paths[0], "");
  EXPECT_EQ(paths[1], "encoder");
  EXPECT_EQ(paths[2], "encoder.layer");
  EXPECT_EQ(paths[3], "encoder.layer.0");
  EXPECT_EQ(paths[4], "encoder.layer.0.attention");
  EXPECT_EQ(paths[5], "encoder.layer.0.attention.query");
  EXPECT_EQ(paths.back(), "head");
  ASSERT_EQ(m.named_children().size(), 2u);
  EXPECT_EQ(m.named_children()[0].first, "encoder");
  EXPECT_EQ(m.named_children()[1].first, "head");
  EXPECT_EQ(m.named_children()[1].second.get(), m.head.get());
}

TEST(Module, CountsAndFreezing) {
  Model m;
  // embedding 40 + 2 layers × (scale 4 + q 20 + k 16 + v 20) + head 15
  const int64_t total = 40 + 2 * (4 + 20 + 16 + 20) + 15;
  EXPECT_EQ(m.num_parameters(), total);
  EXPECT_EQ(m.num_parameters(/*trainable_only=*/true), total);

  m.set_requires_grad(false);  // freeze everything, then unfreeze the head (PEFT-style)
  m.head->set_requires_grad(true);
  EXPECT_EQ(m.num_parameters(true), 15);
  EXPECT_EQ(m.num_parameters(false), total);
  const std::vector<Tensor> trainable = m.parameters(/*trainable_only=*/true);
  ASSERT_EQ(trainable.size(), 2u);
  EXPECT_TRUE(trainable[0].is_same(m.head->weight));
  EXPECT_TRUE(trainable[1].is_same(m.head->bias));
  EXPECT_FALSE(m.embedding.requires_grad());
  EXPECT_FALSE(m.encoder->layer->named_parameters()[0].second.requires_grad());

  // One parameter by name.
  for (auto& [name, p] : m.named_parameters())
    if (name == "encoder.layer.1.attention.query.bias") p.set_requires_grad(true);
  EXPECT_EQ(m.num_parameters(true), 15 + 4);
}

TEST(Module, TiedWeightsAreListedAndCountedOnce) {
  class Tied : public Module {
   public:
    Tied() {
      Tensor w = zeros({3, 2});
      register_parameter("a", w);
      register_module("child", std::make_shared<Dense>(2, 3, false));
      // The child's weight is also this module's "b": one tensor under two names.
      register_parameter("b", named_children()[0].second->named_parameters()[0].second);
    }
  };
  Tied t;
  EXPECT_EQ(names_of(t.named_parameters()), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.num_parameters(), 12);
}

TEST(Module, TrainAndEvalReachEveryDescendant) {
  Model m;
  for (auto& [path, mod] : m.named_modules()) EXPECT_TRUE(mod->is_training()) << path;
  m.eval();
  for (auto& [path, mod] : m.named_modules()) EXPECT_FALSE(mod->is_training()) << path;
  m.encoder->train();
  EXPECT_FALSE(m.is_training());
  EXPECT_FALSE(m.head->is_training());
  EXPECT_TRUE(m.encoder->layer->is_training());
  EXPECT_TRUE(
      m.encoder->layer->named_children()[1].second->named_children()[0].second->is_training());
  m.train();
  for (auto& [path, mod] : m.named_modules()) EXPECT_TRUE(mod->is_training()) << path;
}

TEST(Module, ZeroGradDropsEveryGradient) {
  Model m;
  for (Tensor& p : m.parameters()) p.set_grad(ones_like(p));
  m.head->zero_grad();
  EXPECT_FALSE(m.head->weight.grad().defined());
  EXPECT_TRUE(m.embedding.grad().defined());
  m.zero_grad();
  for (const Tensor& p : m.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, GradientsFlowIntoRegisteredParameters) {
  Dense d(3, 2);
  Tensor x = ones({3});
  Tensor y = sum(mul(d.weight, x)) + sum(d.bias);
  y.backward();
  EXPECT_EQ(to_vector<float>(d.named_parameters()[0].second.grad()), std::vector<float>(6, 1.0f));
  EXPECT_EQ(to_vector<float>(d.named_parameters()[1].second.grad()), std::vector<float>(2, 1.0f));
}

class Registrar : public Module {
 public:
  using Module::register_module;
  using Module::register_parameter;
};

TEST(Module, RejectsBadNamesAndTensors) {
  Registrar r;
  r.register_parameter("w", zeros({2}));
  r.register_module("child", std::make_shared<Registrar>());
  EXPECT_FFTUNE_ERROR(r.register_parameter("w", zeros({2})), "'w' is already taken by a parameter");
  EXPECT_FFTUNE_ERROR(r.register_parameter("child", zeros({2})),
                      "'child' is already taken by a child module");
  EXPECT_FFTUNE_ERROR(r.register_module("w", std::make_shared<Registrar>()),
                      "'w' is already taken by a parameter");
  EXPECT_FFTUNE_ERROR(r.register_module("child", std::make_shared<Registrar>()),
                      "'child' is already taken by a child module");
  EXPECT_FFTUNE_ERROR(r.register_parameter("", zeros({2})), "name must not be empty");
  EXPECT_FFTUNE_ERROR(r.register_parameter("a.b", zeros({2})), "must not contain '.'");
  EXPECT_FFTUNE_ERROR(r.register_module("a.b", std::make_shared<Registrar>()),
                      "must not contain '.'");
  EXPECT_FFTUNE_ERROR(r.register_module("null", std::shared_ptr<Registrar>()), "is null");
  EXPECT_FFTUNE_ERROR(r.register_parameter("u", Tensor()), "undefined tensor");
  EXPECT_FFTUNE_ERROR(r.register_parameter("i", zeros({2}, DType::i64)),
                      "must be a floating or complex tensor");
  Tensor leaf = zeros({2}).set_requires_grad(true);
  EXPECT_FFTUNE_ERROR(r.register_parameter("op_output", mul(leaf, 2.0)), "must be a leaf");
  // Nothing was registered by the failed calls.
  EXPECT_EQ(names_of(r.named_parameters()), std::vector<std::string>{"w"});
  // A frozen registration.
  EXPECT_FALSE(r.register_parameter("frozen", zeros({3}), /*requires_grad=*/false).requires_grad());
  EXPECT_EQ(r.num_parameters(true), 2);
}

}  // namespace
}  // namespace fftune::nn

namespace fftune::nn {
namespace {

// A module with a persistent buffer, a non-persistent one, and a child.
class WithBuffers : public Module {
 public:
  WithBuffers() {
    weight = register_parameter("weight", from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3}));
    position_ids = register_buffer("position_ids", arange(0, 4, 1, DType::i64));
    scratch = register_buffer("scratch", zeros({5}), /*persistent=*/false);
    child = register_module("child", std::make_shared<Dense>(3, 2));
  }
  Tensor weight, position_ids, scratch;
  std::shared_ptr<Dense> child;
};

std::vector<std::string> keys_of(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& [k, v] : named) out.push_back(k);
  return out;
}

std::map<std::string, Tensor> as_map(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::map<std::string, Tensor> out;
  for (const auto& [k, v] : named) out[k] = v.clone();
  return out;
}

TEST(ModuleState, BuffersAreStateButNotParameters) {
  WithBuffers m;
  EXPECT_EQ(keys_of(m.named_parameters()),
            (std::vector<std::string>{"weight", "child.weight", "child.bias"}));
  EXPECT_EQ(keys_of(m.named_buffers()), (std::vector<std::string>{"position_ids", "scratch"}));
  EXPECT_EQ(keys_of(m.named_buffers(true)), (std::vector<std::string>{"position_ids"}));
  EXPECT_EQ(keys_of(m.state_dict()),
            (std::vector<std::string>{"weight", "position_ids", "child.weight", "child.bias"}));
  EXPECT_FALSE(m.position_ids.requires_grad());
  EXPECT_EQ(m.num_parameters(), 6 + 6 + 2);
}

TEST(ModuleState, StateDictRoundTripIncludingBuffers) {
  WithBuffers a, b;
  {
    NoGradGuard no_grad;
    a.child->weight.fill_(0.5);
    a.position_ids.copy_(from_vector<int64_t>({3, 2, 1, 0}, {4}));
  }
  const LoadReport report = b.load_state_dict(as_map(a.state_dict()));
  EXPECT_EQ(report.loaded.size(), 4u);
  EXPECT_TRUE(report.missing.empty() && report.unexpected.empty() && report.mismatched.empty());
  for (const auto& [name, t] : a.state_dict()) {
    auto other = as_map(b.state_dict());
    EXPECT_ALL_CLOSE(other.at(name).to(DType::f64), t.to(DType::f64), 0.0, 0.0) << name;
  }
  EXPECT_TRUE(b.weight.requires_grad());  // flags are kept
  EXPECT_EQ(to_vector<int64_t>(b.position_ids), (std::vector<int64_t>{3, 2, 1, 0}));
}

TEST(ModuleState, StrictErrorListsEveryBadKeyAndWritesNothing) {
  WithBuffers m;
  auto state = as_map(m.state_dict());
  state.erase("child.bias");
  state["child.gamma"] = zeros({2});
  state["weight"] = zeros({3, 2});
  state["position_ids"] = zeros({4});  // f32 instead of i64
  state["child.weight"] = full({2, 3}, 9.0);
  try {
    m.load_state_dict(state);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const char* needle : {"missing: child.bias", "unexpected: child.gamma",
                               "weight: expected f32 (2, 3), got f32 (3, 2)",
                               "position_ids: expected i64 (4,), got f32 (4,)"})
      EXPECT_NE(msg.find(needle), std::string::npos) << needle << " not in: " << msg;
  }
  EXPECT_EQ(to_vector<float>(m.child->weight), std::vector<float>(6, 0.0f));  // unchanged
}

TEST(ModuleState, NonStrictLoadsWhatItCanAndReports) {
  WithBuffers m;
  auto state = as_map(m.state_dict());
  state.erase("child.bias");
  state["lm_head.bias"] = zeros({7});
  state["child.weight"] = full({2, 3}, 2.0, DType::f64);  // converted to f32
  const LoadReport report = m.load_state_dict(state, /*strict=*/false);
  EXPECT_EQ(report.missing, std::vector<std::string>{"child.bias"});
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"lm_head.bias"});
  ASSERT_EQ(report.converted.size(), 1u);
  EXPECT_NE(report.converted[0].find("child.weight"), std::string::npos);
  EXPECT_EQ(report.loaded.size(), 3u);
  EXPECT_EQ(to_vector<float>(m.child->weight), std::vector<float>(6, 2.0f));
  EXPECT_NE(report.to_string().find("missing: child.bias"), std::string::npos);
  // A shape mismatch is an error even when not strict.
  state["weight"] = zeros({6});
  EXPECT_FFTUNE_ERROR(m.load_state_dict(state, false), "weight: expected f32 (2, 3)");
}

TEST(ModuleState, TiedWeightsAppearUnderEveryName) {
  class Tied : public Module {
   public:
    Tied() {
      table = register_parameter("table", zeros({4, 2}));
      head = register_module("head", std::make_shared<Dense>(2, 4, false));
    }
    Tensor table;
    std::shared_ptr<Dense> head;
  };
  Tied m;
  EXPECT_EQ(keys_of(m.state_dict()), (std::vector<std::string>{"table", "head.weight"}));
}

TEST(ModuleState, FreezeByPattern) {
  Model m;
  m.set_requires_grad(false);
  EXPECT_EQ(m.set_requires_grad({"query", "head"}, true), 2 * 2 + 2);
  std::vector<std::string> trainable;
  for (const auto& [n, p] : m.named_parameters())
    if (p.requires_grad()) trainable.push_back(n);
  EXPECT_EQ(trainable,
            (std::vector<std::string>{
                "encoder.layer.0.attention.query.weight", "encoder.layer.0.attention.query.bias",
                "encoder.layer.1.attention.query.weight", "encoder.layer.1.attention.query.bias",
                "head.weight", "head.bias"}));
  EXPECT_EQ(m.set_requires_grad({"re:layer\\.1\\..*bias$"}, false), 2);
  std::map<std::string, bool> flag;
  for (const auto& [n, p] : m.named_parameters()) flag[n] = p.requires_grad();
  EXPECT_FALSE(flag.at("encoder.layer.1.attention.query.bias"));
  EXPECT_TRUE(flag.at("encoder.layer.1.attention.query.weight"));
  EXPECT_TRUE(flag.at("encoder.layer.0.attention.query.bias"));
  EXPECT_FFTUNE_ERROR(m.set_requires_grad({"quer"}, true), "pattern 'quer' matches no parameter");
}

TEST(ModuleState, NamePatterns) {
  const std::string name = "encoder.layer.0.attention.self.query.weight";
  EXPECT_TRUE(name_matches(name, "query"));
  EXPECT_TRUE(name_matches(name, "self.query"));
  EXPECT_TRUE(name_matches(name, "query.weight"));
  EXPECT_TRUE(name_matches(name, name));
  EXPECT_FALSE(name_matches(name, "quer"));
  EXPECT_FALSE(name_matches(name, "ery.weight"));
  EXPECT_FALSE(name_matches(name, ""));
  EXPECT_TRUE(name_matches(name, "re:layer\\.[0-9]+\\.attention"));
  EXPECT_FALSE(name_matches(name, "re:^layer"));
}

TEST(ModuleState, ToConvertsInPlaceKeepingHandles) {
  WithBuffers m;
  Tensor handle = m.weight;
  m.weight.set_grad(ones({2, 3}));
  m.to(DType::f64);
  EXPECT_EQ(handle.dtype(), DType::f64);  // the same tensor, converted
  EXPECT_EQ(m.named_parameters()[0].second.dtype(), DType::f64);
  EXPECT_EQ(m.weight.grad().dtype(), DType::f64);
  EXPECT_EQ(m.position_ids.dtype(), DType::i64);  // integer buffers keep their dtype
  EXPECT_EQ(m.scratch.dtype(), DType::f64);
  EXPECT_EQ(to_vector<double>(handle), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  m.to(Device::cpu());  // already there: nothing changes
  EXPECT_EQ(handle.dtype(), DType::f64);
  EXPECT_FFTUNE_ERROR(m.to(DType::i64), "floating dtype");
}

TEST(ModuleState, BufferRegistrationErrors) {
  class Bad : public Module {
   public:
    void add(const std::string& n, Tensor t) { register_buffer(n, t); }
  };
  Bad m;
  m.add("x", zeros({1}));
  EXPECT_FFTUNE_ERROR(m.add("x", zeros({1})), "already taken by a buffer");
  EXPECT_FFTUNE_ERROR(m.add("y", zeros({1}).set_requires_grad(true)), "requires grad");
}

}  // namespace
}  // namespace fftune::nn
