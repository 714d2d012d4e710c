// ops/cuda/sort_kernels.cu under emulation: the bitonic sort of (index, position) keys against
// std::sort, at lengths that are and are not powers of two.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <vector>

#include "ops/cuda/sort_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

TEST(SortKernels, KeysAreSortedWithPositionsInOrderAndPaddingLast) {
  for (int64_t n : {1, 2, 3, 7, 64, 100, 1025}) {
    for (int64_t size : {int64_t(1), int64_t(5), n + 3}) {
      SCOPED_TRACE(::testing::Message() << "n=" << n << " size=" << size);
      const Tensor index = testing::random_indices({n}, size, 10 * n + size);
      const int64_t* idx = index.data<int64_t>();
      const int64_t length = cuda::sorted_keys_length(n);
      ASSERT_GE(length, n);
      ASSERT_EQ(length & (length - 1), 0) << "a power of two";
      std::vector<int64_t> expected(length, INT64_MAX);
      for (int64_t j = 0; j < n; ++j) expected[j] = idx[j] * n + j;
      std::sort(expected.begin(), expected.end());
      std::vector<int64_t> keys(length, -1);
      cuda::sort_index_keys(keys.data(), idx, n, nullptr);
      EXPECT_EQ(keys, expected);
    }
  }
}

}  // namespace
}  // namespace fftune
