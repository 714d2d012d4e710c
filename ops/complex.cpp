// Complex-number ops. conj: y = x̄; backward dx = conj(g) (PyTorch's conjugate Wirtinger
// convention, Note [broadcasting reduction] in ops/binary.cpp).
#include "core/autograd/node.h"
#include "ops/cpu/loops.h"
#include "ops/op_utils.h"
#include "ops/ops.h"

namespace fftune {
namespace {

Tensor conj_kernel(const Tensor& x) {
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  if (!x.device().is_cpu()) no_kernel("conj", x.device());
  if (x.dtype() == DType::c64)
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

}  // namespace

Tensor conj(const Tensor& x) {
  check_defined("conj", x, "x");
  if (!is_complex(x.dtype())) return x;
  Tensor y = conj_kernel(x);
  if (auto node = make_node<ConjBackward>({x})) attach(node, {y});
  return y;
}

}  // namespace fftune
