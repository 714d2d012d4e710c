// Complex-number ops: conj, real, imag, abs of a complex tensor, view_as_real, view_as_complex,
// complex(re, im).
//
// Gradients follow PyTorch's convention (the conjugate Wirtinger derivative, Note
// [broadcasting reduction] in ops/binary.cpp): for a complex input z = a + ib the gradient is
// ∂L/∂a + i·∂L/∂b. Viewed through view_as_real that is exactly the real gradient of the pair
// (a, b), which is why view_as_real and view_as_complex pass gradients through unchanged.
//
// Kernels: loops over std::complex on the CPU, ops/cuda/complex_kernels.cu on CUDA.
#include <cmath>

#include "core/autograd/node.h"
#include "core/threading.h"
#include "ops/cpu/loops.h"
#include "ops/cuda/complex_kernels.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

Tensor conj_kernel(const Tensor& x) {
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  if (!x.device().is_cpu())
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::conj(y, x), "conj", x.device());
  else if (x.dtype() == DType::c64)
    cpu::map1(y.data<c64_t>(), y.strides(), x.data<c64_t>(), x.strides(), x.shape(),
              [](c64_t v) { return std::conj(v); });
  else
    cpu::map1(y.data<c128_t>(), y.strides(), x.data<c128_t>(), x.strides(), x.shape(),
              [](c128_t v) { return std::conj(v); });
  return y;
}

class ConjBackward final : public Node {
 public:
  std::string name() const override { return "ConjBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override { return {conj_kernel(grads[0])}; }
};

// A view of `base`'s storage with another dtype and geometry; it shares the version counter.
Tensor make_view(const Tensor& base, DType dtype, Shape shape, Shape strides, int64_t offset) {
  Tensor v = make_tensor(base.storage(), std::move(shape), std::move(strides), offset, dtype);
  v.impl()->version = base.impl()->version;
  return v;
}

// Whether a real (…, 2) tensor can be read as complex numbers in place: the pair is adjacent
// (last stride 1) and every complex element starts on a whole complex number (even strides and
// offset, in real elements).
bool viewable_as_complex(const Tensor& x) {
  if (x.stride(-1) != 1 || x.offset() % 2 != 0) return false;
  for (int64_t d = 0; d + 1 < x.dim(); ++d)
    if (x.stride(d) % 2 != 0) return false;
  return true;
}

Tensor view_as_real_kernel(const Tensor& x) {
  Shape shape = x.shape(), strides = x.strides();
  for (int64_t& s : strides) s *= 2;
  shape.push_back(2);
  strides.push_back(1);
  return make_view(x, real_dtype(x.dtype()), shape, strides, 2 * x.offset());
}

Tensor view_as_complex_kernel(const Tensor& x) {
  Shape shape(x.shape().begin(), x.shape().end() - 1);
  Shape strides(x.strides().begin(), x.strides().end() - 1);
  for (int64_t& s : strides) s /= 2;
  return make_view(x, complex_dtype(x.dtype()), shape, strides, x.offset() / 2);
}

// Backward of view_as_real: the (…, 2) real gradient read as complex numbers (copied first when
// its layout does not allow a view, e.g. a gradient that is a strided slice).
class ViewAsRealBackward final : public Node {
 public:
  std::string name() const override { return "ViewAsRealBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& g = grads[0];  // (…, 2) real
    return {view_as_complex_kernel(viewable_as_complex(g) ? g : g.clone())};
  }
};

class ViewAsComplexBackward final : public Node {
 public:
  std::string name() const override { return "ViewAsComplexBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    return {view_as_real_kernel(grads[0])};  // (…) complex -> (…, 2) real
  }
};

// |z| as a real tensor of z's real dtype.
Tensor complex_abs_kernel(const Tensor& z) {
  Tensor y = empty(z.shape(), real_dtype(z.dtype()), z.device());
  if (!z.device().is_cpu())
    FFTUNE_CUDA_OR_NO_KERNEL(cuda::complex_abs(y, z), "abs", z.device());
  else if (z.dtype() == DType::c64)
    cpu::map1(y.data<float>(), y.strides(), z.data<c64_t>(), z.strides(), z.shape(),
              [](c64_t v) { return std::abs(v); });
  else
    cpu::map1(y.data<double>(), y.strides(), z.data<c128_t>(), z.strides(), z.shape(),
              [](c128_t v) { return std::abs(v); });
  return y;
}

// y = |z|, z = a + ib: ∂y/∂a + i·∂y/∂b = (a + ib)/|z| = z/|z|, so dz = g·z/|z| (0 at z = 0,
// PyTorch's choice of subgradient).
class ComplexAbsBackward final : public Node {
 public:
  std::string name() const override { return "AbsBackward"; }
  SavedTensor z;  // the input (…), complex

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor g = grads[0].contiguous();  // (…) real
    const Tensor zv = z.unpack(*this).contiguous();
    Tensor dz = empty(zv.shape(), zv.dtype(), zv.device());
    if (!zv.device().is_cpu()) {
      FFTUNE_CUDA_OR_NO_KERNEL(cuda::complex_abs_backward(dz, g, zv), "abs backward", zv.device());
      return {dz};
    }
    const int64_t n = zv.numel();
    auto run = [&]<typename C>() {
      using R = typename C::value_type;
      const R* pg = g.data<R>();
      const C* pz = zv.data<C>();
      C* out = dz.data<C>();
#pragma omp parallel for if (n >= cpu::kParallelGrain) num_threads(num_threads())
      for (int64_t i = 0; i < n; ++i) {
        const R r = std::abs(pz[i]);
        out[i] = r == R(0) ? C(0) : pz[i] * (pg[i] / r);
      }
    };
    if (zv.dtype() == DType::c64)
      run.template operator()<c64_t>();
    else
      run.template operator()<c128_t>();
    return {dz};
  }
};

