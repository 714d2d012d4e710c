#include "nn/classification_head.h"

#include "ops/ops.h"

namespace fftune::nn {

Tensor first_token(const Tensor& h) {
  FFTUNE_CHECK(h.dim() == 3 && h.size(1) > 0, "first_token: h must be (B, T, C) with T > 0, got ",
               h.shape());
  return h.select(1, 0);
}

RobertaClassificationHead::RobertaClassificationHead(int64_t hidden_size, int64_t num_labels,
                                                     double dropout, Generator* gen, DType dtype,
                                                     Device device) {
  // Registration order as HF's: dense, dropout, out_proj.
  dense_ = register_module(
      "dense", std::make_shared<Linear>(hidden_size, hidden_size, true, gen, dtype, device));
  dropout_ = register_module("dropout", std::make_shared<Dropout>(dropout, gen));
  out_proj_ = register_module(
      "out_proj", std::make_shared<Linear>(hidden_size, num_labels, true, gen, dtype, device));
}

Tensor RobertaClassificationHead::forward(const Tensor& h) const {
  Tensor x = dropout_->forward(first_token(h));  // (B, C)
  x = tanh(dense_->forward(x));
  return out_proj_->forward(dropout_->forward(x));  // (B, num_labels)
}

}  // namespace fftune::nn
