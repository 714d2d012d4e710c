// Shared helpers for the GoogleTest suite.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/autograd/gradcheck.h"
#include "ops/ops.h"

namespace fftune::testing {

// Absolute path of a file under tests/fixtures/.
std::string fixture_path(const std::string& name);

// A leaf with N(0,1) entries (seeded), optionally requiring grad.
Tensor random_tensor(const Shape& shape, DType dtype = DType::f64, uint64_t seed = 0,
                     bool requires_grad = true);

// A tensor that claims to live on `device` but is backed by host memory: lets CPU-only builds
// reach an op's device-mismatch checks. Ops must reject it before reading its data.
Tensor fake_device_tensor(const Shape& shape, DType dtype, Device device);

// Max over elements of |a - b| / (atol + rtol·|b|) ≤ 1, with a message naming the worst element.
::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected,
                                     double rtol = 1e-5, double atol = 1e-8);

// Asserts that gradcheck passes.
::testing::AssertionResult gradcheck_passes(
    const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
    GradcheckOptions options = {});

}  // namespace fftune::testing

#define EXPECT_ALL_CLOSE(actual, expected, ...) \
  EXPECT_TRUE(::fftune::testing::all_close(actual, expected, ##__VA_ARGS__))
#define EXPECT_GRADCHECK(fn, inputs, ...) \
  EXPECT_TRUE(::fftune::testing::gradcheck_passes(fn, inputs, ##__VA_ARGS__))
// Expects `statement` to throw fftune::Error whose message contains `substring`.
#define EXPECT_FFTUNE_ERROR(statement, substring)                                      \
  do {                                                                                 \
    try {                                                                              \
      statement;                                                                       \
      ADD_FAILURE() << "expected fftune::Error containing '" << (substring) << "'";    \
    } catch (const ::fftune::Error& e) {                                               \
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos) << e.what(); \
    }                                                                                  \
  } while (0)
