// RoBERTa's (GPT-2's) byte-level BPE tokenizer, read from the vocab.json and merges.txt of a
// Hugging Face model directory, giving the same ids as transformers' RobertaTokenizer
// (tests/fixture/test_tokenizer_hf.cpp).
//
// Note [byte-level BPE]
// 1. Pre-tokenise: split the text with GPT-2's pattern
//      's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//    (a leading space stays attached to the word after it: "Ġworld").
// 2. Map every UTF-8 byte of a piece to one printable code point (the byte-to-unicode table), so
//    any byte string is spelled in the vocabulary's 256 base symbols and nothing is ever unknown.
// 3. Apply the merges: repeatedly join the adjacent pair with the lowest merge rank (its line in
//    merges.txt) until no adjacent pair has a rank; the symbols left are the tokens.
// Special tokens <s> </s> <pad> <unk> <mask> take their ids from vocab.json. Their literal text
// inside the input ("<mask>") is tokenised as ordinary text, not as the special token.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fftune::data {

// GPT-2's byte-to-unicode table (step 2 of Note [byte-level BPE]): the code point that spells
// byte `b` in vocab.json and merges.txt ('!'..'~', '¡'..'¬', '®'..'ÿ' stand for themselves; the
// other 68 bytes take 256, 257, ... in byte order, so ' ' is 'Ġ', U+0120).
uint32_t byte_to_unicode(uint8_t b);

// Token ids with their attention mask (1 = token, 0 = padding), both (T).
struct Encoding {
  std::vector<int64_t> ids;             // (T)
  std::vector<int64_t> attention_mask;  // (T)
};

class BpeTokenizer {
 public:
  // Reads `vocab_json` (a JSON object token -> id) and `merges_txt` (one "left right" pair per
  // line, most frequent first, an optional "#version" line). A malformed file is an Error naming
  // the file and the line.
  static BpeTokenizer from_files(const std::string& vocab_json, const std::string& merges_txt);
  // The same from a model directory holding vocab.json and merges.txt.
  static BpeTokenizer from_directory(const std::string& dir);

  // Tokens of `text` without special tokens.
  std::vector<int64_t> tokenize(std::string_view text) const;

  // <s> A </s>, A truncated so that the whole has at most max_len ids (0: no limit).
  Encoding encode(std::string_view text, int64_t max_len = 0) const;
  // <s> A </s></s> B </s>, truncated longest-first to at most max_len ids (0: no limit).
  Encoding encode_pair(std::string_view a, std::string_view b, int64_t max_len = 0) const;

  // Appends <pad> ids (mask 0) up to `length`; an encoding longer than `length` is an Error.
  void pad(Encoding& encoding, int64_t length) const;

  // The text of `ids`: bytes rebuilt from the byte-level symbols, ill-formed UTF-8 replaced by
  // U+FFFD; special tokens appear as their text unless skip_special.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special = false) const;

  // GPT-2's pre-tokenisation (step 1 of Note [byte-level BPE]): the pieces of `text`, in order.
  static std::vector<std::string_view> pre_tokenize(std::string_view text);

  int64_t vocab_size() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t token_to_id(const std::string& token) const;  // -1 when absent
  const std::string& id_to_token(int64_t id) const;
  bool is_special(int64_t id) const;

  int64_t bos_id() const { return bos_id_; }  // <s>, also the classifier token
  int64_t eos_id() const { return eos_id_; }  // </s>, also the separator
  int64_t pad_id() const { return pad_id_; }
  int64_t unk_id() const { return unk_id_; }
  int64_t mask_id() const { return mask_id_; }

  BpeTokenizer(const BpeTokenizer& other);
  BpeTokenizer& operator=(const BpeTokenizer&) = delete;

 private:
  BpeTokenizer() = default;

  // The token ids of one pre-tokenised piece (steps 2 and 3), through the cache.
  std::vector<int64_t> encode_piece(std::string_view piece) const;
  std::vector<int64_t> merge(std::vector<int64_t> symbols) const;

  std::unordered_map<std::string, int64_t> vocab_;  // token -> id
  std::vector<std::string> tokens_;                 // id -> token ("" for unused ids)
  // (left id << 32 | right id) -> {rank, merged id}
  struct Merge {
    int64_t rank;
    int64_t id;
  };
  std::unordered_map<uint64_t, Merge> merges_;
  std::array<int64_t, 256> byte_ids_{};  // id of each byte's base symbol (unk if absent)
  int64_t bos_id_ = -1, eos_id_ = -1, pad_id_ = -1, unk_id_ = -1, mask_id_ = -1;

  // piece -> ids. Bounded: cleared when it grows past kCacheLimit entries.
  static constexpr size_t kCacheLimit = 1 << 16;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;
  mutable std::mutex cache_mutex_;
};

}  // namespace fftune::data
