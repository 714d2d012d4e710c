// ops/cuda/fft_kernels.cu under emulation: the Hermitian projection that the CUDA FFT ops run
// before cuFFT's C2R (Note [Hermitian projection before C2R]). After it the self-mirrored columns
// are exactly Hermitian, the other columns are untouched, and the CPU's C2R gives the same reals
// as for the unprojected input (the CPU projects implicitly): odd and even sizes, 1-D and 2-D.
#include <gtest/gtest.h>

#include <complex>

#include "ops/cpu/fft_kernels.h"
#include "ops/cuda/fft_kernels.h"
#include "tests/support/test_support.h"

namespace fftune {
namespace {

void check_projection(int64_t batch, int64_t n0, int64_t n1, int ndim) {
  SCOPED_TRACE(::testing::Message() << "batch=" << batch << " n0=" << n0 << " n1=" << n1);
  const int64_t bins = n1 / 2 + 1;
  const Shape half_shape = ndim == 2 ? Shape{batch, n0, bins} : Shape{batch, bins};
  const Shape real_shape = ndim == 2 ? Shape{batch, n0, n1} : Shape{batch, n1};
  const Tensor x = testing::random_tensor(half_shape, DType::c128, 1, false);
  Tensor projected = x.clone();
  cuda::hermitian_project<double>(reinterpret_cast<double*>(projected.raw_data()), batch,
                                  ndim == 2 ? n0 : 1, n1, nullptr);
  const int64_t rows = ndim == 2 ? n0 : 1;
  const c128_t* p = projected.data<c128_t>();
  const c128_t* o = x.data<c128_t>();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t j = 0; j < rows; ++j)
      for (int64_t c = 0; c < bins; ++c) {
        const int64_t cell = (b * rows + j) * bins + c;
        const bool self_mirrored = c == 0 || (n1 % 2 == 0 && c == n1 / 2);
        if (!self_mirrored) {
          EXPECT_EQ(p[cell], o[cell]) << "untouched column " << c;
          continue;
        }
        const int64_t mirror = (b * rows + (rows - j) % rows) * bins + c;
        EXPECT_EQ(p[cell], std::conj(p[mirror])) << "row " << j << " column " << c;
        EXPECT_NEAR(std::abs(p[cell] - (o[cell] + std::conj(o[mirror])) / 2.0), 0, 1e-15);
      }
  Tensor expected = empty(real_shape, DType::f64), got = empty(real_shape, DType::f64);
  cpu::fft_c2r_forward(expected, x, ndim, 1.0);
  cpu::fft_c2r_forward(got, projected, ndim, 1.0);
  EXPECT_ALL_CLOSE(got, expected, 1e-12, 1e-12);
}

TEST(HermitianProject, SelfMirroredColumnsBecomeHermitian) {
  check_projection(1, 1, 1, 2);
  check_projection(2, 6, 8, 2);    // even n0, even n1: columns 0 and 4, rows 0 and 3 self-mirrored
  check_projection(3, 7, 9, 2);    // odd sizes: column 0 only, row 0 only
  check_projection(1, 300, 2, 2);  // more row pairs than a block has threads
  check_projection(5, 1, 10, 1);   // 1-D: bins 0 and 5 become real
  check_projection(4, 1, 7, 1);
}

}  // namespace
}  // namespace fftune
