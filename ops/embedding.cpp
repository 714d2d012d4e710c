// embedding(weight, indices): a lookup of rows of a (V, C) table. indices (any shape, i64) ->
// output (indices' shape…, C). Backward is a scatter-add of the output gradient's rows into a
// (V, C) zero gradient: a row looked up twice receives both gradients. With padding_idx (as
// torch), that row's gradient is left zero: the padding vector is never trained.
#include <optional>

#include "core/autograd/node.h"
#include "ops/cpu/embedding_kernels.h"
#include "ops/cuda/index_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

class EmbeddingBackward final : public Node {
 public:
  EmbeddingBackward(Shape weight_shape, std::optional<int64_t> padding_idx)
      : weight_shape_(std::move(weight_shape)), padding_idx_(padding_idx) {}
  std::string name() const override { return "EmbeddingBackward"; }

  SavedTensor indices;  // (M) i64, contiguous

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor idx = indices.unpack(*this);
    const Tensor& g = grads[0];
    Tensor dweight = zeros(weight_shape_, g.dtype(), g.device());  // (V, C)
    if (g.device().is_cpu())
      cpu::embedding_backward(dweight, g.contiguous().view({idx.numel(), weight_shape_[1]}), idx);
    else
      FFTUNE_CUDA_OR_NO_KERNEL(
          cuda::embedding_backward(dweight, g.contiguous().view({idx.numel(), weight_shape_[1]}),
                                   idx),
          "embedding", g.device());
    if (padding_idx_) dweight.select(0, *padding_idx_).zero_();
    return {dweight, Tensor()};
  }

 private:
  Shape weight_shape_;  // (V, C)
  std::optional<int64_t> padding_idx_;
};

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, std::optional<int64_t> padding_idx) {
  check_defined("embedding", weight, "weight");
  check_defined("embedding", indices, "indices");
  FFTUNE_CHECK(weight.dim() == 2, "embedding: weight must be (V, C), got ", weight.shape());
  FFTUNE_CHECK(is_floating(weight.dtype()),
               "embedding: weight must be a floating tensor (f32, f64), got ", weight.dtype());
  check_dtype("embedding", indices, "indices", DType::i64);
  check_same_device("embedding", {weight, indices});

  const int64_t V = weight.size(0), C = weight.size(1), M = indices.numel();
  FFTUNE_CHECK(!padding_idx || (*padding_idx >= 0 && *padding_idx < V), "embedding: padding_idx ",
               padding_idx.value_or(0), " is out of range for a table of ", V, " rows");
  const Tensor idx = indices.detach().contiguous().view({M});
  const Tensor idx_host = idx.to(Device::cpu());  // the range check reads the indices here
  const int64_t* pi = idx_host.data<int64_t>();
  for (int64_t m = 0; m < M; ++m)
    FFTUNE_CHECK(pi[m] >= 0 && pi[m] < V, "embedding: index ", pi[m], " (at position ", m,
                 " of the flattened indices) is out of range for a table of ", V, " rows");

  Shape out_shape = indices.shape();
  out_shape.push_back(C);
  Tensor out = empty(out_shape, weight.dtype(), weight.device());
  if (weight.device().is_cpu())
    cpu::embedding_forward(out.view({M, C}), weight.detach().contiguous(), idx);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(
        cuda::embedding_forward(out.view({M, C}), weight.detach().contiguous(), idx), "embedding",
        weight.device());

  if (auto node = make_node<EmbeddingBackward>({weight, indices}, weight.shape(), padding_idx)) {
    node->save(node->indices, idx);
    attach(node, {out});
  }
  return out;
}

}  // namespace fftune
