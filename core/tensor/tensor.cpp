#include "core/tensor/tensor.h"

#include "core/autograd/engine.h"
#include "core/autograd/node.h"

namespace fftune {

const Shape& Tensor::shape() const {
  return impl_->shape;
}
const Shape& Tensor::strides() const {
  return impl_->strides;
}
int64_t Tensor::dim() const {
  return static_cast<int64_t>(impl_->shape.size());
}
int64_t Tensor::size(int64_t d) const {
  return impl_->shape[wrap_dim(d, dim(), "size")];
}
int64_t Tensor::stride(int64_t d) const {
  return impl_->strides[wrap_dim(d, dim(), "stride")];
}
int64_t Tensor::offset() const {
  return impl_->offset;
}
int64_t Tensor::numel() const {
  return numel_of(impl_->shape);
}
DType Tensor::dtype() const {
  return impl_->dtype;
}
Device Tensor::device() const {
  return impl_->storage->device;
}
const std::shared_ptr<Storage>& Tensor::storage() const {
  return impl_->storage;
}

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (size_t i = impl_->shape.size(); i-- > 0;) {
    if (impl_->shape[i] == 1) continue;  // the stride of a size-1 dim never matters
    if (impl_->strides[i] != expected) return false;
    expected *= impl_->shape[i];
  }
  return true;
}

void* Tensor::raw_data() const {
  FFTUNE_CHECK(defined(), "data: the tensor is undefined");
  return static_cast<char*>(impl_->storage->data.get()) + impl_->offset * dtype_size(dtype());
}

template <typename T>
T Tensor::item() const {
  FFTUNE_CHECK(numel() == 1, "item: expected a tensor with one element, got shape ", shape());
  FFTUNE_CHECK(dtype_of<T>::value == dtype(), "item<", dtype_name(dtype_of<T>::value),
               ">: tensor has dtype ", dtype());
  T value{};
  allocator_for(device())->copy(&value, Device::cpu(), raw_data(), device(), sizeof(T));
  return value;
}
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int64_t Tensor::item<int64_t>() const;
template c64_t Tensor::item<c64_t>() const;
template c128_t Tensor::item<c128_t>() const;

double Tensor::item() const {
  switch (dtype()) {
    case DType::f32:
      return item<float>();
    case DType::f64:
      return item<double>();
    case DType::i64:
      return static_cast<double>(item<int64_t>());
    default:
      FFTUNE_FAIL("item: a ", dtype(), " tensor has no real value; use item<T>()");
  }
}

bool Tensor::requires_grad() const {
  return impl_->requires_grad;
}

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  FFTUNE_CHECK(is_leaf(), "set_requires_grad: only leaf tensors can change requires_grad; ",
               "use detach() on the output of an op");
  FFTUNE_CHECK(!requires_grad || is_differentiable(dtype()),
               "set_requires_grad: only floating and complex tensors can require grad, got ",
               dtype());
  impl_->requires_grad = requires_grad;
  return *this;
}

const Tensor& Tensor::grad() const {
  return impl_->grad;
}
void Tensor::set_grad(const Tensor& grad) const {
  FFTUNE_CHECK(!grad.defined() || grad.shape() == shape(), "set_grad: gradient shape ",
               grad.shape(), " does not match the tensor's shape ", shape());
  impl_->grad = grad;
}
const std::shared_ptr<Node>& Tensor::grad_fn() const {
  return impl_->grad_fn;
}
bool Tensor::is_leaf() const {
  return impl_->grad_fn == nullptr;
}

void Tensor::backward(const Tensor& grad, bool retain_graph) const {
  autograd::backward({*this}, {grad}, retain_graph);
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->shape = impl_->shape;
  impl->strides = impl_->strides;
  impl->offset = impl_->offset;
  impl->dtype = impl_->dtype;
  impl->version = impl_->version;  // a detached alias still sees in-place writes
  return Tensor(std::move(impl));
}

uint64_t Tensor::version() const {
  return impl_->version->value;
}
void Tensor::bump_version() const {
  ++impl_->version->value;
}

Tensor make_tensor(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset,
                   DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::move(storage);
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

}  // namespace fftune
