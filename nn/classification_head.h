// Sequence-classification heads on the first token (<s> for RoBERTa, [CLS] for ViT).
//
// RoBERTa (HF RobertaClassificationHead, registered by the model as "classifier"):
//   logits = out_proj(dropout(tanh(dense(dropout(h[:, 0])))))
//   children "dense" (C -> C), "dropout", "out_proj" (C -> num_labels)
// ViT (HF ViTForImageClassification): a plain nn::Linear registered as "classifier" applied to
// first_token(layernorm(h)) — names "classifier.weight"/"classifier.bias" — so it needs no class.
#pragma once

#include <memory>

#include "nn/dropout.h"
#include "nn/linear.h"

namespace fftune::nn {

// h (B, T, C) -> h[:, 0] (B, C), a view.
Tensor first_token(const Tensor& h);

class RobertaClassificationHead : public Module {
 public:
  // dropout: HF's classifier_dropout, or hidden_dropout_prob when that is null.
  RobertaClassificationHead(int64_t hidden_size, int64_t num_labels, double dropout,
                            Generator* gen = nullptr, DType dtype = DType::f32,
                            Device device = Device::cpu());

  // h (B, T, C) -> logits (B, num_labels).
  Tensor forward(const Tensor& h) const;

  const std::shared_ptr<Linear>& dense() const { return dense_; }
  const std::shared_ptr<Linear>& out_proj() const { return out_proj_; }

 private:
  std::shared_ptr<Linear> dense_;
  std::shared_ptr<Dropout> dropout_;
  std::shared_ptr<Linear> out_proj_;
};

}  // namespace fftune::nn
