// Embedding: a (num_embeddings, embedding_dim) table "weight" looked up by i64 indices, as
// torch.nn.Embedding. Initialised N(0, 1) from `gen`. With padding_idx, that row starts at zero
// and never receives a gradient (its value can still be loaded: HF checkpoints store it).
#pragma once

#include <optional>

#include "core/tensor/factory.h"
#include "nn/module.h"

namespace fftune::nn {

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim,
            std::optional<int64_t> padding_idx = std::nullopt, Generator* gen = nullptr,
            DType dtype = DType::f32, Device device = Device::cpu());

  // indices i64 (…) -> (…, embedding_dim).
  Tensor forward(const Tensor& indices) const;

  int64_t num_embeddings() const { return weight_.size(0); }
  int64_t embedding_dim() const { return weight_.size(1); }
  std::optional<int64_t> padding_idx() const { return padding_idx_; }
  const Tensor& weight() const { return weight_; }  // (V, C)

 private:
  std::optional<int64_t> padding_idx_;
  Tensor weight_;
};

}  // namespace fftune::nn
