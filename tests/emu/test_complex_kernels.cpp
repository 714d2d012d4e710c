// ops/cuda/complex_kernels.cu under emulation, against the CPU backend: complex add, sub, mul
// and div with broadcasting and strided operands, conj, abs and its backward, and the dtype
// conversion kernel for every pair of dtypes, at sizes that are not multiples of the block size.
#include <gtest/gtest.h>

#include <complex>
#include <limits>

#include "ops/cpu/binary_kernels.h"
#include "ops/cpu/copy_kernels.h"
#include "ops/cuda/complex_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using cuda::strided_layout;
using testing::random_tensor;

// NaN in every real number of the buffer (also both parts of a complex element), so that an
// element the kernel does not write fails the comparison.
Tensor poisoned(const Shape& shape, DType dtype) {
  if (!is_complex(dtype)) return testing::nan_tensor(shape, dtype);
  Shape pairs = shape;
  pairs.push_back(2);
  return view_as_complex(testing::nan_tensor(pairs, real_dtype(dtype)));
}

template <typename T>
T* reals(const Tensor& t) {
  return reinterpret_cast<T*>(t.raw_data());
}

template <typename T>
void check_complex_binary(const Tensor& a, const Tensor& b, BinaryOp op, double tol) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "test");
  Tensor expected = empty(shape, a.dtype());
  cpu::binary_forward(expected, a, b, op);
  Tensor out = poisoned(shape, a.dtype());
  cuda::complex_binary_forward<T>(reals<T>(out), reals<T>(a), reals<T>(b),
                                  strided_layout(out, {a, b}), op, nullptr);
  EXPECT_ALL_CLOSE(out, expected, tol, tol);
}

TEST(ComplexKernels, BinaryWithBroadcastingMatchesCpu) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{1}, {1}}, {{1029}, {1029}}, {{7, 333}, {333}}, {{7, 1}, {1, 333}}, {{}, {2, 3}}};
  for (BinaryOp op : {BinaryOp::kAdd, BinaryOp::kSub, BinaryOp::kMul, BinaryOp::kDiv}) {
    SCOPED_TRACE(static_cast<int>(op));
    for (const auto& [sa, sb] : cases) {
      SCOPED_TRACE(::testing::PrintToString(sa) + " with " + ::testing::PrintToString(sb));
      check_complex_binary<float>(random_tensor(sa, DType::c64, 1, false),
                                  random_tensor(sb, DType::c64, 2, false), op, 1e-5);
      check_complex_binary<double>(random_tensor(sa, DType::c128, 3, false),
                                   random_tensor(sb, DType::c128, 4, false), op, 1e-13);
    }
    // A transposed operand.
    check_complex_binary<float>(random_tensor({33, 17}, DType::c64, 5, false).t(),
                                random_tensor({17, 33}, DType::c64, 6, false), op, 1e-5);
  }
  // Division by numbers whose parts differ greatly in size (both branches of Smith's algorithm),
  // where |b|² would overflow in float.
  const Tensor a = from_vector<c64_t>({{1, 2}, {3e30f, -1e30f}, {-4, 0.5f}}, {3});
  const Tensor b = from_vector<c64_t>({{1e-3f, 7}, {2e30f, 1e30f}, {5, -1e-4f}}, {3});
  check_complex_binary<float>(a, b, BinaryOp::kDiv, 1e-6);
}

