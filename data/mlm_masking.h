// The inputs and labels of masked-language-model pre-training, as BERT and RoBERTa made them (and
// as Hugging Face's DataCollatorForLanguageModeling does): each non-special token is chosen with
// probability mask_probability; a chosen token becomes <mask> 80% of the time, a random token 10%
// of the time, and stays itself the other 10%; the label is the original token at chosen
// positions and -100 (ignored by the loss) everywhere else. Special tokens (<s>, </s>, <pad>) are
// never chosen.
//
// The draws for token i are one Philox4x32 block at (seed, stream, i), so the masking of a batch
// is a pure function of (seed, stream): a new stream per batch gives fresh masks every epoch, as
// RoBERTa's dynamic masking does.
#pragma once

#include <cstdint>
#include <vector>

namespace fftune::data {

struct MlmMaskingOptions {
  double mask_probability = 0.15;
  int64_t mask_id = -1;
  int64_t vocab_size = 0;            // random replacements are drawn from [0, vocab_size)...
  std::vector<int64_t> special_ids;  // ...less these ids, which are also never chosen
};

struct MaskedTokens {
  std::vector<int64_t> inputs;  // the ids after masking
  std::vector<int64_t> labels;  // the original id where chosen, -100 elsewhere
};

// `ids` is any number of tokens (e.g. a (B, T) batch, row-major, padded with a special id).
MaskedTokens mask_tokens(const std::vector<int64_t>& ids, const MlmMaskingOptions& options,
                         uint64_t seed, uint64_t stream);

}  // namespace fftune::data
