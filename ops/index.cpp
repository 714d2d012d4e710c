// Indexing along one dim: index_select, gather, scatter_add.
//
// Note [index backward]
// Each op reads (or adds) elements at given positions along `dim`, so its backward moves the
// gradient the other way: index_select's adds the gradient rows back into the selected rows
// (index_add), gather's scatter-adds the gradient into the positions it read, and
// scatter_add's gathers the gradient from the positions it wrote. A position read twice
// (a repeated index) receives the sum of both gradients. The CPU scatter kernels are
// race-free and deterministic without atomics (ops/cpu/index_kernels.h).
#include "core/autograd/node.h"
#include "ops/cpu/index_kernels.h"
#include "ops/cuda/index_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

// Index arguments: defined, i64, on x's device. Returns the index made contiguous.
Tensor checked_index(const char* op, const Tensor& x, const Tensor& index) {
  check_defined(op, x, "x");
  check_defined(op, index, "index");
  check_same_device(op, {x, index});
  check_dtype(op, index, "index", DType::i64);
  FFTUNE_CHECK(x.dim() >= 1, op, ": x must have at least one dim, got a 0-dim tensor");
  return index.contiguous();
}

// gather/scatter_add: index has x's number of dims and fits inside x off `dim`.
void check_gather_shapes(const char* op, const Tensor& x, int64_t dim, const Tensor& index) {
  FFTUNE_CHECK(index.dim() == x.dim(), op, ": index must have as many dims as x (", x.dim(),
               "), got index of shape ", index.shape(), " for x of shape ", x.shape());
  for (int64_t d = 0; d < x.dim(); ++d)
    FFTUNE_CHECK(d == dim || index.size(d) <= x.size(d), op, ": index of shape ", index.shape(),
                 " is larger than x of shape ", x.shape(), " at dim ", d);
}

// out = gather(x, dim, index) with no autograd; index contiguous, i64, in range.
Tensor gather_kernel(const Tensor& x, int64_t dim, const Tensor& index) {
  Tensor out = empty(index.shape(), x.dtype(), x.device());
  if (x.device().is_cpu())
    cpu::gather_forward(out, x, index, dim);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::gather_forward(out, x, index, dim), "gather", x.device());
  return out;
}

// dst[index[p] along dim] += src[p]; dst contiguous (zeros or a fresh copy), index in range.
void scatter_add_kernel(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src) {
  if (dst.device().is_cpu())
    cpu::scatter_add(dst, index, src, dim);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::scatter_add(dst, index, src, dim), "scatter_add", dst.device());
}

// Device indices are checked on a host copy (as embedding and cross_entropy check theirs).
void check_index_range(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  cpu::check_index_range(index.to(Device::cpu()), size, dim, op);
}

class IndexSelectBackward final : public Node {
 public:
  IndexSelectBackward(Shape x_shape, int64_t dim) : x_shape_(std::move(x_shape)), dim_(dim) {}
  std::string name() const override { return "IndexSelectBackward"; }
  SavedTensor index;  // (N) i64, contiguous
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor g = grads[0].contiguous();  // x's shape with N at dim
    const Tensor idx = index.unpack(*this);
    Tensor dx = zeros(x_shape_, g.dtype(), g.device());
    if (g.device().is_cpu())
      cpu::index_add(dx, idx, g, dim_);  // Note [index backward]
    else
      FFTUNE_CUDA_OR_NO_KERNEL(cuda::index_add(dx, idx, g, dim_), "index_select backward",
                               g.device());
    return {dx};
  }

 private:
  Shape x_shape_;
  int64_t dim_;
};

class GatherBackward final : public Node {
 public:
  GatherBackward(Shape x_shape, int64_t dim) : x_shape_(std::move(x_shape)), dim_(dim) {}
  std::string name() const override { return "GatherBackward"; }
  SavedTensor index;  // index's shape, i64, contiguous
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];  // index's shape
    Tensor dx = zeros(x_shape_, g.dtype(), g.device());
    scatter_add_kernel(dx, dim_, index.unpack(*this), g);  // Note [index backward]
    return {dx};
  }

 private:
  Shape x_shape_;
  int64_t dim_;
};

