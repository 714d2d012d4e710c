// ops/cuda/optim_kernels.cu under emulation: the in-place add_ against cpu::add_scaled_inplace,
// and the multi-tensor AdamW and SGD updates (one launch over several tensors, one larger than
// a chunk) against cpu::adamw_step / sgd_step applied tensor by tensor.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ops/cpu/binary_kernels.h"
#include "ops/cpu/optim_kernels.h"
#include "ops/cuda/optim_kernels.h"
#include "tests/emu/emu_support.h"

namespace fftune {
namespace {

using cuda::strided_layout;
using testing::random_tensor;

template <typename T>
void check_add_scaled(const Tensor& x, const Tensor& y, double alpha) {
  SCOPED_TRACE(::testing::Message() << "x " << testing::shape_string(x.shape()) << " y "
                                    << testing::shape_string(y.shape()) << " " << x.dtype());
  Tensor expected = x.clone();
  cpu::add_scaled_inplace(expected, y, alpha);
  Tensor out = x.clone();
  cuda::add_scaled_inplace<T>(out.data<T>(), y.data<T>(), strided_layout(out, {y}),
                              static_cast<T>(alpha), nullptr);
  EXPECT_ALL_CLOSE(out, expected, 0.0, 0.0);
}

TEST(OptimKernels, AddScaledInplaceMatchesCpu) {
  check_add_scaled<float>(random_tensor({1}, DType::f32, 1, false),
                          random_tensor({1}, DType::f32, 2, false), -0.5);
  check_add_scaled<float>(random_tensor({7, 300}, DType::f32, 3, false),
                          random_tensor({300}, DType::f32, 4, false), 1.0);
  check_add_scaled<double>(random_tensor({33, 5}, DType::f64, 5, false),
                           random_tensor({5, 33}, DType::f64, 6, false).transpose(0, 1), 3.0);
  check_add_scaled<int64_t>(full({4, 9}, 3.0, DType::i64), full({9}, 2.0, DType::i64), 2.0);
}

// Sizes of the tensors of one step: a scalar, odd sizes, and one spanning three chunks.
const std::vector<int64_t> kSizes = {1, 1000, 257, 2 * cuda::kChunkSize + 5, 33};

template <typename T>
void check_adamw(DType dtype, double tol) {
  SCOPED_TRACE(::testing::Message() << dtype);
  std::vector<Tensor> p, g, m, v, p_ref, m_ref, v_ref;
  std::vector<AdamWStepScalars> scalars;
  std::vector<cuda::AdamWTensor<T>> table;
  for (size_t t = 0; t < kSizes.size(); ++t) {
    const int64_t n = kSizes[t];
    p.push_back(random_tensor({n}, dtype, 10 * t + 1, false));
    g.push_back(random_tensor({n}, dtype, 10 * t + 2, false));
    m.push_back(mul(random_tensor({n}, dtype, 10 * t + 3, false), 0.1));
    v.push_back(mul(abs(random_tensor({n}, dtype, 10 * t + 4, false)), 0.01));
    p_ref.push_back(p.back().clone());
    m_ref.push_back(m.back().clone());
    v_ref.push_back(v.back().clone());
    // Per-tensor scalars, as after different numbers of steps and with or without decay.
    const double step = 1.0 + static_cast<double>(t);
    AdamWStepScalars s;
    s.decay = t % 2 == 0 ? 1.0 - 1e-3 * 1e-2 : 1.0;
    s.beta1 = 0.9;
    s.beta2 = 0.999;
    s.step_size = 1e-3 / (1.0 - std::pow(0.9, step));
    s.bias_correction2_sqrt = std::sqrt(1.0 - std::pow(0.999, step));
    s.eps = 1e-8;
    scalars.push_back(s);
    table.push_back(
        {p.back().template data<T>(), g.back().template data<T>(), m.back().template data<T>(),
         v.back().template data<T>(), n, static_cast<T>(s.decay), static_cast<T>(1.0 - s.beta1),
         static_cast<T>(s.beta2), static_cast<T>(1.0 - s.beta2), static_cast<T>(-s.step_size),
         static_cast<T>(s.bias_correction2_sqrt), static_cast<T>(s.eps), s.decay != 1.0});
  }
  const std::vector<cuda::TensorChunk> chunks = cuda::split_into_chunks(kSizes);
  cuda::adamw_step<T>(table.data(), chunks.data(), static_cast<int64_t>(chunks.size()), nullptr);
  for (size_t t = 0; t < kSizes.size(); ++t) {
    cpu::adamw_step(p_ref[t], g[t], m_ref[t], v_ref[t], scalars[t]);
    EXPECT_ALL_CLOSE(p[t], p_ref[t], tol, tol) << "param " << t;
    EXPECT_ALL_CLOSE(m[t], m_ref[t], tol, tol) << "exp_avg " << t;
    EXPECT_ALL_CLOSE(v[t], v_ref[t], tol, tol) << "exp_avg_sq " << t;
  }
}

TEST(OptimKernels, MultiTensorAdamWMatchesCpuPerTensor) {
  check_adamw<float>(DType::f32, 1e-6);
  check_adamw<double>(DType::f64, 1e-14);
}

template <typename T>
void check_sgd(DType dtype, double tol, double momentum, bool nesterov, bool first) {
  SCOPED_TRACE(::testing::Message() << dtype << " momentum " << momentum
                                    << (nesterov ? " nesterov" : "") << (first ? " first" : ""));
  const SGDStepScalars s{0.1, momentum == 0.0 ? 0.0 : 1e-2, momentum, 0.1, nesterov, first};
  std::vector<Tensor> p, g, b, p_ref, b_ref;
  std::vector<cuda::SGDTensor<T>> table;
  for (size_t t = 0; t < kSizes.size(); ++t) {
    const int64_t n = kSizes[t];
    p.push_back(random_tensor({n}, dtype, 10 * t + 1, false));
    g.push_back(random_tensor({n}, dtype, 10 * t + 2, false));
    b.push_back(momentum != 0.0 ? random_tensor({n}, dtype, 10 * t + 3, false) : Tensor());
    p_ref.push_back(p.back().clone());
    b_ref.push_back(b.back().defined() ? b.back().clone() : Tensor());
    table.push_back({p.back().template data<T>(), g.back().template data<T>(),
                     b.back().defined() ? b.back().template data<T>() : nullptr, n,
                     static_cast<T>(s.weight_decay), static_cast<T>(s.momentum),
                     static_cast<T>(1.0 - s.dampening), static_cast<T>(-s.lr),
                     s.weight_decay != 0.0, s.nesterov, s.first_step});
  }
  const std::vector<cuda::TensorChunk> chunks = cuda::split_into_chunks(kSizes);
  cuda::sgd_step<T>(table.data(), chunks.data(), static_cast<int64_t>(chunks.size()), nullptr);
  for (size_t t = 0; t < kSizes.size(); ++t) {
    cpu::sgd_step(p_ref[t], g[t], b_ref[t], s);
    EXPECT_ALL_CLOSE(p[t], p_ref[t], tol, tol) << "param " << t;
    if (momentum != 0.0) {
      EXPECT_ALL_CLOSE(b[t], b_ref[t], tol, tol) << "momentum buffer " << t;
    }
  }
}

TEST(OptimKernels, MultiTensorSgdMatchesCpuPerTensor) {
  check_sgd<float>(DType::f32, 1e-6, 0.0, false, false);
  for (bool nesterov : {false, true})
    for (bool first : {false, true}) {
      check_sgd<float>(DType::f32, 1e-6, 0.9, nesterov, first);
      check_sgd<double>(DType::f64, 1e-14, 0.9, nesterov, first);
    }
}

TEST(OptimKernels, ChunksCoverEveryElementOnce) {
  const std::vector<cuda::TensorChunk> chunks =
      cuda::split_into_chunks({0, 1, cuda::kChunkSize, cuda::kChunkSize + 1});
  ASSERT_EQ(chunks.size(), 4u);  // the empty tensor has none
  EXPECT_EQ(chunks[0].tensor, 1);
  EXPECT_EQ(chunks[1].tensor, 2);
  EXPECT_EQ(chunks[2].tensor, 3);
  EXPECT_EQ(chunks[2].begin, 0);
  EXPECT_EQ(chunks[3].tensor, 3);
  EXPECT_EQ(chunks[3].begin, cuda::kChunkSize);
}

}  // namespace
}  // namespace fftune
