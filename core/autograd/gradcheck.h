// gradcheck: compares an op's backward with central finite differences (PyTorch's gradcheck,
// DESIGN.md §5 layer 2). Run it in f64/c128: f32 differences are too noisy.
//
// The scalar checked is L = Σ Re(conj(v) · y) for a fixed random v of y's shape, so one
// backward(v) gives every ∂L/∂x. For a complex input element z = a + ib the expected gradient
// is ∂L/∂a + i·∂L/∂b (PyTorch's convention for complex gradients).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  uint64_t seed = 1234;  // for the output gradient v
};

struct GradcheckResult {
  bool ok = true;
  std::string message;  // the worst element: input, index, analytic and numeric values
};

// fn maps the inputs to one output tensor. Inputs that require grad are checked; they may be
// non-contiguous views of f64/c128 leaves.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, GradcheckOptions options = {});

}  // namespace fftune
