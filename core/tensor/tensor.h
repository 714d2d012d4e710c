// Tensor: a handle to a TensorImpl = shared Storage + shape + strides + offset + dtype
// (+ autograd state). Copying a Tensor copies the handle, not the data, as in PyTorch.
//
// Views (reshape, transpose, narrow, expand, ...) share the storage and the version counter of
// their base. Their member functions are declared here and defined in ops/ (ops/view.cpp,
// ops/copy.cpp), because they are differentiable ops: core/ holds the data model, ops/ the math.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tensor/device.h"
#include "core/tensor/dtype.h"
#include "core/tensor/shape.h"
#include "core/tensor/storage.h"

namespace fftune {

class Node;
struct TensorImpl;

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor (no storage); defined() is false
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- metadata ----
  const Shape& shape() const;
  const Shape& strides() const;
  int64_t dim() const;
  int64_t size(int64_t dim) const;  // negative dims count from the end
  int64_t stride(int64_t dim) const;
  int64_t offset() const;  // in elements, into the storage
  int64_t numel() const;
  DType dtype() const;
  Device device() const;
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const;

  // Pointer to the first element (storage + offset). Checks that T matches the dtype.
  template <typename T>
  T* data() const {
    FFTUNE_CHECK(dtype_of<T>::value == dtype(), "data<", dtype_name(dtype_of<T>::value),
                 ">: tensor has dtype ", dtype());
    return static_cast<T*>(raw_data());
  }
  void* raw_data() const;

  // The single value of a one-element tensor (copied to the host if needed).
  template <typename T>
  T item() const;
  double item() const;  // any real dtype, converted to double

  // ---- autograd ----
  bool requires_grad() const;
  // Marks a leaf as trainable (or frozen). Only leaves can change this.
  Tensor& set_requires_grad(bool requires_grad);
  const Tensor& grad() const;  // undefined until a backward pass reaches this leaf
  void set_grad(const Tensor& grad) const;
  const std::shared_ptr<Node>& grad_fn() const;
  bool is_leaf() const;  // no grad_fn: created by the user, not by a differentiable op
  // Backpropagates from this tensor. A non-scalar needs `grad` (same shape).
  void backward(const Tensor& grad = Tensor(), bool retain_graph = false) const;
  // The same data, cut off from the graph (shares storage and version counter).
  Tensor detach() const;
  // Bumped by every in-place write; saved tensors check it in backward.
  uint64_t version() const;
  void bump_version() const;

  // ---- views (ops/view.cpp) ----
  Tensor view(const Shape& shape) const;     // must be expressible without a copy
  Tensor reshape(const Shape& shape) const;  // a view when possible, else a copy; one -1 allowed
  Tensor flatten() const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;  // transpose of a 2-D tensor
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;  // removes `dim`
  Tensor expand(const Shape& shape) const;          // -1 keeps a size
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;

  // ---- copies and conversions (ops/copy.cpp) ----
  Tensor contiguous() const;  // itself if already contiguous
  Tensor clone() const;
  Tensor to(DType dtype) const;
  Tensor to(Device device) const;
  // In-place writes (bump the version; refused on a tensor that takes part in autograd).
  Tensor& copy_(const Tensor& src);  // broadcasts src to this shape, converts dtype
  Tensor& fill_(double value);
  Tensor& zero_();

  std::string to_string() const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

struct VersionCounter {
  uint64_t value = 0;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;  // in elements
  int64_t offset = 0;
  DType dtype = DType::f32;
  std::shared_ptr<VersionCounter> version = std::make_shared<VersionCounter>();

  // autograd state
  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;         // set on outputs of differentiable ops
  uint32_t output_nr = 0;                // which output of grad_fn this tensor is
  std::weak_ptr<Node> grad_accumulator;  // leaves: the node that adds into .grad
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// A tensor over existing storage with the given geometry (no copy, no autograd).
Tensor make_tensor(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset,
                   DType dtype);

}  // namespace fftune
