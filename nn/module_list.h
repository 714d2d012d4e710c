// ModuleList: children named "0", "1", ... as torch.nn.ModuleList, so that a model holding its
// layers as child "layer" gets HF's names ("encoder.layer.0.attention.self.query.weight").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"

namespace fftune::nn {

template <typename M>
class ModuleList : public Module {
 public:
  // Registers `module` as child "<size()>" and returns it.
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    items_.push_back(register_module(std::to_string(items_.size()), std::move(module)));
    return items_.back();
  }
  size_t size() const { return items_.size(); }
  const std::shared_ptr<M>& operator[](size_t i) const { return items_.at(i); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::shared_ptr<M>> items_;
};

}  // namespace fftune::nn
