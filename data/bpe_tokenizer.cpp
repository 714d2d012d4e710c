#include "data/bpe_tokenizer.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "data/unicode.h"

namespace fftune::data {
namespace {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FFTUNE_CHECK(in, "tokenizer: cannot open ", path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// 1-based line of byte offset `pos` in `text`.
size_t line_of(const std::string& text, size_t pos) {
  pos = std::min(pos, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + pos, '\n'));
}

// GPT-2's byte-to-unicode table (Note [byte-level BPE], step 2): the printable bytes '!'..'~',
// '¡'..'¬' and '®'..'ÿ' stand for themselves; the other 68 bytes (controls, space, DEL, NBSP,
// soft hyphen) take the code points 256, 257, ... in byte order. So ' ' (0x20) becomes 'Ġ'
// (U+0120).
struct ByteTable {
  std::array<uint32_t, 256> code_point{};  // byte -> code point
  std::array<int16_t, 512> byte_of{};      // code point -> byte, -1 if none
  ByteTable() {
    byte_of.fill(-1);
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      code_point[b] = printable ? static_cast<uint32_t>(b) : next++;
      byte_of[code_point[b]] = static_cast<int16_t>(b);
    }
  }
};
const ByteTable& byte_table() {
  static const ByteTable table;
  return table;
}

uint64_t pair_key(int64_t left, int64_t right) {
  return (static_cast<uint64_t>(left) << 32) | static_cast<uint64_t>(right);
}

enum class CharClass { kLetter, kNumber, kSpace, kOther };

CharClass classify(uint32_t cp) {
  if (is_letter(cp)) return CharClass::kLetter;
  if (is_number(cp)) return CharClass::kNumber;
  if (is_space(cp)) return CharClass::kSpace;
  return CharClass::kOther;
}

}  // namespace

uint32_t byte_to_unicode(uint8_t b) {
  return byte_table().code_point[b];
}

BpeTokenizer::BpeTokenizer(const BpeTokenizer& other)
    : vocab_(other.vocab_),
      tokens_(other.tokens_),
      merges_(other.merges_),
      byte_ids_(other.byte_ids_),
      bos_id_(other.bos_id_),
      eos_id_(other.eos_id_),
      pad_id_(other.pad_id_),
      unk_id_(other.unk_id_),
      mask_id_(other.mask_id_) {}

BpeTokenizer BpeTokenizer::from_directory(const std::string& dir) {
  return from_files(dir + "/vocab.json", dir + "/merges.txt");
}

BpeTokenizer BpeTokenizer::from_files(const std::string& vocab_json,
                                      const std::string& merges_txt) {
  BpeTokenizer tok;

  // vocab.json: {"token": id, ...}
  const std::string text = read_whole_file(vocab_json);
  nlohmann::json vocab;
  try {
    vocab = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    FFTUNE_FAIL(vocab_json, ":", line_of(text, e.byte == 0 ? 0 : e.byte - 1), ": malformed JSON (",
                e.what(), ")");
  }
  FFTUNE_CHECK(vocab.is_object(), vocab_json, ":1: expected a JSON object token -> id, got ",
               vocab.type_name());
  // Ids must be 0..n-1, each once, for n entries: what transformers' tokenizers write, and what
  // a model's embedding table of vocab_size rows needs. Bounding an id by n (instead of trusting
  // it) keeps a 68-byte file from sizing the id -> token table at 2^31 entries.
  const auto n = static_cast<int64_t>(vocab.size());
  tok.tokens_.resize(static_cast<size_t>(n));
  for (const auto& [token, id] : vocab.items()) {
    FFTUNE_CHECK(id.is_number_integer() && id.get<int64_t>() >= 0 && id.get<int64_t>() < n,
                 vocab_json, ":", line_of(text, text.find(nlohmann::json(token).dump())),
                 ": token ", nlohmann::json(token).dump(), " has id ", id.dump(),
                 ", expected an integer in [0, ", n,
                 ") (ids must number the file's entries 0..n-1, each once)");
    const int64_t i = id.get<int64_t>();
    FFTUNE_CHECK(tok.tokens_[i].empty(), vocab_json, ": id ", i, " is given to both ",
                 nlohmann::json(tok.tokens_[i]).dump(), " and ", nlohmann::json(token).dump());
    tok.tokens_[i] = token;
    tok.vocab_[token] = i;
  }
  const auto special = [&](const char* name) {
    auto it = tok.vocab_.find(name);
    FFTUNE_CHECK(it != tok.vocab_.end(), vocab_json, ": no special token ", name,
                 " (RoBERTa needs <s> </s> <pad> <unk> <mask>)");
    return it->second;
  };
  tok.bos_id_ = special("<s>");
  tok.eos_id_ = special("</s>");
  tok.pad_id_ = special("<pad>");
  tok.unk_id_ = special("<unk>");
  tok.mask_id_ = special("<mask>");
  for (int b = 0; b < 256; ++b) {
    std::string symbol;
    utf8_append(symbol, byte_table().code_point[b]);
    auto it = tok.vocab_.find(symbol);
    tok.byte_ids_[b] = it == tok.vocab_.end() ? tok.unk_id_ : it->second;
  }

  // merges.txt: "#version ..." then "left right" per line; the rank is the order of the lines.
  std::ifstream in(merges_txt, std::ios::binary);
  FFTUNE_CHECK(in, "tokenizer: cannot open ", merges_txt);
  std::string line;
  int64_t rank = 0;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("#version", 0) == 0) continue;
    const size_t space = line.find(' ');
    FFTUNE_CHECK(space != std::string::npos && space > 0 && space + 1 < line.size() &&
                     line.find(' ', space + 1) == std::string::npos,
                 merges_txt, ":", line_no, ": expected two tokens separated by one space, got \"",
                 line, "\"");
    const std::string left = line.substr(0, space), right = line.substr(space + 1);
    const auto id_of = [&](const std::string& token) {
      auto it = tok.vocab_.find(token);
      FFTUNE_CHECK(it != tok.vocab_.end(), merges_txt, ":", line_no, ": token \"", token,
                   "\" is not in ", vocab_json);
      return it->second;
    };
    // Like Hugging Face's reader, a repeated pair keeps its last rank.
    const int64_t left_id = id_of(left), right_id = id_of(right), merged_id = id_of(left + right);
    tok.merges_[pair_key(left_id, right_id)] = {rank++, merged_id};
  }
  return tok;
}

