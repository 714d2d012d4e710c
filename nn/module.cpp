#include "nn/module.h"

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "core/autograd/grad_mode.h"

namespace fftune::nn {

bool name_matches(const std::string& name, const std::string& pattern) {
  if (pattern.rfind("re:", 0) == 0) return std::regex_search(name, std::regex(pattern.substr(3)));
  if (pattern.empty()) return false;
  // A run of whole components: ".a.b.c." contains ".b.c.".
  return ("." + name + ".").find("." + pattern + ".") != std::string::npos;
}

std::string LoadReport::to_string() const {
  std::ostringstream os;
  os << "loaded " << loaded.size() << ", missing " << missing.size() << ", unexpected "
     << unexpected.size() << ", mismatched " << mismatched.size();
  if (!converted.empty()) os << ", converted " << converted.size();
  auto list = [&](const char* what, const std::vector<std::string>& keys) {
    for (const std::string& k : keys) os << "\n  " << what << ": " << k;
  };
  list("missing", missing);
  list("unexpected", unexpected);
  list("mismatched", mismatched);
  list("converted", converted);
  return os.str();
}

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
  for (const Buffer& b : buffers_)
    FFTUNE_CHECK(b.name != name, "Module: ", what, " name '", name,
                 "' is already taken by a buffer of this module");
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor, bool persistent) {
  check_new_name(name, "buffer");
  FFTUNE_CHECK(tensor.defined(), "Module: buffer '", name, "' is an undefined tensor");
  FFTUNE_CHECK(!tensor.requires_grad(), "Module: buffer '", name,
               "' requires grad (a trained tensor is a parameter: register_parameter)");
  buffers_.push_back({name, tensor, persistent});
  return tensor;
}

template <typename Fn>
void Module::visit(Fn&& fn) const {
  std::vector<std::pair<std::string, const Module*>> stack = {{"", this}};
  while (!stack.empty()) {
    auto [prefix, m] = stack.back();
    stack.pop_back();
    fn(prefix, *m);
    for (auto it = m->children_.rbegin(); it != m->children_.rend(); ++it)
      stack.emplace_back(prefix + it->first + ".", it->second.get());
  }
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool persistent_only) const {
  std::vector<std::pair<std::string, Tensor>> out;
  std::set<const TensorImpl*> seen;
  visit([&](const std::string& prefix, const Module& m) {
    for (const Buffer& b : m.buffers_)
      if ((!persistent_only || b.persistent) && seen.insert(b.tensor.impl()).second)
        out.emplace_back(prefix + b.name, b.tensor);
  });
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> out;
  visit([&](const std::string& prefix, const Module& m) {
    for (const auto& [name, p] : m.parameters_) out.emplace_back(prefix + name, p.detach());
    for (const Buffer& b : m.buffers_)
      if (b.persistent) out.emplace_back(prefix + b.name, b.tensor.detach());
  });
  return out;
}

LoadReport Module::load_state_dict(const std::map<std::string, Tensor>& state, bool strict) {
  LoadReport report;
  struct Copy {
    std::string name;
    Tensor dst, src;
  };
  std::vector<Copy> copies;
  std::set<std::string> own;
  bool shape_error = false;
  for (const auto& [name, dst] : state_dict()) {
    own.insert(name);
    auto it = state.find(name);
    if (it == state.end()) {
      report.missing.push_back(name);
      continue;
    }
    const Tensor& src = it->second;
    std::ostringstream what;
    what << name << ": expected " << dst.dtype() << " " << dst.shape() << ", got ";
    if (!src.defined()) {
      report.mismatched.push_back(what.str() + "an undefined tensor");
      shape_error = true;
      continue;
    }
    what << src.dtype() << " " << src.shape();
    if (src.shape() != dst.shape()) {
      report.mismatched.push_back(what.str());
      shape_error = true;
    } else if (src.dtype() != dst.dtype()) {
      if (strict) {
        report.mismatched.push_back(what.str());
        continue;
      }
      report.converted.push_back(what.str());
      copies.push_back({name, dst, src});
    } else {
      copies.push_back({name, dst, src});
    }
  }
  for (const auto& [name, t] : state)
    if (!own.count(name)) report.unexpected.push_back(name);

  const bool failed =
      shape_error || (strict && (!report.missing.empty() || !report.unexpected.empty() ||
                                 !report.mismatched.empty()));
  FFTUNE_CHECK(!failed, "Module::load_state_dict", strict ? " (strict)" : "",
               ": nothing was loaded; ", report.to_string());
  NoGradGuard no_grad;
  for (Copy& c : copies) {
    c.dst.copy_(c.src);  // converts the dtype and moves to the module's device
    report.loaded.push_back(c.name);
  }
  return report;
}

std::vector<Tensor> Module::all_tensors() const {
  std::vector<Tensor> out;
  std::set<const TensorImpl*> seen;
  visit([&](const std::string&, const Module& m) {
    for (const auto& [name, p] : m.parameters_)
      if (seen.insert(p.impl()).second) out.push_back(p);
    for (const Buffer& b : m.buffers_)
      if (seen.insert(b.tensor.impl()).second) out.push_back(b.tensor);
  });
  return out;
}

namespace {

// Gives `t` the storage and geometry of `moved` while keeping its TensorImpl (so every handle
// to it sees the change). The version is bumped: saved copies of the old data are stale.
void replace_data(const Tensor& t, const Tensor& moved) {
  TensorImpl* impl = t.impl();
  impl->storage = moved.impl()->storage;
  impl->shape = moved.shape();
  impl->strides = moved.strides();
  impl->offset = moved.offset();
  impl->dtype = moved.dtype();
  t.bump_version();
}

}  // namespace

void Module::to(Device device) {
  NoGradGuard no_grad;
  for (const Tensor& t : all_tensors()) {
    if (t.device() == device) continue;
    if (t.grad().defined()) t.set_grad(t.grad().to(device));
    replace_data(t, t.detach().to(device));
  }
}

void Module::to(DType dtype) {
  FFTUNE_CHECK(is_floating(dtype), "Module::to: expected a floating dtype, got ", dtype);
  NoGradGuard no_grad;
  for (const Tensor& t : all_tensors()) {
    if (!is_floating(t.dtype()) || t.dtype() == dtype) continue;
    if (t.grad().defined()) t.set_grad(t.grad().to(dtype));
    replace_data(t, t.detach().to(dtype));
  }
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

int64_t Module::set_requires_grad(const std::vector<std::string>& patterns, bool requires_grad) {
  auto named = named_parameters();
  int64_t count = 0;
  for (const std::string& pattern : patterns) {
    bool any = false;
    for (const auto& [name, p] : named)
      if (name_matches(name, pattern)) any = true;
    FFTUNE_CHECK(any, "Module::set_requires_grad: pattern '", pattern, "' matches no parameter (",
                 named.size(), " parameters, e.g. '",
                 named.empty() ? std::string() : named.front().first, "')");
  }
  for (auto& [name, p] : named) {
    const bool match =
        std::any_of(patterns.begin(), patterns.end(),
                    [&name = name](const std::string& pat) { return name_matches(name, pat); });
    if (!match) continue;
    p.set_requires_grad(requires_grad);
    ++count;
  }
  return count;
}

void Module::zero_grad() {
  for (auto& [name, p] : named_parameters()) p.set_grad(Tensor());
}

}  // namespace fftune::nn
