// Module: the base of every layer and model. A module owns named parameters (leaf tensors that
// require grad) and named child modules, both in registration order, as torch.nn.Module does.
//
//   class Block : public Module {
//    public:
//     Block() {
//       proj_ = register_module("proj", std::make_shared<Linear>(8, 8));
//       scale_ = register_parameter("scale", ones({8}));
//     }
//    private:
//     std::shared_ptr<Linear> proj_;
//     Tensor scale_;
//   };
//
// A subclass keeps a handle to each tensor it registers (Tensor is a shared handle, so the
// module's entry and the member are the same tensor). Change a parameter's values in place
// (copy_ under NoGradGuard), never by re-assigning the member: that would split the two.
//
// Buffers (register_buffer) are tensors that belong to the module's state but are never trained:
// a position_ids table, running statistics. Persistent buffers are saved in state_dict; all
// buffers move with the module (to).
//
// Note [name patterns]
// Freezing (set_requires_grad) and optimizer groups (nn/param_groups.h) select parameters by
// pattern. A plain pattern matches a dotted name when it is a run of whole components of it:
// "query" matches "encoder.layer.0.attention.self.query.weight", "classifier" matches
// "classifier.dense.bias", "self.query" matches too, but "quer" matches nothing. A pattern that
// starts with "re:" is an ECMAScript regular expression searched anywhere in the name
// ("re:layer\\.(10|11)\\." selects the last two layers).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune::nn {

// Whether the dotted `name` matches `pattern` (Note [name patterns]).
bool name_matches(const std::string& name, const std::string& pattern);

// What load_state_dict found. Keys are the module's dotted names.
struct LoadReport {
  std::vector<std::string> loaded;      // copied into the module
  std::vector<std::string> missing;     // the module has them, the state dict does not
  std::vector<std::string> unexpected;  // the state dict has them, the module does not
  std::vector<std::string> mismatched;  // "name: expected f32 [2, 3], got f32 [3, 2]"
  std::vector<std::string> converted;   // non-strict only: loaded with a dtype conversion
  // A readable summary: counts, then each missing/unexpected/mismatched/converted key.
  std::string to_string() const;
};

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // A module is an identity (its parameters are shared handles): no copies.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // ---- introspection ----
  // Every parameter of this module and (if recurse) its descendants, named by the path of
  // registration names: "encoder.layer.0.attention.query.weight". Order: this module's own
  // parameters in registration order, then each child's in registration order (depth first).
  // A tensor registered under two names (tied weights) is listed once, under its first name.
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  // The same tensors without names; with trainable_only, only those that require grad (what
  // to hand an optimizer after freezing).
  std::vector<Tensor> parameters(bool trainable_only = false) const;
  // Direct children, in registration order.
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }
  // This module (named "") and all descendants, depth first, named by their paths.
  std::vector<std::pair<std::string, Module*>> named_modules();
  // Number of scalar parameters (each shared tensor counted once).
  int64_t num_parameters(bool trainable_only = false) const;
  // Every buffer of this module and its descendants, by dotted name, in the same order as
  // named_parameters; with persistent_only, only those state_dict saves.
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool persistent_only = false) const;

  // ---- state ----
  // Every parameter, then every persistent buffer, of each module in depth-first order (as
  // torch: a module's own parameters, its own buffers, then its children's). Tied tensors appear
  // under every name they are registered as. The tensors are detached handles sharing storage
  // with the module's (copy them, or save them, before changing the module).
  std::vector<std::pair<std::string, Tensor>> state_dict() const;
  // Copies `state` into the module's parameters and persistent buffers (under NoGradGuard; the
  // requires_grad flags stay as they are). Checks everything before writing anything:
  //  - a key of the module absent from `state` is missing, a key of `state` the module lacks is
  //    unexpected;
  //  - a present key must have the module tensor's shape (always an error otherwise) and dtype
  //    (strict: an error; non-strict: converted, and reported).
  // strict: any missing, unexpected or mismatched key throws one fftune::Error listing all of
  // them, and nothing is written. Non-strict: shape mismatches still throw; the rest is loaded
  // and the report says what was not.
  LoadReport load_state_dict(const std::map<std::string, Tensor>& state, bool strict = true);

  // Moves (or converts) every parameter, buffer and gradient in place: the tensors keep their
  // identity (the handles held by subclasses, optimizers and tied modules stay valid), only
  // their storage changes. to(DType) converts floating tensors only (i64 buffers keep theirs).
  void to(Device device);
  void to(DType dtype);

  // ---- modes ----
  // Training mode (dropout active) or evaluation mode, for this module and all descendants.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Freezes (false) or unfreezes (true) every parameter of this module and its descendants.
  void set_requires_grad(bool requires_grad);
  // Freezes or unfreezes the parameters whose dotted names match any of `patterns`
  // (Note [name patterns]); returns how many parameters matched. A pattern that matches no
  // parameter is an error (a typo would otherwise silently train nothing), naming the pattern.
  //   model.set_requires_grad(false);
  //   model.set_requires_grad({"fourierft_spectrum", "classifier"}, true);
  int64_t set_requires_grad(const std::vector<std::string>& patterns, bool requires_grad);
  // Drops the gradient of every parameter (torch's zero_grad(set_to_none=True)).
  void zero_grad();

 protected:
  // Registers `tensor` as parameter `name` (non-empty, no '.', unique among this module's
  // parameters and children) and returns it. It must be a floating leaf; it is marked
  // requires_grad = requires_grad.
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  // Registers `tensor` as buffer `name` (same naming rules) and returns it. Any dtype; it never
  // requires grad. persistent: saved in (and loaded from) state_dict.
  Tensor register_buffer(const std::string& name, Tensor tensor, bool persistent = true);

  // Registers a child module under `name` (same naming rules) and returns it.
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* what) const;
  void collect_parameters(const std::string& prefix,
                          std::vector<std::pair<std::string, Tensor>>& out,
                          std::vector<const TensorImpl*>& seen) const;
  // Calls fn(prefix, module) for this module and each descendant, depth first, prefix being
  // the module's path followed by '.' ("" for this one).
  template <typename Fn>
  void visit(Fn&& fn) const;
  // Every tensor the module owns (parameters and buffers), once each.
  std::vector<Tensor> all_tensors() const;

  struct Buffer {
    std::string name;
    Tensor tensor;
    bool persistent;
  };
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<Buffer> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace fftune::nn
