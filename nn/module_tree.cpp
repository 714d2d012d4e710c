#include "nn/module_tree.h"

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/safetensors.h"

namespace fftune::nn {

std::shared_ptr<Linear> ModuleTree::add_linear(const std::string& path, int64_t in, int64_t out,
                                               bool bias, Generator* gen, DType dtype) {
  const auto [parent, name] = parent_of(path);
  return parent->register_module(name, std::make_shared<Linear>(in, out, bias, gen, dtype));
}

Tensor ModuleTree::add_parameter(const std::string& path, Tensor value) {
  const auto [parent, name] = parent_of(path);
  return parent->register_parameter(name, std::move(value));
}

std::pair<ModuleTree*, std::string> ModuleTree::parent_of(const std::string& path) {
  ModuleTree* node = this;
  size_t begin = 0;
  for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', begin)) {
    node = node->child(path.substr(begin, dot - begin));
    begin = dot + 1;
  }
  return {node, path.substr(begin)};
}

ModuleTree* ModuleTree::child(const std::string& name) {
  for (const auto& [n, m] : named_children())
    if (n == name) {
      auto* tree = dynamic_cast<ModuleTree*>(m.get());
      FFTUNE_CHECK(tree != nullptr, "ModuleTree: '", name, "' is a layer, not a container");
      return tree;
    }
  return register_module(name, std::make_shared<ModuleTree>()).get();
}

std::shared_ptr<ModuleTree> linear_tree(const std::map<std::string, Tensor>& tensors) {
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

std::shared_ptr<ModuleTree> linear_tree(const std::string& checkpoint_path) {
  return linear_tree(io::load_safetensors(checkpoint_path).tensors);
}

}  // namespace fftune::nn
