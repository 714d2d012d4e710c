#include "data/bpe_trainer.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <queue>

#include "core/error.h"
#include "data/bpe_tokenizer.h"
#include "data/unicode.h"

namespace fftune::data {
namespace {

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(left) << 32) | static_cast<uint32_t>(right);
}
int32_t left_of(uint64_t key) {
  return static_cast<int32_t>(key >> 32);
}
int32_t right_of(uint64_t key) {
  return static_cast<int32_t>(key & 0xffffffffu);
}

// A heap entry: a pair and its count when pushed (stale once the count has changed).
struct Candidate {
  int64_t count;
  uint64_t pair;
};
// Max-heap order: the higher count first; on a tie the smaller pair (left id, then right id).
struct CandidateOrder {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.count != b.count ? a.count < b.count : a.pair > b.pair;
  }
};

// Joins every (left, right) of `symbols` into `joined`, left to right.
void merge_word(std::vector<int32_t>& symbols, int32_t left, int32_t right, int32_t joined) {
  size_t out = 0;
  for (size_t k = 0; k < symbols.size();) {
    if (k + 1 < symbols.size() && symbols[k] == left && symbols[k + 1] == right) {
      symbols[out++] = joined;
      k += 2;
    } else {
      symbols[out++] = symbols[k++];
    }
  }
  symbols.resize(out);
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    FFTUNE_CHECK(out.good(), "BpeVocabulary::save: cannot write ", tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

BpeTrainer::BpeTrainer(BpeTrainerOptions options) : options_(std::move(options)) {
  const int64_t base = static_cast<int64_t>(options_.special_tokens.size()) + 256;
  FFTUNE_CHECK(options_.vocab_size >= base, "BpeTrainer: vocab_size ", options_.vocab_size,
               " is smaller than the ", options_.special_tokens.size(),
               " special tokens + 256 byte symbols");
  FFTUNE_CHECK(options_.min_frequency >= 1, "BpeTrainer: min_frequency must be at least 1, got ",
               options_.min_frequency);
}

void BpeTrainer::add_text(std::string_view text) {
  for (std::string_view piece : BpeTokenizer::pre_tokenize(text))
    ++word_counts_[std::string(piece)];
}

BpeVocabulary BpeTrainer::train() const {
  BpeVocabulary vocab;
  std::unordered_map<std::string, int32_t> id_of;  // token -> id
  const auto add_token = [&](const std::string& token) {
    auto [it, inserted] = id_of.emplace(token, static_cast<int32_t>(vocab.tokens.size()));
    if (inserted) vocab.tokens.push_back(token);
    return it->second;
  };
  for (const std::string& special : options_.special_tokens) {
    FFTUNE_CHECK(id_of.count(special) == 0, "BpeTrainer: special token ", special, " given twice");
    add_token(special);
  }
  // The 256 byte symbols in code-point order; symbol_of_byte[b] is byte b's id.
  std::vector<int> bytes(256);
  for (int b = 0; b < 256; ++b) bytes[b] = b;
  std::sort(bytes.begin(), bytes.end(), [](int a, int b) {
    return byte_to_unicode(static_cast<uint8_t>(a)) < byte_to_unicode(static_cast<uint8_t>(b));
  });
  std::array<int32_t, 256> symbol_of_byte{};
  for (int b : bytes) {
    std::string symbol;
    utf8_append(symbol, byte_to_unicode(static_cast<uint8_t>(b)));
    symbol_of_byte[b] = add_token(symbol);
  }

  // Words in a fixed order (sorted), so the result does not depend on hash-map iteration.
  std::vector<std::pair<std::string, int64_t>> sorted(word_counts_.begin(), word_counts_.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::vector<int32_t>> words(sorted.size());  // each word's symbols
  std::vector<int64_t> counts(sorted.size());
  for (size_t w = 0; w < sorted.size(); ++w) {
    for (char c : sorted[w].first) words[w].push_back(symbol_of_byte[static_cast<uint8_t>(c)]);
    counts[w] = sorted[w].second;
  }

  // Step 2: pair counts and, for each pair, the words holding it (a word may be listed more than
  // once, or still listed after losing the pair: both are harmless, see below).
  std::unordered_map<uint64_t, int64_t> pair_counts;
  std::unordered_map<uint64_t, std::vector<int32_t>> holders;
  const auto count_pairs = [&](int32_t w, int64_t sign, std::vector<uint64_t>* touched) {
    const std::vector<int32_t>& s = words[w];
    for (size_t k = 0; k + 1 < s.size(); ++k) {
      const uint64_t key = pair_key(s[k], s[k + 1]);
      pair_counts[key] += sign * counts[w];
      if (sign > 0) {
        std::vector<int32_t>& h = holders[key];
        if (h.empty() || h.back() != w) h.push_back(w);
      }
      if (touched != nullptr) touched->push_back(key);
    }
  };
  for (size_t w = 0; w < words.size(); ++w) count_pairs(static_cast<int32_t>(w), +1, nullptr);
  std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> heap;
  for (const auto& [key, count] : pair_counts) heap.push({count, key});

  // Step 3.
  std::vector<int64_t> last_merge(words.size(), -1);  // the merge that last visited each word
  std::vector<uint64_t> touched;
  const auto vocab_size = static_cast<size_t>(options_.vocab_size);
  while (vocab.tokens.size() < vocab_size && !heap.empty()) {
    const Candidate top = heap.top();
    heap.pop();
    const int64_t current = pair_counts[top.pair];
    if (current != top.count) {  // stale: requeue with the current count
      if (current > 0) heap.push({current, top.pair});
      continue;
    }
    if (current < options_.min_frequency) break;
    const int32_t left = left_of(top.pair), right = right_of(top.pair);
    // As Hugging Face's trainer: a joined string that already is a token keeps that token's id
    // (two merge orders can spell the same string); the merge is recorded either way.
    const int32_t joined = add_token(vocab.tokens[left] + vocab.tokens[right]);
    vocab.merges.emplace_back(vocab.tokens[left], vocab.tokens[right]);

    const int64_t merge_index = static_cast<int64_t>(vocab.merges.size());
    const std::vector<int32_t> words_with_pair = std::move(holders[top.pair]);
    holders.erase(top.pair);
    touched.clear();
    for (int32_t w : words_with_pair) {
      if (last_merge[w] == merge_index) continue;  // listed twice
      last_merge[w] = merge_index;
      // Take the word's pairs out, join, put them back (a word that no longer holds the pair
      // comes out unchanged).
      count_pairs(w, -1, &touched);
      merge_word(words[w], left, right, joined);
      count_pairs(w, +1, &touched);
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (uint64_t key : touched)
      if (key != top.pair && pair_counts[key] > 0) heap.push({pair_counts[key], key});
  }
  return vocab;
}

void BpeVocabulary::save(const std::string& dir) const {
  std::filesystem::create_directories(dir);
  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  for (size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id;
  write_atomically(dir + "/vocab.json", vocab.dump() + "\n");
  std::string merges_txt = "#version: 0.2\n";
  for (const auto& [left, right] : merges) merges_txt += left + " " + right + "\n";
  write_atomically(dir + "/merges.txt", merges_txt);
}

}  // namespace fftune::data
