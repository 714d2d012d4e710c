#include "adapters/linear_layers.h"

namespace fftune::adapters {

std::vector<std::pair<std::string, const nn::Linear*>> named_linears(const nn::Module& model) {
  std::vector<std::pair<std::string, const nn::Linear*>> out;
  // An explicit stack of (path, module); children pushed in reverse to visit them in order.
  std::vector<std::pair<std::string, const nn::Module*>> stack = {{"", &model}};
  while (!stack.empty()) {
    auto [path, m] = stack.back();
    stack.pop_back();
    if (const auto* linear = dynamic_cast<const nn::Linear*>(m)) {
      out.emplace_back(path, linear);
      continue;
    }
    const auto& children = m->named_children();
    for (auto it = children.rbegin(); it != children.rend(); ++it)
      stack.emplace_back(path.empty() ? it->first : path + "." + it->first, it->second.get());
  }
  return out;
}

}  // namespace fftune::adapters
