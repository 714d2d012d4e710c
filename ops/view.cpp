// View ops: reshape, transpose, permute, narrow/slice/select, expand, squeeze/unsqueeze.
// A view shares its base's storage and version counter and only changes (shape, strides,
// offset); its backward maps the gradient back to the base's geometry.
#include <algorithm>
#include <numeric>
#include <optional>

#include "core/autograd/node.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
  Tensor v =
      make_tensor(base.storage(), std::move(shape), std::move(strides), offset, base.dtype());
  v.impl()->version = base.impl()->version;  // in-place writes through either are seen by both
  return v;
}

// Replaces one -1 in `shape` by the size that keeps numel; checks the total.
Shape infer_shape(const Shape& shape, int64_t numel, const char* op) {
  Shape out = shape;
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      FFTUNE_CHECK(infer_at < 0, op, ": only one dimension can be -1, got ", shape);
      infer_at = static_cast<int64_t>(i);
    } else {
      FFTUNE_CHECK(out[i] >= 0, op, ": invalid size in shape ", shape);
      known *= out[i];
    }
  }
  if (infer_at >= 0) {
    FFTUNE_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape,
                 " is invalid for a tensor of ", numel, " elements");
    out[infer_at] = numel / known;
  }
  FFTUNE_CHECK(numel_of(out) == numel, op, ": shape ", shape, " is invalid for a tensor of ", numel,
               " elements");
  return out;
}

// Strides that let `shape` read the same elements as (old_shape, old_strides) without a copy,
// or nothing if the memory layout does not allow it (PyTorch's computeStride): each run of
// old dims that is contiguous among itself can be re-split freely.
std::optional<Shape> view_strides(const Shape& old_shape, const Shape& old_strides,
                                  const Shape& shape) {
  if (old_shape.empty()) return Shape(shape.size(), 1);
  if (numel_of(old_shape) == 0) return contiguous_strides(shape);
  Shape strides(shape.size(), 0);
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    if (d == 0 ||
        (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

class ReshapeBackward final : public Node {
 public:
  explicit ReshapeBackward(Shape input_shape) : input_shape_(std::move(input_shape)) {}
  std::string name() const override { return "ReshapeBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    return {grads[0].reshape(input_shape_)};
  }

 private:
  Shape input_shape_;
};

class PermuteBackward final : public Node {
 public:
  explicit PermuteBackward(std::vector<int64_t> inverse) : inverse_(std::move(inverse)) {}
  std::string name() const override { return "PermuteBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    return {grads[0].permute(inverse_)};
  }

 private:
  std::vector<int64_t> inverse_;
};

// Backward of narrow/slice/select: the gradient lands in the selected window of zeros.
class SliceBackward final : public Node {
 public:
  SliceBackward(Shape input_shape, int64_t dim, int64_t start, int64_t end, int64_t step,
                bool squeezed)
      : input_shape_(std::move(input_shape)),
        dim_(dim),
        start_(start),
        end_(end),
        step_(step),
        squeezed_(squeezed) {}
  std::string name() const override { return "SliceBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];
    Tensor dx = zeros(input_shape_, g.dtype(), g.device());
    Tensor window = dx.slice(dim_, start_, end_, step_);
    window.copy_(squeezed_ ? g.unsqueeze(dim_) : g);
    return {dx};
  }

 private:
  Shape input_shape_;
  int64_t dim_, start_, end_, step_;
  bool squeezed_;
};

class ExpandBackward final : public Node {
 public:
  explicit ExpandBackward(Shape input_shape) : input_shape_(std::move(input_shape)) {}
  std::string name() const override { return "ExpandBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    return {sum_to(grads[0], input_shape_)};
  }

 private:
  Shape input_shape_;
};

Tensor record_reshape(const Tensor& x, Tensor y) {
  if (auto node = make_node<ReshapeBackward>({x}, x.shape())) attach(node, {y});
  return y;
}

}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  const Shape target = infer_shape(shape, numel(), "view");
  std::optional<Shape> strides = view_strides(this->shape(), this->strides(), target);
  FFTUNE_CHECK(strides.has_value(), "view: shape ", shape, " is not compatible with the ",
               "layout of a tensor of shape ", this->shape(), " and strides ", this->strides(),
               "; use reshape() (which copies)");
  return record_reshape(*this, make_view(*this, target, *strides, offset()));
}

Tensor Tensor::reshape(const Shape& shape) const {
  const Shape target = infer_shape(shape, numel(), "reshape");
  if (std::optional<Shape> strides = view_strides(this->shape(), this->strides(), target))
    return record_reshape(*this, make_view(*this, target, *strides, offset()));
  return contiguous().view(target);
}

Tensor Tensor::flatten() const {
  return reshape({numel()});
}

Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  FFTUNE_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: got ", dims.size(),
               " dims for a tensor of ", dim(), " dims");
  Shape shape(dims.size()), strides(dims.size());
  std::vector<int64_t> inverse(dims.size(), -1);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], dim(), "permute");
    FFTUNE_CHECK(inverse[d] < 0, "permute: dim ", d, " appears twice");
    inverse[d] = static_cast<int64_t>(i);
    shape[i] = this->shape()[d];
    strides[i] = this->strides()[d];
  }
  Tensor y = make_view(*this, shape, strides, offset());
  if (auto node = make_node<PermuteBackward>({*this}, inverse)) attach(node, {y});
  return y;
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  std::vector<int64_t> dims(dim());
  std::iota(dims.begin(), dims.end(), 0);
  std::swap(dims[wrap_dim(dim0, dim(), "transpose")], dims[wrap_dim(dim1, dim(), "transpose")]);
  return permute(dims);
}