class ScatterAddBackward final : public Node {
 public:
  ScatterAddBackward(Shape src_shape, int64_t dim) : src_shape_(std::move(src_shape)), dim_(dim) {}
  std::string name() const override { return "ScatterAddBackward"; }
  SavedTensor index;  // index's shape, i64, contiguous
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];  // x's shape
    Tensor dx, dsrc;
    if (needs_input_grad(0)) dx = g;  // x passes through unchanged
    if (needs_input_grad(1)) {
      const Tensor idx = index.unpack(*this);
      dsrc = gather_kernel(g, dim_, idx);  // Note [index backward]
      if (dsrc.shape() != src_shape_) {
        // src may be larger than index: its elements beyond index's extent were never read.
        Tensor full_grad = zeros(src_shape_, g.dtype(), g.device());
        Tensor window = full_grad;
        for (int64_t d = 0; d < idx.dim(); ++d) window = window.narrow(d, 0, idx.size(d));
        window.copy_(dsrc);
        dsrc = full_grad;
      }
    }
    return {dx, dsrc};
  }

 private:
  Shape src_shape_;
  int64_t dim_;
};

}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const Tensor idx = checked_index("index_select", x, index);
  FFTUNE_CHECK(idx.dim() == 1, "index_select: index must be 1-D, got shape ", idx.shape());
  const int64_t d = wrap_dim(dim, x.dim(), "index_select");
  check_index_range(idx, x.size(d), d, "index_select");
  Shape out_shape = x.shape();
  out_shape[d] = idx.numel();
  Tensor y = empty(out_shape, x.dtype(), x.device());
  if (x.device().is_cpu())
    cpu::index_select_forward(y, x.detach().contiguous(), idx, d);
  else
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::index_select_forward(y, x.detach().contiguous(), idx, d),
                             "index_select", x.device());
  if (auto node = make_node<IndexSelectBackward>({x}, x.shape(), d)) {
    node->save(node->index, idx);
    attach(node, {y});
  }
  return y;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  const Tensor idx = checked_index("gather", x, index);
  const int64_t d = wrap_dim(dim, x.dim(), "gather");
  check_gather_shapes("gather", x, d, idx);
  check_index_range(idx, x.size(d), d, "gather");
  Tensor y = gather_kernel(x.detach(), d, idx);
  if (auto node = make_node<GatherBackward>({x}, x.shape(), d)) {
    node->save(node->index, idx);
    attach(node, {y});
  }
  return y;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  const Tensor idx = checked_index("scatter_add", x, index);
  check_defined("scatter_add", src, "src");
  check_same_device("scatter_add", {x, src});
  check_same_dtype("scatter_add", x, src);
  const int64_t d = wrap_dim(dim, x.dim(), "scatter_add");
  check_gather_shapes("scatter_add", x, d, idx);
  FFTUNE_CHECK(src.dim() == idx.dim(), "scatter_add: src must have as many dims as index (",
               idx.dim(), "), got src of shape ", src.shape());
  for (int64_t k = 0; k < idx.dim(); ++k)
    FFTUNE_CHECK(idx.size(k) <= src.size(k), "scatter_add: index of shape ", idx.shape(),
                 " is larger than src of shape ", src.shape(), " at dim ", k);
  check_index_range(idx, x.size(d), d, "scatter_add");
  Tensor y = x.detach().clone();  // contiguous
  scatter_add_kernel(y, d, idx, src.detach());
  if (auto node = make_node<ScatterAddBackward>({x, src}, src.shape(), d)) {
    if (node->needs_input_grad(1)) node->save(node->index, idx);
    attach(node, {y});
  }
  return y;
}

}  // namespace fftune
