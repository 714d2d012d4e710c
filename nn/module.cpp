#include "nn/module.h"

#include <algorithm>

namespace fftune::nn {

void Module::check_new_name(const std::string& name, const char* what) const {
  FFTUNE_CHECK(!name.empty(), "Module: ", what, " name must not be empty");
  FFTUNE_CHECK(name.find('.') == std::string::npos, "Module: ", what, " name '", name,
               "' must not contain '.' (dots separate the levels of a parameter's path)");
  for (const auto& [n, p] : parameters_)
    FFTUNE_CHECK(n != name, "Module: ", what, " name '", name,
                 "' is already taken by a parameter of this module");
  for (const auto& [n, c] : children_)
    FFTUNE_CHECK(n != name, "Module: ", what, " name '", name,
                 "' is already taken by a child module of this module");
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name(name, "parameter");
  FFTUNE_CHECK(tensor.defined(), "Module: parameter '", name, "' is an undefined tensor");
  FFTUNE_CHECK(is_floating(tensor.dtype()) || is_complex(tensor.dtype()), "Module: parameter '",
               name, "' must be a floating or complex tensor, got ", tensor.dtype());
  FFTUNE_CHECK(tensor.is_leaf(), "Module: parameter '", name,
               "' must be a leaf tensor (detach() the output of an op first)");
  tensor.set_requires_grad(requires_grad);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "child module");
  FFTUNE_CHECK(module != nullptr, "Module: child module '", name, "' is null");
  FFTUNE_CHECK(module.get() != this, "Module: cannot register a module as its own child '", name,
               "'");
  children_.emplace_back(name, std::move(module));
}

void Module::collect_parameters(const std::string& prefix,
                                std::vector<std::pair<std::string, Tensor>>& out,
                                std::vector<const TensorImpl*>& seen) const {
  for (const auto& [name, p] : parameters_) {
    if (std::find(seen.begin(), seen.end(), p.impl()) != seen.end()) continue;
    seen.push_back(p.impl());
    out.emplace_back(prefix + name, p);
  }
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::vector<const TensorImpl*> seen;
  // Depth first with an explicit stack of (path prefix, module); children pushed in reverse so
  // that they are visited in registration order.
  std::vector<std::pair<std::string, const Module*>> stack = {{"", this}};
  while (!stack.empty()) {
    auto [prefix, m] = stack.back();
    stack.pop_back();
    m->collect_parameters(prefix, out, seen);
    if (!recurse) break;
    for (auto it = m->children_.rbegin(); it != m->children_.rend(); ++it)
      stack.emplace_back(prefix + it->first + ".", it->second.get());
  }
  return out;
}

std::vector<Tensor> Module::parameters(bool trainable_only) const {
  std::vector<Tensor> out;
  for (const auto& [name, p] : named_parameters())
    if (!trainable_only || p.requires_grad()) out.push_back(p);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out;
  std::vector<std::pair<std::string, Module*>> stack = {{"", this}};
  while (!stack.empty()) {
    auto [path, m] = stack.back();
    stack.pop_back();
    out.emplace_back(path, m);
    for (auto it = m->children_.rbegin(); it != m->children_.rend(); ++it)
      stack.emplace_back(path.empty() ? it->first : path + "." + it->first, it->second.get());
  }
  return out;
}

int64_t Module::num_parameters(bool trainable_only) const {
  int64_t n = 0;
  for (const Tensor& p : parameters(trainable_only)) n += p.numel();
  return n;
}

void Module::train(bool on) {
  for (auto& [path, m] : named_modules()) m->training_ = on;
}

void Module::set_requires_grad(bool requires_grad) {
  for (auto& [name, p] : named_parameters()) p.set_requires_grad(requires_grad);
}

void Module::zero_grad() {
  for (auto& [name, p] : named_parameters()) p.set_grad(Tensor());
}

}  // namespace fftune::nn