Tensor Tensor::t() const {
  FFTUNE_CHECK(dim() == 2, "t: expected a 2-D tensor, got shape ", shape());
  return transpose(0, 1);
}

Tensor Tensor::slice(int64_t d, int64_t start, int64_t end, int64_t step) const {
  d = wrap_dim(d, dim(), "slice");
  FFTUNE_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = shape()[d];
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape shape = this->shape(), strides = this->strides();
  shape[d] = (end - start + step - 1) / step;
  strides[d] *= step;
  Tensor y = make_view(*this, shape, strides, offset() + start * this->strides()[d]);
  if (auto node = make_node<SliceBackward>({*this}, this->shape(), d, start, end, step, false))
    attach(node, {y});
  return y;
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  d = wrap_dim(d, dim(), "narrow");
  FFTUNE_CHECK(start >= 0 && length >= 0 && start + length <= shape()[d], "narrow: window [", start,
               ", ", start + length, ") is outside dim ", d, " of size ", shape()[d]);
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  d = wrap_dim(d, dim(), "select");
  const int64_t n = shape()[d];
  FFTUNE_CHECK(index >= -n && index < n, "select: index ", index, " out of range for dim ", d,
               " of size ", n);
  if (index < 0) index += n;
  Shape shape = this->shape(), strides = this->strides();
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  Tensor y = make_view(*this, shape, strides, offset() + index * this->strides()[d]);
  if (auto node = make_node<SliceBackward>({*this}, this->shape(), d, index, index + 1, 1, true))
    attach(node, {y});
  return y;
}

Tensor Tensor::expand(const Shape& shape) const {
  FFTUNE_CHECK(static_cast<int64_t>(shape.size()) >= dim(), "expand: cannot expand ", this->shape(),
               " to fewer dims ", shape);
  const size_t lead = shape.size() - static_cast<size_t>(dim());
  Shape out_shape(shape.size()), strides(shape.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      FFTUNE_CHECK(shape[i] >= 0, "expand: -1 is not allowed for a new leading dim");
      out_shape[i] = shape[i];
      continue;
    }
    const int64_t have = this->shape()[i - lead];
    const int64_t want = shape[i] == -1 ? have : shape[i];
    FFTUNE_CHECK(have == want || have == 1, "expand: cannot expand ", this->shape(), " to ", shape,
                 " (dim ", i, ": ", have, " to ", want, ")");
    out_shape[i] = want;
    strides[i] = have == want ? this->strides()[i - lead] : 0;
  }
  Tensor y = make_view(*this, out_shape, strides, offset());
  if (auto node = make_node<ExpandBackward>({*this}, this->shape())) attach(node, {y});
  return y;
}

Tensor Tensor::squeeze(int64_t d) const {
  d = wrap_dim(d, dim(), "squeeze");
  if (shape()[d] != 1) return *this;
  Shape shape = this->shape(), strides = this->strides();
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return record_reshape(*this, make_view(*this, shape, strides, offset()));
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  Shape shape = this->shape(), strides = this->strides();
  const int64_t stride = d < dim() ? this->strides()[d] * this->shape()[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return record_reshape(*this, make_view(*this, shape, strides, offset()));
}

}  // namespace fftune
