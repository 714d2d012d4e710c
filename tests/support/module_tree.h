// ModuleTree: a model skeleton for tests, built from dotted paths, so that a test can have
// "roberta.encoder.layer.3.attention.self.query" without a full model.
//
//   ModuleTree model;
//   model.add_linear("roberta.encoder.layer.0.attention.self.query", 768, 768);
//   model.add_parameter("roberta.embeddings.LayerNorm.weight", ones({768}));
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "core/tensor/factory.h"
#include "nn/linear.h"

namespace fftune::testing {

class ModuleTree : public nn::Module {
 public:
  // A Linear(in, out) at `path`, creating the intermediate modules.
  std::shared_ptr<nn::Linear> add_linear(const std::string& path, int64_t in, int64_t out,
                                         bool bias = true, Generator* gen = nullptr,
                                         DType dtype = DType::f32) {
    const auto [parent, name] = parent_of(path);
    return parent->register_module(name, std::make_shared<nn::Linear>(in, out, bias, gen, dtype));
  }
  // A plain parameter at `path` (a LayerNorm weight, an embedding table).
  Tensor add_parameter(const std::string& path, Tensor value) {
    const auto [parent, name] = parent_of(path);
    return parent->register_parameter(name, std::move(value));
  }

 private:
  // The ModuleTree holding the last component of `path` (created on the way) and that name.
  std::pair<ModuleTree*, std::string> parent_of(const std::string& path) {
    ModuleTree* node = this;
    size_t begin = 0;
    for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', begin)) {
      node = node->child(path.substr(begin, dot - begin));
      begin = dot + 1;
    }
    return {node, path.substr(begin)};
  }
  ModuleTree* child(const std::string& name) {
    for (const auto& [n, m] : named_children())
      if (n == name) {
        auto* tree = dynamic_cast<ModuleTree*>(m.get());
        FFTUNE_CHECK(tree != nullptr, "ModuleTree: '", name, "' is a layer, not a container");
        return tree;
      }
    return register_module(name, std::make_shared<ModuleTree>()).get();
  }
};

}  // namespace fftune::testing
