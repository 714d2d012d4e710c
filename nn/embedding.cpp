#include "nn/embedding.h"

#include "nn/init.h"
#include "ops/ops.h"

namespace fftune::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim,
                     std::optional<int64_t> padding_idx, Generator* gen, DType dtype, Device device)
    : padding_idx_(padding_idx) {
  FFTUNE_CHECK(num_embeddings > 0 && embedding_dim > 0,
               "Embedding: num_embeddings and embedding_dim must be positive, got ", num_embeddings,
               " and ", embedding_dim);
  // torch accepts a negative padding_idx counted from the end.
  if (padding_idx_ && *padding_idx_ < 0) *padding_idx_ += num_embeddings;
  FFTUNE_CHECK(!padding_idx_ || (*padding_idx_ >= 0 && *padding_idx_ < num_embeddings),
               "Embedding: padding_idx ", padding_idx.value_or(0), " is out of range for ",
               num_embeddings, " embeddings");
  weight_ = register_parameter("weight", empty({num_embeddings, embedding_dim}, dtype, device));
  init::normal_(weight_, 0.0, 1.0, gen);
  if (padding_idx_) {
    NoGradGuard no_grad;
    weight_.select(0, *padding_idx_).zero_();
  }
}

Tensor Embedding::forward(const Tensor& indices) const {
  return embedding(weight_, indices, padding_idx_);
}

}  // namespace fftune::nn
