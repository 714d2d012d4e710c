// A stand-in for a real model in the adapter-file tests and tools, until fftune's RoBERTa lands:
// a module tree with the checkpoint's dotted names, one nn::Linear per 2-D "<path>.weight"
// tensor (its "<path>.bias" too when present), intermediate levels as empty modules. Adapters
// injected into it get exactly the names they would get in the full model.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/safetensors.h"
#include "nn/linear.h"

namespace fftune::testing {

// A module whose children are added from outside.
class ModuleTree : public nn::Module {
 public:
  nn::Module* child(const std::string& name) const {
    for (const auto& [n, m] : named_children())
      if (n == name) return m.get();
    return nullptr;
  }
  template <typename M>
  std::shared_ptr<M> add(const std::string& name, std::shared_ptr<M> module) {
    return register_module(name, std::move(module));
  }
};

inline std::shared_ptr<ModuleTree> linear_tree(const std::map<std::string, Tensor>& tensors) {
  auto root = std::make_shared<ModuleTree>();
  const std::string kWeight = ".weight";
  for (const auto& [key, weight] : tensors) {
    if (weight.dim() != 2 || key.size() <= kWeight.size() ||
        key.compare(key.size() - kWeight.size(), kWeight.size(), kWeight) != 0)
      continue;
    const std::string path = key.substr(0, key.size() - kWeight.size());
    ModuleTree* parent = root.get();
    size_t begin = 0;
    for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', begin)) {
      const std::string name = path.substr(begin, dot - begin);
      nn::Module* next = parent->child(name);
      if (next == nullptr) next = parent->add(name, std::make_shared<ModuleTree>()).get();
      parent = dynamic_cast<ModuleTree*>(next);
      FFTUNE_CHECK(parent != nullptr, "linear_tree: '", name, "' in '", path,
                   "' is a Linear layer and a parent module at once");
      begin = dot + 1;
    }
    auto it = tensors.find(path + ".bias");
    const bool has_bias = it != tensors.end();
    auto linear = std::make_shared<nn::Linear>(weight.size(1), weight.size(0), has_bias);
    {
      NoGradGuard no_grad;
      Tensor w = linear->weight();
      w.copy_(weight);
      if (has_bias) {
        Tensor b = linear->bias();
        b.copy_(it->second);
      }
    }
    parent->add(path.substr(begin), linear);
  }
  return root;
}

inline std::shared_ptr<ModuleTree> linear_tree(const std::string& checkpoint_path) {
  return linear_tree(io::load_safetensors(checkpoint_path).tensors);
}

}  // namespace fftune::testing