// y = re + i·im: ∂L/∂re = Re g, ∂L/∂im = Im g, each summed back over broadcast dims.
class ComplexBackward final : public Node {
 public:
  ComplexBackward(Shape re_shape, Shape im_shape)
      : re_shape_(std::move(re_shape)), im_shape_(std::move(im_shape)) {}
  std::string name() const override { return "ComplexBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor parts = view_as_real_kernel(grads[0]);  // (…, 2) real
    Tensor dre, dim;
    if (needs_input_grad(0)) dre = sum_to(parts.select(-1, 0).contiguous(), re_shape_);
    if (needs_input_grad(1)) dim = sum_to(parts.select(-1, 1).contiguous(), im_shape_);
    return {dre, dim};
  }

 private:
  Shape re_shape_, im_shape_;
};

}  // namespace

Tensor conj(const Tensor& x) {
  check_defined("conj", x, "x");
  if (!is_complex(x.dtype())) return x;
  Tensor y = conj_kernel(x);
  if (auto node = make_node<ConjBackward>({x})) attach(node, {y});
  return y;
}

Tensor view_as_real(const Tensor& x) {
  check_defined("view_as_real", x, "x");
  FFTUNE_CHECK(is_complex(x.dtype()), "view_as_real: expected a complex tensor (c64, c128), got ",
               x.dtype());
  Tensor y = view_as_real_kernel(x);
  if (auto node = make_node<ViewAsRealBackward>({x})) attach(node, {y});
  return y;
}

Tensor view_as_complex(const Tensor& x) {
  check_defined("view_as_complex", x, "x");
  FFTUNE_CHECK(is_floating(x.dtype()), "view_as_complex: expected a f32 or f64 tensor, got ",
               x.dtype());
  FFTUNE_CHECK(x.dim() >= 1 && x.size(-1) == 2,
               "view_as_complex: the last dim must have size 2 (real, imag), got shape ",
               x.shape());
  FFTUNE_CHECK(viewable_as_complex(x), "view_as_complex: needs last stride 1 and even other ",
               "strides and offset, got strides ", x.strides(), " and offset ", x.offset(),
               "; call contiguous() first");
  Tensor y = view_as_complex_kernel(x);
  if (auto node = make_node<ViewAsComplexBackward>({x})) attach(node, {y});
  return y;
}

Tensor real(const Tensor& x) {
  check_defined("real", x, "x");
  if (!is_complex(x.dtype())) return x;
  return view_as_real(x).select(-1, 0);
}

Tensor imag(const Tensor& x) {
  check_defined("imag", x, "x");
  FFTUNE_CHECK(is_complex(x.dtype()), "imag: expected a complex tensor (c64, c128), got ",
               x.dtype());
  return view_as_real(x).select(-1, 1);
}

Tensor complex_abs(const Tensor& z) {
  check_defined("abs", z, "x");
  FFTUNE_CHECK(is_complex(z.dtype()), "abs: complex_abs expects a complex tensor, got ", z.dtype());
  Tensor y = complex_abs_kernel(z);
  if (auto node = make_node<ComplexAbsBackward>({z})) {
    node->save(node->z, z);
    attach(node, {y});
  }
  return y;
}

// re + i·im with broadcasting: the parts are written side by side into a (…, 2) buffer, which
// is then read as complex numbers.
Tensor complex(const Tensor& re, const Tensor& im) {
  check_defined("complex", re, "re");
  check_defined("complex", im, "im");
  check_same_device("complex", {re, im});
  check_same_dtype("complex", re, im);
  FFTUNE_CHECK(is_floating(re.dtype()), "complex: expected f32 or f64 parts, got ", re.dtype());
  const Shape shape = broadcast_shapes(re.shape(), im.shape(), "complex");
  Shape pair_shape = shape;
  pair_shape.push_back(2);
  // (…, 2) real: [..., 0] = re, [..., 1] = im.
  Tensor pairs = empty(pair_shape, re.dtype(), re.device());
  {
    NoGradGuard no_grad;
    pairs.select(-1, 0).copy_(re);
    pairs.select(-1, 1).copy_(im);
  }
  Tensor y = view_as_complex_kernel(pairs);
  if (auto node = make_node<ComplexBackward>({re, im}, re.shape(), im.shape())) attach(node, {y});
  return y;
}

}  // namespace fftune
