// Spectral entries E ∈ Z^{2×n} of FourierFT (DESIGN.md §3 "Entry sampling"): which n cells of the
// d1 × d2 spectrum of a weight carry trainable coefficients. Uniform sampling reproduces HF peft
// exactly (Note [peft permutation]); frequency-biased sampling implements the paper's Eq. 5.
#pragma once

#include <cstdint>
#include <vector>

namespace fftune::fourierft {

// Note [peft permutation]
// ~~~~~~~~~~~~~~~~~~~~~~~
// peft (src/peft/tuners/fourierft/layer.py, FourierFTLayer.update_layer) does, per adapted layer
// with weight (out_features, in_features) = (d1, d2):
//
//   idx = torch.randperm(d1 * d2, generator=torch.Generator().manual_seed(random_loc_seed))[:n]
//   indices = torch.stack([idx // d2, idx % d2], dim=0)      # (2, n): row 0 = rows, row 1 = cols
//   dense_spectrum[indices[0], indices[1]] = spectrum         # dense_spectrum is (d1, d2)
//
// and saves only `fourierft_spectrum` (n,) per layer plus `random_loc_seed` in the config, so the
// entries must be regenerated from the seed on load. Entry l is therefore (idx[l] / d2,
// idx[l] % d2): the row indexes the out dimension d1, the column the in dimension d2, and the
// order of the n entries is the order of the permutation (spectrum[l] belongs to entry l).
// uniform_entries() reproduces this bit for bit: TorchGenerator is torch's CPU MT19937 seeded
// the way manual_seed seeds it, and torch_randperm_prefix() follows torch's CPU randperm,
// including its switch to 64-bit draws for d1 * d2 >= 214748364 (fourierft/torch_generator.h),
// while keeping only the n entries in memory. tests/fixture/test_peft_entries.cpp compares with
// entries written by torch and by peft's own layer (tools/gen_entries_fixtures.py).
// For a Conv1D base layer (GPT-2 style, fan_in_fan_out) peft uses the same (out, in) spectrum and
// transposes ΔW afterwards, so the entries are the same function of (d1 = out, d2 = in).

// E ∈ Z^{2×n}: entry l is (rows[l], cols[l]); rows index the out dimension d1, cols the in
// dimension d2.
struct SpectralEntries {
  int64_t d1 = 0, d2 = 0;
  std::vector<int64_t> rows, cols;  // (N,), (N,)
  int64_t size() const { return static_cast<int64_t>(rows.size()); }
};

// The n entries peft's FourierFT draws for a (d1, d2) weight with random_loc_seed = seed.
// Requires d1, d2 > 0 and 0 < n <= d1 * d2.
SpectralEntries uniform_entries(int64_t d1, int64_t d2, int64_t n, uint64_t seed);

// n distinct entries drawn without replacement with probability proportional to the band-pass
// map of frequency_bias_map(d1, d2, fc, width) (paper §3.1, Eq. 5), deterministic per seed.
//
// Method: the exponential race (Efraimidis–Spirakis weighted reservoir sampling in its log form).
// Every cell c gets an independent E_c ~ Exp(1) and the key log E_c − log p_c; the n cells with
// the smallest keys are taken, in increasing key order. This draws exactly like n successive
// weighted picks without replacement (so the first m of the entries are themselves such a
// sample), and it is the method torch.multinomial(p, n, replacement=False) uses; it is not
// bit-identical to torch.multinomial, whose exponential_ draws may go through MKL.
// Draws: a TorchGenerator seeded with `seed` gives one random64() per cell in row-major order,
// u = (bits >> 11 + 0.5) / 2^53 ∈ (0, 1), E = −log u: one sequential stream, so the result does
// not depend on thread count, and no RNG beyond the one uniform_entries already needs.
// Keys use log p directly, so cells whose p underflows in frequency_bias_map keep their (tiny)
// chance; only cells with p = 0 exactly (the D = 0 cell when fc > 0) are never drawn.
// Ties between keys (u has 53 bits) go to the smaller row-major index.
// Errors: width <= 0, fc < 0 (or either not finite), n <= 0, d1 or d2 <= 0, or fewer than n
// cells with non-zero probability.
SpectralEntries frequency_biased_entries(int64_t d1, int64_t d2, int64_t n, double fc, double width,
                                         uint64_t seed);

// Throws fftune::Error unless d1, d2 > 0, rows.size() == cols.size(), 0 < n <= d1 * d2, every
// entry lies in [0, d1) × [0, d2), and no entry repeats.
void validate_entries(const SpectralEntries& e);

// The (d1, d2) map p[u, v] = exp(−((D² − fc²) / (D · W))²), row-major, unnormalised, where D is
// the distance of the signed frequency (ũ, ṽ) from zero, ũ = u for u < d1/2 else u − d1 (the same
// for v with d2), i.e. the distance from the centre after fftshift. At D = 0 the limit: 1 when
// fc = 0, else 0. Symmetric under (u, v) -> (−u mod d1, −v mod d2). Same argument checks as
// frequency_biased_entries.
std::vector<double> frequency_bias_map(int64_t d1, int64_t d2, double fc, double width);

}  // namespace fftune::fourierft
