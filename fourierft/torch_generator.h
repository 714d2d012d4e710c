// PyTorch's CPU random number generator and its randperm, reproduced bit for bit, so that spectral
// entries drawn by HF peft from `random_loc_seed` can be regenerated here (see Note [peft
// permutation] in fourierft/entries.h). Checked against torch in
// tests/fixture/test_peft_entries.cpp.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace fftune::fourierft {

// torch.Generator() on the CPU (at::CPUGeneratorImpl): a 32-bit Mersenne Twister (MT19937).
//
// Seeding: torch.Generator().manual_seed(seed) takes the seed as a uint64 (a negative Python int
// is taken modulo 2^64) but its engine keeps only the low 32 bits, `seed & 0xffffffff`, and
// initialises the state with the reference init_genrand recurrence
// (state[j] = 1812433253 * (state[j-1] ^ (state[j-1] >> 30)) + j). torch reimplements MT19937
// (at::mt19937, for speed), but its output sequence is the reference one, which is exactly what
// std::mt19937 produces from the same 32-bit seed, so std::mt19937 is the engine here.
// initial_seed() still reports the full 64-bit seed, as torch does.
class TorchGenerator {
 public:
  // torch.Generator() without manual_seed starts from c10's default_rng_seed_val.
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;

  explicit TorchGenerator(uint64_t seed = kDefaultSeed) { manual_seed(seed); }

  // torch.Generator.manual_seed(seed).
  void manual_seed(uint64_t seed);
  // torch.Generator.initial_seed().
  uint64_t initial_seed() const { return seed_; }

  // CPUGeneratorImpl::random(): one 32-bit draw.
  uint32_t random() { return static_cast<uint32_t>(engine_()); }
  // CPUGeneratorImpl::random64(): two draws, the first one in the high half: (r1 << 32) | r2.
  uint64_t random64();
  // Skips `count` 32-bit draws (as if random() had been called `count` times).
  void discard(uint64_t count) { engine_.discard(count); }

 private:
  std::mt19937 engine_;
  uint64_t seed_ = kDefaultSeed;
};

// torch's CPU randperm switches algorithm at n = UINT32_MAX / 20 = 214748364
// (aten/src/ATen/native/TensorFactories.cpp, randperm_cpu):
//   n <  kTorchRandpermLargeN: Fisher–Yates, r = 0..n-1; for i in [0, n-1): z = random() % (n-i),
//                              swap(r[i], r[i+z]) — n-1 32-bit draws;
//   n >= kTorchRandpermLargeN: the "inside-out" Fisher–Yates; for i in [0, n): z = random64() %
//                              (i+1), r[i] = r[z], r[z] = i — n 64-bit draws (2n 32-bit ones),
//                              because random() % m is visibly biased when m nears 2^32.
inline constexpr int64_t kTorchRandpermLargeN = static_cast<int64_t>(UINT32_MAX / 20);

enum class RandpermAlgorithm {
  kFisherYates32,  // n < kTorchRandpermLargeN
  kInsideOut64,    // n >= kTorchRandpermLargeN
};

// The algorithm torch.randperm(n) on the CPU uses.
RandpermAlgorithm torch_randperm_algorithm(int64_t n);

// torch.randperm(n, generator=gen) (int64, CPU): the whole permutation. O(n) memory.
std::vector<int64_t> torch_randperm(int64_t n, TorchGenerator& gen);

// torch.randperm(n, generator=gen)[:k] in O(k) memory and O(n) time (it is what peft keeps).
// The generator ends in the same state as after torch_randperm(n, gen).
std::vector<int64_t> torch_randperm_prefix(int64_t n, int64_t k, TorchGenerator& gen);

// The same two with the algorithm forced, so that tests can run the large-n algorithm at small n.
std::vector<int64_t> torch_randperm(RandpermAlgorithm algorithm, int64_t n, TorchGenerator& gen);
std::vector<int64_t> torch_randperm_prefix(RandpermAlgorithm algorithm, int64_t n, int64_t k,
                                           TorchGenerator& gen);

}  // namespace fftune::fourierft