std::vector<std::string_view> BpeTokenizer::pre_tokenize(std::string_view text) {
  // Decode once: code point classes and the byte offset where each code point starts.
  std::vector<CharClass> cls;
  std::vector<bool> is_ascii_space;  // U+0020 exactly: the only "optional space" of the pattern
  std::vector<size_t> offset;
  cls.reserve(text.size());
  offset.reserve(text.size() + 1);
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Char c = utf8_decode(text, pos);
    cls.push_back(classify(c.cp));
    is_ascii_space.push_back(c.cp == ' ');
    offset.push_back(pos);
    pos += c.len;
  }
  offset.push_back(text.size());
  const size_t n = cls.size();
  const auto run_end = [&](size_t k, CharClass c) {
    while (k < n && cls[k] == c) ++k;
    return k;
  };
  const auto char_at = [&](size_t k) { return text[offset[k]]; };

  // The alternatives of the pattern, tried in order at each position (leftmost match wins).
  const auto match_end = [&](size_t i) -> size_t {
    // 's|'t|'re|'ve|'m|'ll|'d
    if (char_at(i) == '\'' && i + 1 < n) {
      const char c1 = char_at(i + 1), c2 = i + 2 < n ? char_at(i + 2) : '\0';
      if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return i + 2;
      if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l'))
        return i + 3;
    }
    // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': an optional space, then a run of one class
    const size_t start =
        is_ascii_space[i] && i + 1 < n && cls[i + 1] != CharClass::kSpace ? i + 1 : i;
    if (cls[start] != CharClass::kSpace) return run_end(start, cls[start]);
    // '\s+(?!\S)': a white-space run, less its last character when a non-space follows;
    // '\s+': a single white-space character before a non-space.
    const size_t end = run_end(i, CharClass::kSpace);
    if (end == n || end - i == 1) return end;
    return end - 1;
  };

  std::vector<std::string_view> pieces;
  for (size_t i = 0; i < n;) {
    const size_t j = match_end(i);
    pieces.push_back(text.substr(offset[i], offset[j] - offset[i]));
    i = j;
  }
  return pieces;
}

std::vector<int64_t> BpeTokenizer::merge(std::vector<int64_t> symbols) const {
  std::vector<int64_t> next;
  while (symbols.size() > 1) {
    // The adjacent pair with the lowest rank...
    const Merge* best = nullptr;
    uint64_t best_key = 0;
    for (size_t k = 0; k + 1 < symbols.size(); ++k) {
      auto it = merges_.find(pair_key(symbols[k], symbols[k + 1]));
      if (it != merges_.end() && (best == nullptr || it->second.rank < best->rank)) {
        best = &it->second;
        best_key = it->first;
      }
    }
    if (best == nullptr) break;
    // ...is joined wherever it occurs, left to right.
    next.clear();
    for (size_t k = 0; k < symbols.size();) {
      if (k + 1 < symbols.size() && pair_key(symbols[k], symbols[k + 1]) == best_key) {
        next.push_back(best->id);
        k += 2;
      } else {
        next.push_back(symbols[k++]);
      }
    }
    symbols.swap(next);
  }
  return symbols;
}

std::vector<int64_t> BpeTokenizer::encode_piece(std::string_view piece) const {
  const std::string key(piece);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  std::vector<int64_t> symbols;
  symbols.reserve(piece.size());
  for (char c : piece) symbols.push_back(byte_ids_[static_cast<uint8_t>(c)]);
  std::vector<int64_t> ids = merge(std::move(symbols));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_.emplace(key, ids);
  return ids;
}

