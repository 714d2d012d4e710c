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
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune::nn {

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

  // ---- modes ----
  // Training mode (dropout active) or evaluation mode, for this module and all descendants.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Freezes (false) or unfreezes (true) every parameter of this module and its descendants.
  void set_requires_grad(bool requires_grad);
  // Drops the gradient of every parameter (torch's zero_grad(set_to_none=True)).
  void zero_grad();

 protected:
  // Registers `tensor` as parameter `name` (non-empty, no '.', unique among this module's
  // parameters and children) and returns it. It must be a floating leaf; it is marked
  // requires_grad = requires_grad.
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);

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

  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace fftune::nn
