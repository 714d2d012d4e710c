#include "tests/support/test_support.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <sstream>

namespace fftune::testing {

std::string fixture_path(const std::string& name) {
  return std::string(FFTUNE_FIXTURE_DIR) + "/" + name;
}

Tensor random_tensor(const Shape& shape, DType dtype, uint64_t seed, bool requires_grad) {
  Generator gen(seed);
  Tensor t;
  if (is_complex(dtype)) {
    const DType real = real_dtype(dtype);
    const Tensor re = randn(shape, real, Device::cpu(), &gen).to(DType::f64);
    const Tensor im = randn(shape, real, Device::cpu(), &gen).to(DType::f64);
    Tensor c = empty(shape, DType::c128);
    for (int64_t i = 0; i < c.numel(); ++i)
      c.data<c128_t>()[i] = {re.data<double>()[i], im.data<double>()[i]};
    t = c.to(dtype);
  } else {
    t = randn(shape, dtype == DType::i64 ? DType::f64 : dtype, Device::cpu(), &gen).to(dtype);
  }
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

Tensor fake_device_tensor(const Shape& shape, DType dtype, Device device) {
  const size_t nbytes = static_cast<size_t>(numel_of(shape)) * dtype_size(dtype);
  std::shared_ptr<void> bytes(new char[std::max<size_t>(nbytes, 1)](),
                              [](void* p) { delete[] static_cast<char*>(p); });
  return make_tensor(Storage::wrap(bytes, nbytes, device), shape, contiguous_strides(shape), 0,
                     dtype);
}

::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double rtol,
                                     double atol) {
  if (actual.shape() != expected.shape()) {
    std::ostringstream os;
    os << "shape " << actual.shape() << " vs expected " << expected.shape();
    return ::testing::AssertionFailure() << os.str();
  }
  NoGradGuard no_grad;
  const Tensor a = actual.to(Device::cpu()).to(DType::c128).contiguous();
  const Tensor b = expected.to(Device::cpu()).to(DType::c128).contiguous();
  double worst = 0;
  int64_t worst_i = -1;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const c128_t x = a.data<c128_t>()[i], y = b.data<c128_t>()[i];
    double ratio = x == y ? 0.0 : std::abs(x - y) / (atol + rtol * std::abs(y));
    if (std::isnan(ratio)) ratio = INFINITY;
    if (std::isnan(x.real()) != std::isnan(y.real())) ratio = INFINITY;
    if (std::isnan(x.real()) && std::isnan(y.real())) ratio = 0;
    if (ratio > worst) {
      worst = ratio;
      worst_i = i;
    }
  }
  if (worst <= 1) return ::testing::AssertionSuccess();
  const c128_t x = a.data<c128_t>()[worst_i], y = b.data<c128_t>()[worst_i];
  std::ostringstream os;
  os << "element " << worst_i << " of " << actual.shape() << ": got " << x << ", expected " << y
     << " (rtol " << rtol << ", atol " << atol << ", " << worst << "x the tolerance)";
  return ::testing::AssertionFailure() << os.str();
}

::testing::AssertionResult gradcheck_passes(
    const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
    GradcheckOptions options) {
  const GradcheckResult r = gradcheck(fn, inputs, options);
  if (r.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.message;
}

}  // namespace fftune::testing
