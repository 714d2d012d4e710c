// ModuleTree: a model skeleton built from dotted paths, for code that needs a checkpoint's module
// names without a full model class — adapter-file tools and tests, and the "plain module" models
// peft can adapt (a checkpoint whose every 2-D "<path>.weight" is a Linear).
//
//   nn::ModuleTree model;
//   model.add_linear("roberta.encoder.layer.0.attention.self.query", 768, 768);
//   model.add_parameter("roberta.embeddings.LayerNorm.weight", ones({768}));
//
//   auto tree = nn::linear_tree("base.safetensors");  // one Linear per 2-D "<path>.weight"
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "core/tensor/tensor.h"
#include "nn/linear.h"

namespace fftune::nn {

class ModuleTree : public Module {
 public:
  // A Linear(in, out) at `path`, creating the intermediate modules.
  std::shared_ptr<Linear> add_linear(const std::string& path, int64_t in, int64_t out,
                                     bool bias = true, Generator* gen = nullptr,
                                     DType dtype = DType::f32);
  // A plain parameter at `path` (a LayerNorm weight, an embedding table).
  Tensor add_parameter(const std::string& path, Tensor value);

 private:
  // The ModuleTree holding the last component of `path` (created on the way) and that name.
  std::pair<ModuleTree*, std::string> parent_of(const std::string& path);
  ModuleTree* child(const std::string& name);
};

// A ModuleTree with a checkpoint's dotted names: one Linear per 2-D "<path>.weight" tensor (with
// "<path>.bias" when present), loaded with the checkpoint's values. Adapters injected into it get
// exactly the names they would get in the full model.
std::shared_ptr<ModuleTree> linear_tree(const std::map<std::string, Tensor>& tensors);
std::shared_ptr<ModuleTree> linear_tree(const std::string& checkpoint_path);

}  // namespace fftune::nn
