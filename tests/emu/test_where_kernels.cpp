// ops/cuda/where_kernels.cu under emulation, against cpu::where_forward: broadcasting of all
// three operands, a strided (transposed) operand, a 0-dim operand, and conditions of every
// real dtype.
#include <gtest/gtest.h>

#include "ops/cpu/where_kernels.h"
#include "ops/cuda/where_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_indices;
using testing::random_tensor;

cuda::WhereLayout where_layout(const Tensor& out, const Tensor& cond, const Tensor& a,
                               const Tensor& b) {
  cuda::WhereLayout layout;
  layout.ndim = static_cast<int>(out.dim());
  const Tensor* operands[4] = {&out, &cond, &a, &b};
  for (int k = 0; k < 4; ++k) {
    const Shape strides = broadcast_strides(*operands[k], out.shape());
    for (int d = 0; d < layout.ndim; ++d) layout.strides[k][d] = strides[d];
  }
  for (int d = 0; d < layout.ndim; ++d) layout.shape[d] = out.size(d);
  return layout;
}

template <typename T, typename C>
void check_where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  SCOPED_TRACE(::testing::Message()
               << "cond " << testing::shape_string(cond.shape()) << " " << cond.dtype() << ", a "
               << testing::shape_string(a.shape()) << ", b " << testing::shape_string(b.shape())
               << " " << a.dtype());
  const Shape shape =
      broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor expected = empty(shape, a.dtype());
  cpu::where_forward(expected, cond, a, b);
  Tensor out =
      a.dtype() == DType::i64 ? full(shape, -7.0, a.dtype()) : nan_tensor(shape, a.dtype());
  cuda::where_forward<T, C>(out.data<T>(), cond.data<C>(), a.data<T>(), b.data<T>(),
                            where_layout(out, cond, a, b), nullptr);
  EXPECT_ALL_CLOSE(out, expected, 0.0, 0.0);
}

template <typename C>
void check_where_shapes(DType cond_dtype) {
  // A 0/1 condition in cond's dtype (random_indices in [0, 2)).
  auto cond = [&](const Shape& s) { return random_indices(s, 2, 1).to(cond_dtype); };
  auto values = [](const Shape& s, DType d, uint64_t seed) {
    return random_tensor(s, DType::f64, seed, false).to(d);
  };
  check_where<float, C>(cond({1}), values({1}, DType::f32, 2), values({1}, DType::f32, 3));
  check_where<float, C>(cond({7, 1, 33}), values({5, 1}, DType::f32, 4),
                        values({33}, DType::f32, 5));
  check_where<double, C>(cond({300}), values({2, 300}, DType::f64, 6), values({}, DType::f64, 7));
  check_where<double, C>(cond({9, 17}), values({17, 9}, DType::f64, 8).transpose(0, 1),
                         values({9, 1}, DType::f64, 9));
  check_where<int64_t, C>(cond({4, 257}), values({4, 257}, DType::i64, 10),
                          values({1, 257}, DType::i64, 11));
}

TEST(WhereKernels, MatchesCpuWithBroadcastingAndEveryConditionDtype) {
  check_where_shapes<float>(DType::f32);
  check_where_shapes<double>(DType::f64);
  check_where_shapes<int64_t>(DType::i64);
}

}  // namespace
}  // namespace fftune
