// Tensor factories. Values are computed on the host and copied to the target device.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune {

Tensor empty(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor zeros(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor full(const Shape& shape, double value, DType dtype = DType::f32,
            Device device = Device::cpu());
Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
// 0-dim tensor holding `value`.
Tensor scalar_tensor(double value, DType dtype = DType::f32, Device device = Device::cpu());
// [start, end) by step; i64 unless a dtype is given.
Tensor arange(int64_t end, DType dtype = DType::i64, Device device = Device::cpu());
Tensor arange(double start, double end, double step, DType dtype = DType::f32,
              Device device = Device::cpu());

// Copies host values into a new tensor of the given shape (numel must match).
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device = Device::cpu());
// The tensor's elements, in row-major order, as a host vector (any layout, any device).
template <typename T>
std::vector<T> to_vector(const Tensor& t);

// ---- random (Philox, DESIGN.md §2) ----
// Each call draws from a fresh stream of the generator: element i of stream s under seed k is
// a pure function of (k, s, i), identical on CPU and CUDA.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}
  void manual_seed(uint64_t seed) {
    seed_ = seed;
    next_stream_ = 0;
  }
  uint64_t seed() const { return seed_; }
  uint64_t next_stream() { return next_stream_++; }
  // State for exact resume: (seed, next stream).
  uint64_t stream_position() const { return next_stream_; }
  void set_stream_position(uint64_t s) { next_stream_ = s; }

 private:
  uint64_t seed_;
  uint64_t next_stream_ = 0;
};

Generator& default_generator();
void manual_seed(uint64_t seed);

Tensor rand(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu(),
            Generator* gen = nullptr);  // U[0, 1)
Tensor randn(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu(),
             Generator* gen = nullptr);  // N(0, 1), Box–Muller
Tensor randint(int64_t low, int64_t high, const Shape& shape, Device device = Device::cpu(),
               Generator* gen = nullptr);  // i64 in [low, high)
Tensor randperm(int64_t n, Device device = Device::cpu(), Generator* gen = nullptr);

}  // namespace fftune