TEST(ComplexKernels, ConjAbsAndAbsBackwardMatchCpu) {
  for (const Shape& shape : {Shape{1}, Shape{257}, Shape{9, 31}}) {
    SCOPED_TRACE(::testing::PrintToString(shape));
    const Tensor z = random_tensor(shape, DType::c64, 7, false);
    Tensor conj_out = poisoned(shape, DType::c64);
    cuda::complex_conj<float>(reals<float>(conj_out), reals<float>(z),
                              strided_layout(conj_out, {z}), nullptr);
    EXPECT_ALL_CLOSE(conj_out, conj(z), 0, 0);

    Tensor abs_out = poisoned(shape, DType::f32);
    cuda::complex_abs<float>(abs_out.data<float>(), reals<float>(z), strided_layout(abs_out, {z}),
                             nullptr);
    EXPECT_ALL_CLOSE(abs_out, complex_abs(z), 1e-6, 0);

    // dz = g · z / |z|, and 0 at z = 0.
    Tensor zc = z.clone();
    zc.data<c64_t>()[0] = 0;
    const Tensor g = random_tensor(shape, DType::f32, 8, false);
    Tensor dz = poisoned(shape, DType::c64);
    cuda::complex_abs_backward<float>(reals<float>(dz), g.data<float>(), reals<float>(zc),
                                      zc.numel(), nullptr);
    const Tensor expected = mul(zc, div(g, complex_abs(zc)).to(DType::c64));
    EXPECT_EQ(dz.data<c64_t>()[0], c64_t(0));
    EXPECT_ALL_CLOSE(dz.slice(0, 1, shape[0]), expected.slice(0, 1, shape[0]), 1e-5, 1e-6);
  }
  // A strided (transposed) conj.
  const Tensor zt = random_tensor({17, 5}, DType::c128, 9, false).t();
  Tensor out = poisoned(zt.shape(), DType::c128);
  cuda::complex_conj<double>(reals<double>(out), reals<double>(zt), strided_layout(out, {zt}),
                             nullptr);
  EXPECT_ALL_CLOSE(out, conj(zt), 0, 0);
}

// Runs cuda::convert for src -> dst with the dtypes' scalar types and complex flags.
void convert_emulated(const Tensor& dst, const Tensor& src) {
  auto scalar = [](DType t) { return is_complex(t) ? real_dtype(t) : t; };
  dispatch_real(scalar(dst.dtype()), "test", [&]<typename TOut>() {
    dispatch_real(scalar(src.dtype()), "test", [&]<typename TIn>() {
      cuda::convert<TOut, TIn>(reinterpret_cast<TOut*>(dst.raw_data()), is_complex(dst.dtype()),
                               reinterpret_cast<const TIn*>(src.raw_data()),
                               is_complex(src.dtype()), strided_layout(dst, {src}), nullptr);
    });
  });
}

TEST(ComplexKernels, ConvertBetweenEveryPairOfDtypesMatchesCpu) {
  const DType dtypes[] = {DType::f32, DType::f64, DType::i64, DType::c64, DType::c128};
  for (DType from : dtypes)
    for (DType to : dtypes) {
      SCOPED_TRACE(std::string(dtype_name(from)) + " -> " + dtype_name(to));
      // Values with a fractional part (so that conversions to i64 truncate); i64 sources are
      // such values truncated.
      const DType drawn = from == DType::i64 ? DType::f64 : from;
      Tensor src = mul(random_tensor({3, 301}, drawn, 10, false), 10.0).to(from);
      Tensor expected = empty(src.shape(), to);
      cpu::copy(expected, src);
      // i64 has no NaN: it starts from a value that no source element converts to.
      Tensor got = to == DType::i64 ? full(src.shape(), -1e15, to) : poisoned(src.shape(), to);
      convert_emulated(got, src);
      EXPECT_ALL_CLOSE(got, expected, 0, 0);
    }
  // Strided and broadcast: a transposed source, and a row broadcast over a matrix.
  const Tensor t = random_tensor({7, 13}, DType::f32, 11, false).t();
  Tensor got = poisoned(t.shape(), DType::c128);
  convert_emulated(got, t);
  EXPECT_ALL_CLOSE(got, t.to(DType::c128), 0, 0);
  const Tensor row = random_tensor({13}, DType::c64, 12, false);
  Tensor wide = poisoned({5, 13}, DType::c64);
  convert_emulated(wide, row);
  EXPECT_ALL_CLOSE(wide, row.expand({5, 13}), 0, 0);
}

}  // namespace
}  // namespace fftune