std::vector<int64_t> BpeTokenizer::tokenize(std::string_view text) const {
  std::vector<int64_t> ids;
  for (std::string_view piece : pre_tokenize(text)) {
    const std::vector<int64_t> piece_ids = encode_piece(piece);
    ids.insert(ids.end(), piece_ids.begin(), piece_ids.end());
  }
  return ids;
}

Encoding BpeTokenizer::encode(std::string_view text, int64_t max_len) const {
  FFTUNE_CHECK(max_len == 0 || max_len >= 2,
               "tokenizer: max_len must be 0 (no limit) or at least 2 for <s> and </s>, got ",
               max_len);
  std::vector<int64_t> a = tokenize(text);
  if (max_len > 0 && static_cast<int64_t>(a.size()) > max_len - 2) a.resize(max_len - 2);
  Encoding e;
  e.ids.reserve(a.size() + 2);
  e.ids.push_back(bos_id_);
  e.ids.insert(e.ids.end(), a.begin(), a.end());
  e.ids.push_back(eos_id_);
  e.attention_mask.assign(e.ids.size(), 1);
  return e;
}

Encoding BpeTokenizer::encode_pair(std::string_view text_a, std::string_view text_b,
                                   int64_t max_len) const {
  FFTUNE_CHECK(max_len == 0 || max_len >= 4,
               "tokenizer: max_len must be 0 (no limit) or at least 4 for a pair's <s> </s></s> "
               "</s>, got ",
               max_len);
  std::vector<int64_t> a = tokenize(text_a), b = tokenize(text_b);
  const int64_t budget = max_len - 4;
  if (max_len > 0 && static_cast<int64_t>(a.size() + b.size()) > budget) {
    // Longest first, as Hugging Face tokenizers does it: the shorter sequence keeps its length
    // when the longer one can absorb the whole cut; otherwise both get half the budget, and the
    // odd token goes to the longer one (to the second when they are equally long).
    int64_t n_short = std::min(a.size(), b.size()), n_long = std::max(a.size(), b.size());
    n_long = n_short > budget ? n_short : std::max(n_short, budget - n_short);
    if (n_short + n_long > budget) {
      n_short = budget / 2;
      n_long = n_short + budget % 2;
    }
    const bool a_is_longer = a.size() > b.size();
    a.resize(a_is_longer ? n_long : n_short);
    b.resize(a_is_longer ? n_short : n_long);
  }
  Encoding e;
  e.ids.reserve(a.size() + b.size() + 4);
  e.ids.push_back(bos_id_);
  e.ids.insert(e.ids.end(), a.begin(), a.end());
  e.ids.push_back(eos_id_);
  e.ids.push_back(eos_id_);
  e.ids.insert(e.ids.end(), b.begin(), b.end());
  e.ids.push_back(eos_id_);
  e.attention_mask.assign(e.ids.size(), 1);
  return e;
}

void BpeTokenizer::pad(Encoding& encoding, int64_t length) const {
  const int64_t n = static_cast<int64_t>(encoding.ids.size());
  FFTUNE_CHECK(n <= length, "tokenizer: cannot pad ", n, " tokens to ", length);
  encoding.ids.resize(length, pad_id_);
  encoding.attention_mask.resize(length, 0);
}

int64_t BpeTokenizer::token_to_id(const std::string& token) const {
  auto it = vocab_.find(token);
  return it == vocab_.end() ? -1 : it->second;
}

const std::string& BpeTokenizer::id_to_token(int64_t id) const {
  FFTUNE_CHECK(id >= 0 && id < vocab_size() && !tokens_[id].empty(), "tokenizer: no token has id ",
               id, " (vocabulary of ", vocab_size(), ")");
  return tokens_[id];
}

bool BpeTokenizer::is_special(int64_t id) const {
  return id == bos_id_ || id == eos_id_ || id == pad_id_ || id == unk_id_ || id == mask_id_;
}

std::string BpeTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  const ByteTable& table = byte_table();
  std::string bytes;
  for (int64_t id : ids) {
    if (skip_special && is_special(id)) continue;
    const std::string& token = id_to_token(id);
    // Each symbol back to its byte; a token with a symbol outside the table (not produced by
    // byte-level BPE) contributes its own text, as Hugging Face's ByteLevel decoder does.
    std::string token_bytes;
    bool all_mapped = true;
    for (size_t pos = 0; pos < token.size() && all_mapped;) {
      const Utf8Char c = utf8_decode(token, pos);
      all_mapped = c.valid && c.cp < table.byte_of.size() && table.byte_of[c.cp] >= 0;
      if (all_mapped) token_bytes += static_cast<char>(table.byte_of[c.cp]);
      pos += c.len;
    }
    bytes += all_mapped ? token_bytes : token;
  }
  return utf8_repair(bytes);
}

}  // namespace fftune::data
