// The CUDA embedding kernels under emulation: the forward is index_select_forward and the
// backward index_add over a (V, C) table (outer = 1, as cuda::embedding_backward calls it),
// compared with cpu::embedding_forward / backward. The backward runs both ways: atomic (to
// rounding) and deterministic, sorted and segmented (Note [sorted segmented reduction]), which must
// equal the CPU bit for bit and repeat bit for bit. Token ids repeat (a real batch repeats tokens:
// padding, [CLS], common words), including one id that takes most of the batch.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ops/cpu/embedding_kernels.h"
#include "ops/cuda/index_kernels.h"
#include "ops/cuda/sort_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using testing::nan_tensor;
using testing::random_indices;
using testing::random_tensor;

struct Table {
  int64_t V, C, M;  // vocabulary, channels, tokens
};

const std::vector<Table> kTables = {{1, 1, 1}, {10, 33, 7}, {50, 257, 513}, {1000, 3, 300}};

// Token ids with repeats; a third of them the same id (a padding-like token).
Tensor token_ids(const Table& t, uint64_t seed) {
  Tensor ids = random_indices({t.M}, t.V, seed);
  int64_t* p = ids.data<int64_t>();
  for (int64_t m = 0; m < t.M; m += 3) p[m] = t.V / 2;
  return ids;
}

template <typename T>
Tensor deterministic_backward(const Tensor& g, const Tensor& ids, const Table& t, DType dtype) {
  std::vector<int64_t> keys(cuda::sorted_keys_length(t.M));
  cuda::sort_index_keys(keys.data(), ids.data<int64_t>(), t.M, nullptr);
  Tensor dweight = zeros({t.V, t.C}, dtype);
  cuda::index_add<T>(dweight.data<T>(), ids.data<int64_t>(), g.data<T>(), keys.data(), 1, t.V, t.M,
                     t.C, nullptr);
  return dweight;
}

template <typename T>
void check_embedding(const Table& t, DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message() << "V=" << t.V << " C=" << t.C << " M=" << t.M << " " << dtype);
  const Tensor weight = random_tensor({t.V, t.C}, dtype, 1, false);
  const Tensor ids = token_ids(t, 2);

  Tensor expected = empty({t.M, t.C}, dtype);
  cpu::embedding_forward(expected, weight, ids);
  Tensor out = nan_tensor({t.M, t.C}, dtype);
  cuda::index_select_forward<T>(out.data<T>(), weight.data<T>(), ids.data<int64_t>(), 1, t.V, t.M,
                                t.C, nullptr);
  EXPECT_ALL_CLOSE(out, expected, 0.0, 0.0);

  const Tensor g = random_tensor({t.M, t.C}, dtype, 3, false);
  Tensor dexpected = zeros({t.V, t.C}, dtype);
  cpu::embedding_backward(dexpected, g, ids);

  Tensor atomic = zeros({t.V, t.C}, dtype);
  cuda::index_add<T>(atomic.data<T>(), ids.data<int64_t>(), g.data<T>(), nullptr, 1, t.V, t.M, t.C,
                     nullptr);
  EXPECT_ALL_CLOSE(atomic, dexpected, tol, tol);

  const Tensor first = deterministic_backward<T>(g, ids, t, dtype);
  const Tensor second = deterministic_backward<T>(g, ids, t, dtype);
  EXPECT_ALL_CLOSE(first, dexpected, 0.0, 0.0);
  EXPECT_EQ(std::memcmp(first.raw_data(), second.raw_data(), first.numel() * sizeof(T)), 0)
      << "two deterministic runs differ";
}

TEST(EmbeddingKernels, ForwardAndBothBackwardsMatchCpu) {
  for (const Table& t : kTables) {
    check_embedding<float>(t, DType::f32, 1e-5);
    check_embedding<double>(t, DType::f64, 1e-12);
  }
}

}  // namespace
}  // namespace fftune
