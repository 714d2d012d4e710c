// Joining tensors: cat along an existing dim, stack along a new one.
//
// cat copies each input into its window of the output along `dim`; its backward hands each
// input the matching window of the gradient (a view, no copy). stack is cat of the inputs
// each unsqueezed at `dim`, so its gradient comes from cat's and unsqueeze's.
#include "core/autograd/node.h"
#include "ops/cpu/copy_kernels.h"
#include "ops/cuda/complex_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

class CatBackward final : public Node {
 public:
  CatBackward(int64_t dim, std::vector<int64_t> sizes) : dim_(dim), sizes_(std::move(sizes)) {}
  std::string name() const override { return "CatBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];  // the output's shape: Σ sizes_ at dim
    std::vector<Tensor> dx(sizes_.size());
    int64_t start = 0;
    for (size_t i = 0; i < sizes_.size(); ++i) {
      if (needs_input_grad(i)) dx[i] = g.narrow(dim_, start, sizes_[i]);
      start += sizes_[i];
    }
    return dx;
  }

 private:
  int64_t dim_;
  std::vector<int64_t> sizes_;  // each input's size at dim, in order
};

// make_node() for a list of inputs of any length.
std::shared_ptr<CatBackward> make_cat_node(const std::vector<Tensor>& inputs, int64_t dim,
                                           std::vector<int64_t> sizes) {
  if (!GradMode::enabled()) return nullptr;
  bool any = false;
  for (const Tensor& t : inputs) any |= t.requires_grad();
  if (!any) return nullptr;
  auto node = std::make_shared<CatBackward>(dim, std::move(sizes));
  node->next_edges.reserve(inputs.size());
  for (const Tensor& t : inputs) node->next_edges.push_back(edge_for(t));
  return node;
}

void check_listed(const char* op, const std::vector<Tensor>& tensors) {
  FFTUNE_CHECK(!tensors.empty(), op, ": expected a non-empty list of tensors");
  for (size_t i = 0; i < tensors.size(); ++i)
    FFTUNE_CHECK(tensors[i].defined(), op, ": tensor ", i, " is undefined");
}

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  check_listed("cat", tensors);
  const Tensor& first = tensors[0];
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    FFTUNE_CHECK(t.dim() > 0, "cat: tensor ", i, " is 0-dim and cannot be concatenated ",
                 "(unsqueeze it, or use stack)");
    FFTUNE_CHECK(t.dtype() == first.dtype(), "cat: tensor ", i, " has dtype ", t.dtype(),
                 " but tensor 0 has dtype ", first.dtype());
    FFTUNE_CHECK(t.device() == first.device(), "cat: tensor ", i, " is on ", t.device(),
                 " but tensor 0 is on ", first.device());
  }
  const int64_t d = wrap_dim(dim, first.dim(), "cat");
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  std::vector<int64_t> sizes;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    bool match = t.dim() == first.dim();
    for (int64_t k = 0; match && k < t.dim(); ++k) match = k == d || t.size(k) == first.size(k);
    FFTUNE_CHECK(match, "cat: tensor ", i, " has shape ", t.shape(), " but tensor 0 has shape ",
                 first.shape(), "; shapes must match except at dim ", d);
    sizes.push_back(t.size(d));
    out_shape[d] += t.size(d);
  }

  Tensor y = empty(out_shape, first.dtype(), first.device());
  int64_t start = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor window = y.narrow(d, start, sizes[i]);  // y needs no grad: a plain view
    if (window.numel() > 0) {                            // an empty input adds nothing
      if (y.device().is_cpu())
        cpu::copy(window, tensors[i]);
      else
        FFTUNE_CUDA_OR_NO_KERNEL(cuda::copy(window, tensors[i]), "cat", y.device());
    }
    start += sizes[i];
  }
  if (auto node = make_cat_node(tensors, d, std::move(sizes))) attach(node, {y});
  return y;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  check_listed("stack", tensors);
  const Tensor& first = tensors[0];
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    FFTUNE_CHECK(t.shape() == first.shape(), "stack: tensor ", i, " has shape ", t.shape(),
                 " but tensor 0 has shape ", first.shape(), "; stack needs equal shapes");
    FFTUNE_CHECK(t.dtype() == first.dtype(), "stack: tensor ", i, " has dtype ", t.dtype(),
                 " but tensor 0 has dtype ", first.dtype());
    FFTUNE_CHECK(t.device() == first.device(), "stack: tensor ", i, " is on ", t.device(),
                 " but tensor 0 is on ", first.device());
  }
  const int64_t d = wrap_dim(dim, first.dim() + 1, "stack");
  std::vector<Tensor> unsqueezed;
  unsqueezed.reserve(tensors.size());
  for (const Tensor& t : tensors) unsqueezed.push_back(t.unsqueeze(d));
  return cat(unsqueezed, d);
}

}  // namespace fftune
