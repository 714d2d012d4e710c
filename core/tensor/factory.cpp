#include "core/tensor/factory.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "core/tensor/philox.h"

namespace fftune {
namespace {

// Builds a contiguous host tensor with fill(ptr, n), then moves it to `device`.
template <typename T, typename Fill>
Tensor host_filled(const Shape& shape, Device device, Fill fill) {
  Tensor host = empty(shape, dtype_of<T>::value, Device::cpu());
  fill(host.data<T>(), host.numel());
  return device.is_cpu() ? host : host.to(device);
}

template <typename T>
T from_double(double v) {
  return static_cast<T>(v);
}

}  // namespace

Tensor empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t s : shape) FFTUNE_CHECK(s >= 0, "empty: negative size in shape ", shape);
  int64_t nbytes = 0;
  FFTUNE_CHECK(
      !__builtin_mul_overflow(numel_of(shape), static_cast<int64_t>(dtype_size(dtype)), &nbytes),
      "empty: shape ", shape, " is too large: its byte size overflows 64 bits");
  return make_tensor(Storage::allocate(static_cast<size_t>(nbytes), device), shape,
                     contiguous_strides(shape), 0, dtype);
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  if (!device.is_cpu()) {  // filled where it lives: no host buffer, no copy across the bus
    Tensor t = empty(shape, dtype, device);
    t.fill_(value);
    return t;
  }
  return dispatch_all(dtype, "full", [&]<typename T>() {
    return host_filled<T>(shape, device,
                          [&](T* p, int64_t n) { std::fill(p, p + n, from_double<T>(value)); });
  });
}

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  return full(shape, 0.0, dtype, device);
}
Tensor ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, 1.0, dtype, device);
}
Tensor empty_like(const Tensor& t) {
  return empty(t.shape(), t.dtype(), t.device());
}
Tensor zeros_like(const Tensor& t) {
  return zeros(t.shape(), t.dtype(), t.device());
}
Tensor ones_like(const Tensor& t) {
  return ones(t.shape(), t.dtype(), t.device());
}

Tensor scalar_tensor(double value, DType dtype, Device device) {
  return full({}, value, dtype, device);
}

Tensor arange(int64_t end, DType dtype, Device device) {
  return arange(0.0, static_cast<double>(end), 1.0, dtype, device);
}

Tensor arange(double start, double end, double step, DType dtype, Device device) {
  FFTUNE_CHECK(step != 0, "arange: step must be non-zero");
  const double count = std::ceil((end - start) / step);
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  return dispatch_real(dtype, "arange", [&]<typename T>() {
    return host_filled<T>({n}, device, [&](T* p, int64_t m) {
      for (int64_t i = 0; i < m; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
    });
  });
}

template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device) {
  FFTUNE_CHECK(static_cast<int64_t>(values.size()) == numel_of(shape),
               "from_vector: ", values.size(), " values do not fill shape ", shape);
  return host_filled<T>(shape, device,
                        [&](T* p, int64_t) { std::copy(values.begin(), values.end(), p); });
}

template <typename T>
std::vector<T> to_vector(const Tensor& t) {
  Tensor c = t.to(Device::cpu()).contiguous();
  const T* p = c.data<T>();
  return std::vector<T>(p, p + c.numel());
}

#define FFTUNE_INSTANTIATE_VECTOR_IO(T)                                        \
  template Tensor from_vector<T>(const std::vector<T>&, const Shape&, Device); \
  template std::vector<T> to_vector<T>(const Tensor&);
FFTUNE_INSTANTIATE_VECTOR_IO(float)
FFTUNE_INSTANTIATE_VECTOR_IO(double)
FFTUNE_INSTANTIATE_VECTOR_IO(int64_t)
FFTUNE_INSTANTIATE_VECTOR_IO(c64_t)
FFTUNE_INSTANTIATE_VECTOR_IO(c128_t)
#undef FFTUNE_INSTANTIATE_VECTOR_IO

Generator& default_generator() {
  static Generator gen(0);
  return gen;
}

void manual_seed(uint64_t seed) {
  default_generator().manual_seed(seed);
}

Tensor rand(const Shape& shape, DType dtype, Device device, Generator* gen) {
  Generator& g = gen ? *gen : default_generator();
  const uint64_t seed = g.seed(), stream = g.next_stream();
  return dispatch_float(dtype, "rand", [&]<typename T>() {
    return host_filled<T>(shape, device, [&](T* p, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
      for (int64_t i = 0; i < n; ++i) {
        const Philox4x32 r = philox4x32(seed, stream, static_cast<uint64_t>(i));
        if constexpr (std::is_same_v<T, float>)
          p[i] = philox_uniform_float(r);
        else
          p[i] = philox_uniform_double(r);
      }
    });
  });
}

Tensor randn(const Shape& shape, DType dtype, Device device, Generator* gen) {
  Generator& g = gen ? *gen : default_generator();
  const uint64_t seed = g.seed(), stream = g.next_stream();
  return dispatch_float(dtype, "randn", [&]<typename T>() {
    return host_filled<T>(shape, device, [&](T* p, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
      for (int64_t i = 0; i < n; ++i) {
        // Box–Muller on two 32-bit words of this element's draw: u1 in (0, 1], u2 in [0, 1).
        const Philox4x32 r = philox4x32(seed, stream, static_cast<uint64_t>(i));
        const double u1 = (static_cast<double>(r.v[0]) + 1.0) * (1.0 / 4294967296.0);
        const double u2 = static_cast<double>(r.v[1]) * (1.0 / 4294967296.0);
        p[i] =
            static_cast<T>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
      }
    });
  });
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Device device, Generator* gen) {
  FFTUNE_CHECK(high > low, "randint: expected low < high, got [", low, ", ", high, ")");
  Generator& g = gen ? *gen : default_generator();
  const uint64_t seed = g.seed(), stream = g.next_stream();
  const uint64_t range = static_cast<uint64_t>(high - low);
  return host_filled<int64_t>(shape, device, [&](int64_t* p, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const Philox4x32 r = philox4x32(seed, stream, static_cast<uint64_t>(i));
      // 64 random bits modulo the range: the bias is below range / 2^64, negligible.
      const uint64_t bits = static_cast<uint64_t>(r.v[0]) << 32 | r.v[1];
      p[i] = low + static_cast<int64_t>(bits % range);
    }
  });
}

Tensor randperm(int64_t n, Device device, Generator* gen) {
  FFTUNE_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  Generator& g = gen ? *gen : default_generator();
  const uint64_t seed = g.seed(), stream = g.next_stream();
  return host_filled<int64_t>({n}, device, [&](int64_t* p, int64_t m) {
    // Fisher–Yates, swapping position i with a uniform j in [i, m) drawn from element i.
    std::iota(p, p + m, int64_t{0});
    for (int64_t i = 0; i + 1 < m; ++i) {
      const Philox4x32 r = philox4x32(seed, stream, static_cast<uint64_t>(i));
      const uint64_t bits = static_cast<uint64_t>(r.v[0]) << 32 | r.v[1];
      std::swap(p[i], p[i + static_cast<int64_t>(bits % static_cast<uint64_t>(m - i))]);
    }
  });
}

}  // namespace fftune
