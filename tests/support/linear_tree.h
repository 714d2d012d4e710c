// A stand-in for a real model in the adapter-file tests and tools, until fftune's RoBERTa lands:
// a ModuleTree (tests/support/module_tree.h) with a checkpoint's dotted names, one nn::Linear per
// 2-D "<path>.weight" tensor (with "<path>.bias" when present), loaded with the checkpoint's
// values. Adapters injected into it get exactly the names they would get in the full model.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/autograd/grad_mode.h"
#include "core/io/safetensors.h"
#include "tests/support/module_tree.h"

namespace fftune::testing {

inline std::shared_ptr<ModuleTree> linear_tree(const std::map<std::string, Tensor>& tensors) {
  auto root = std::make_shared<ModuleTree>();
  const std::string kWeight = ".weight";
  for (const auto& [key, weight] : tensors) {
    if (weight.dim() != 2 || !key.ends_with(kWeight)) continue;
    const std::string path = key.substr(0, key.size() - kWeight.size());
    const auto bias = tensors.find(path + ".bias");
    const bool has_bias = bias != tensors.end();
    auto linear = root->add_linear(path, weight.size(1), weight.size(0), has_bias);
    NoGradGuard no_grad;
    Tensor w = linear->weight();
    w.copy_(weight);
    if (has_bias) {
      Tensor b = linear->bias();
      b.copy_(bias->second);
    }
  }
  return root;
}

inline std::shared_ptr<ModuleTree> linear_tree(const std::string& checkpoint_path) {
  return linear_tree(io::load_safetensors(checkpoint_path).tensors);
}

}  // namespace fftune::testing
