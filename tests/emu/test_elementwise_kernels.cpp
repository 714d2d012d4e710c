// ops/cuda/elementwise_kernels.cu under emulation, against the CPU kernels (ops/cpu/unary_kernels,
// ops/cpu/binary_kernels): every unary op forward and backward, every binary op with
// broadcasting, contiguous (vectorised) and strided paths, at sizes that are not multiples of the
// vector width or the block size.
#include <gtest/gtest.h>

#include "ops/cpu/binary_kernels.h"
#include "ops/cpu/unary_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using cuda::strided_layout;
using testing::nan_tensor;
using testing::random_tensor;

const UnaryOp kUnaryOps[] = {UnaryOp::kNeg,   UnaryOp::kExp,  UnaryOp::kLog,      UnaryOp::kSqrt,
                             UnaryOp::kRsqrt, UnaryOp::kAbs,  UnaryOp::kTanh,     UnaryOp::kSigmoid,
                             UnaryOp::kRelu,  UnaryOp::kGelu, UnaryOp::kGeluTanh, UnaryOp::kPow};
const BinaryOp kBinaryOps[] = {BinaryOp::kAdd, BinaryOp::kSub,     BinaryOp::kMul,
                               BinaryOp::kDiv, BinaryOp::kMaximum, BinaryOp::kEq,
                               BinaryOp::kGt,  BinaryOp::kLt,      BinaryOp::kGe};

bool needs_positive(UnaryOp op) {
  return op == UnaryOp::kLog || op == UnaryOp::kSqrt || op == UnaryOp::kRsqrt ||
         op == UnaryOp::kPow;
}

Tensor input_for(UnaryOp op, const Shape& shape, DType dtype, uint64_t seed) {
  Tensor x = random_tensor(shape, dtype, seed, false);
  return needs_positive(op) ? add(abs(x), 0.25) : x;
}

template <typename T>
void check_unary(const Tensor& x, UnaryOp op, double rtol) {
  const T p = T(2.5);
  Tensor expected = empty(x.shape(), x.dtype());
  cpu::unary_forward(expected, x, op, 2.5);
  Tensor y = nan_tensor(x.shape(), x.dtype());
  cuda::unary_forward<T>(y.data<T>(), x.data<T>(), strided_layout(y, {x}), op, p, nullptr);
  EXPECT_ALL_CLOSE(y, expected, rtol, rtol);

  // The backward on contiguous g and s (the saved input or output).
  const Tensor xc = x.contiguous();
  Tensor g = random_tensor(x.shape(), x.dtype(), 99, false);
  Tensor s = (op == UnaryOp::kExp || op == UnaryOp::kSqrt || op == UnaryOp::kRsqrt ||
              op == UnaryOp::kTanh || op == UnaryOp::kSigmoid)
                 ? expected
                 : xc;
  Tensor dx_expected = empty(x.shape(), x.dtype());
  cpu::unary_backward(dx_expected, g, s, op, 2.5);
  Tensor dx = nan_tensor(x.shape(), x.dtype());
  cuda::unary_backward<T>(dx.data<T>(), g.data<T>(), s.data<T>(), x.numel(), op, p, nullptr);
  EXPECT_ALL_CLOSE(dx, dx_expected, rtol, rtol);
}

TEST(ElementwiseKernels, UnaryMatchesCpu) {
  for (UnaryOp op : kUnaryOps) {
    SCOPED_TRACE(static_cast<int>(op));
    for (const Shape& shape : {Shape{}, Shape{1}, Shape{3}, Shape{1027}, Shape{5, 301}}) {
      SCOPED_TRACE(::testing::PrintToString(shape));
      check_unary<float>(input_for(op, shape, DType::f32, 1), op, 1e-5);
      check_unary<double>(input_for(op, shape, DType::f64, 2), op, 1e-12);
    }
    // Strided: a transposed input, and an input starting off a 16-byte boundary.
    check_unary<float>(input_for(op, {37, 19}, DType::f32, 3).t(), op, 1e-5);
    check_unary<float>(input_for(op, {1001}, DType::f32, 4).slice(0, 1, 1001), op, 1e-5);
  }
}

template <typename T>
void check_binary(const Tensor& a, const Tensor& b, BinaryOp op) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "test");
  Tensor expected = empty(shape, a.dtype());
  cpu::binary_forward(expected, a, b, op);
  Tensor out = nan_tensor(shape, a.dtype());
  cuda::binary_forward<T>(out.data<T>(), a.data<T>(), b.data<T>(), strided_layout(out, {a, b}), op,
                          nullptr);
  EXPECT_ALL_CLOSE(out, expected, 0, 0);  // one rounding of the same operation: exact
}

TEST(ElementwiseKernels, BinaryWithBroadcastingMatchesCpu) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{1}, {1}},         {{1029}, {1029}},    {{7, 333}, {7, 333}}, {{7, 333}, {333}},
      {{7, 1}, {1, 333}}, {{4, 1, 5}, {3, 1}}, {{}, {2, 3}},         {{2, 3, 4, 5}, {5}}};
  for (BinaryOp op : kBinaryOps) {
    SCOPED_TRACE(static_cast<int>(op));
    for (const auto& [sa, sb] : cases) {
      SCOPED_TRACE(::testing::PrintToString(sa) + " with " + ::testing::PrintToString(sb));
      check_binary<float>(random_tensor(sa, DType::f32, 5, false),
                          random_tensor(sb, DType::f32, 6, false), op);
      check_binary<double>(random_tensor(sa, DType::f64, 7, false),
                           random_tensor(sb, DType::f64, 8, false), op);
    }
    // Equal values, so that the comparisons see ties.
    Tensor a = random_tensor({130}, DType::f32, 9, false);
    check_binary<float>(a, a, op);
    // A non-contiguous operand.
    check_binary<float>(random_tensor({33, 17}, DType::f32, 10, false).t(),
                        random_tensor({17, 33}, DType::f32, 11, false), op);
  }
}

}  // namespace
}  // namespace fftune
