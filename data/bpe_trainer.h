// Training a byte-level BPE vocabulary (vocab.json + merges.txt) from text, in the format that
// BpeTokenizer (data/bpe_tokenizer.h) and Hugging Face's ByteLevelBPETokenizer read.
//
// Note [training byte-level BPE]
// 1. Pre-tokenise every text with GPT-2's pattern (BpeTokenizer::pre_tokenize) and count the
//    distinct pieces ("words"); spell each word in the 256 byte symbols (byte_to_unicode).
// 2. Count every adjacent symbol pair over all words, weighted by the word's count (overlapping
//    pairs count twice: "aaa" holds ("a","a") twice).
// 3. Repeatedly take the most frequent pair (ties: the pair with the smaller left id, then the
//    smaller right id, as Hugging Face's trainer breaks them), give the joined symbol the next id,
//    record "left right" as the next line of merges.txt, and join the pair in every word that
//    holds it, left to right. Stop at vocab_size tokens, or when the best pair is seen fewer than
//    min_frequency times.
// Ids: the special tokens first (RoBERTa's <s> <pad> </s> <unk> <mask> are 0..4), then the 256
// byte symbols in code-point order, then one id per merge. Step 3 keeps, for each pair, the set of
// words holding it, so a merge touches only those words; the best pair comes from a max-heap whose
// stale entries are skipped when popped.
//
// Tokenising a training word with the result applies the same merges in the same order
// (BpeTokenizer joins the pair of lowest rank first), so it gives the word's final segmentation.
// On the same lines and settings the files are identical to those of Hugging Face's
// ByteLevelBPETokenizer trainer (tests/fixture/test_bpe_trainer_hf.cpp; also checked by hand on a
// 4 MB text with 50,000 tokens, bench/bench_tokenizer.cpp's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fftune::data {

struct BpeTrainerOptions {
  int64_t vocab_size = 1000;  // special tokens + 256 byte symbols + merges, at most
  int64_t min_frequency = 2;  // a pair seen fewer times is never merged
  std::vector<std::string> special_tokens = {"<s>", "<pad>", "</s>", "<unk>", "<mask>"};
};

// What training produces: the two files of a byte-level BPE tokenizer.
struct BpeVocabulary {
  std::vector<std::string> tokens;                          // id -> token, as in vocab.json
  std::vector<std::pair<std::string, std::string>> merges;  // merges.txt, rank order

  // Writes <dir>/vocab.json and <dir>/merges.txt (creating dir; each file written under a
  // temporary name and renamed).
  void save(const std::string& dir) const;
};

class BpeTrainer {
 public:
  explicit BpeTrainer(BpeTrainerOptions options = {});

  // Counts the pre-tokenised pieces of `text` (step 1). Call once per document or line.
  void add_text(std::string_view text);

  // Steps 2 and 3 over everything added so far.
  BpeVocabulary train() const;

  // Distinct pieces counted so far.
  int64_t num_words() const { return static_cast<int64_t>(word_counts_.size()); }

 private:
  BpeTrainerOptions options_;
  std::unordered_map<std::string, int64_t> word_counts_;
};

}  // namespace fftune::data
