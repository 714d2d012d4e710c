#include "data/mlm_masking.h"

#include <algorithm>

#include "core/error.h"
#include "core/tensor/philox.h"

namespace fftune::data {

MaskedTokens mask_tokens(const std::vector<int64_t>& ids, const MlmMaskingOptions& options,
                         uint64_t seed, uint64_t stream) {
  std::vector<int64_t> specials = options.special_ids;
  std::sort(specials.begin(), specials.end());
  specials.erase(std::unique(specials.begin(), specials.end()), specials.end());
  const int64_t regular = options.vocab_size - static_cast<int64_t>(specials.size());
  FFTUNE_CHECK(options.mask_probability >= 0 && options.mask_probability <= 1,
               "mask_tokens: mask_probability must be in [0, 1], got ", options.mask_probability);
  FFTUNE_CHECK(options.mask_id >= 0 && options.mask_id < options.vocab_size && regular > 0,
               "mask_tokens: mask_id ", options.mask_id, " must be an id of a vocabulary of ",
               options.vocab_size, " tokens with at least one non-special token");

  // 32 random bits as a uniform number in [0, 1).
  const auto unit = [](uint32_t bits) { return static_cast<double>(bits) * 0x1p-32; };
  MaskedTokens out{ids, std::vector<int64_t>(ids.size(), -100)};
  for (size_t i = 0; i < ids.size(); ++i) {
    if (std::binary_search(specials.begin(), specials.end(), ids[i])) continue;
    const Philox4x32 r = philox4x32(seed, stream, i);
    if (unit(r.v[0]) >= options.mask_probability) continue;
    out.labels[i] = ids[i];
    const double kind = unit(r.v[1]);
    if (kind < 0.8) {
      out.inputs[i] = options.mask_id;
    } else if (kind < 0.9) {
      // The k-th non-special id: walk k past each special id at or below it.
      int64_t k =
          std::min(static_cast<int64_t>(unit(r.v[2]) * static_cast<double>(regular)), regular - 1);
      for (int64_t special : specials)
        if (special <= k) ++k;
      out.inputs[i] = k;
    }  // else: the token stays itself
  }
  return out;
}

}  // namespace fftune::data
