#include "fourierft/torch_generator.h"

#include <unordered_map>

#include "core/error.h"

namespace fftune::fourierft {

void TorchGenerator::manual_seed(uint64_t seed) {
  seed_ = seed;
  engine_.seed(static_cast<std::mt19937::result_type>(seed & 0xffffffffULL));
}

uint64_t TorchGenerator::random64() {
  const uint64_t hi = random();
  const uint64_t lo = random();
  return (hi << 32) | lo;
}

RandpermAlgorithm torch_randperm_algorithm(int64_t n) {
  return n < kTorchRandpermLargeN ? RandpermAlgorithm::kFisherYates32
                                  : RandpermAlgorithm::kInsideOut64;
}

std::vector<int64_t> torch_randperm(int64_t n, TorchGenerator& gen) {
  return torch_randperm(torch_randperm_algorithm(n), n, gen);
}

std::vector<int64_t> torch_randperm_prefix(int64_t n, int64_t k, TorchGenerator& gen) {
  return torch_randperm_prefix(torch_randperm_algorithm(n), n, k, gen);
}

std::vector<int64_t> torch_randperm(RandpermAlgorithm algorithm, int64_t n, TorchGenerator& gen) {
  FFTUNE_CHECK(n >= 0, "torch_randperm: n must be non-negative, got ", n);
  std::vector<int64_t> r(static_cast<size_t>(n));  // (n,)
  if (algorithm == RandpermAlgorithm::kFisherYates32) {
    for (int64_t i = 0; i < n; ++i) r[i] = i;
    for (int64_t i = 0; i + 1 < n; ++i) {
      const int64_t z = static_cast<int64_t>(gen.random()) % (n - i);
      std::swap(r[i], r[i + z]);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t z = static_cast<int64_t>(gen.random64() % static_cast<uint64_t>(i + 1));
      r[i] = r[z];  // z == i: overwritten just below
      r[z] = i;
    }
  }
  return r;
}

// The first k positions of both algorithms can be followed without the rest of the array:
//   Fisher–Yates: step i only touches positions i and i+z >= i, so positions < k are final after
//     step k-1; the positions >= k that earlier steps swapped into are kept in a sparse map (at
//     most k of them), every other position still holds its own index. The remaining n-1-k draws
//     are then discarded so that the generator ends where torch's does.
//   inside-out: step i writes r[i] (only tracked when i < k) and r[z] = i with z <= i, so a
//     position j < k ends with the last i whose z hits it; steps i >= k only matter when z < k.
std::vector<int64_t> torch_randperm_prefix(RandpermAlgorithm algorithm, int64_t n, int64_t k,
                                           TorchGenerator& gen) {
  FFTUNE_CHECK(n >= 0, "torch_randperm_prefix: n must be non-negative, got ", n);
  FFTUNE_CHECK(k >= 0 && k <= n, "torch_randperm_prefix: k must be in [0, n] = [0, ", n, "], got ",
               k);
  std::vector<int64_t> r(static_cast<size_t>(k));  // (k,) positions 0..k-1
  if (algorithm == RandpermAlgorithm::kFisherYates32) {
    for (int64_t i = 0; i < k; ++i) r[i] = i;
    std::unordered_map<int64_t, int64_t> far;  // position >= k -> its value, where changed
    far.reserve(static_cast<size_t>(k));
    const int64_t steps = n > 0 ? std::min(k, n - 1) : 0;
    for (int64_t i = 0; i < steps; ++i) {
      const int64_t j = i + static_cast<int64_t>(gen.random()) % (n - i);
      if (j < k) {
        std::swap(r[i], r[j]);
      } else {
        auto it = far.find(j);
        const int64_t value_j = it == far.end() ? j : it->second;
        far[j] = r[i];
        r[i] = value_j;
      }
    }
    const int64_t total_draws = n > 0 ? n - 1 : 0;
    gen.discard(static_cast<uint64_t>(total_draws - steps));
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t z = static_cast<int64_t>(gen.random64() % static_cast<uint64_t>(i + 1));
      if (i < k) r[i] = r[z];  // z == i: overwritten just below
      if (z < k) r[z] = i;
    }
  }
  return r;
}

}  // namespace fftune::fourierft
