// The little Unicode the byte-level BPE tokenizer needs: UTF-8 decoding and encoding, the letter
// (\p{L}), number (\p{N}) and white-space (\s) classes of GPT-2's pre-tokenisation pattern, and a
// lossy UTF-8 repair for decoded byte strings. Tables: data/unicode_tables.h (generated).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fftune::data {

// The Unicode version the class tables were generated from.
const char* unicode_version();

bool is_letter(uint32_t cp);  // general category L (Lu Ll Lt Lm Lo)
bool is_number(uint32_t cp);  // general category N (Nd Nl No)
bool is_space(uint32_t cp);   // the White_Space property

// One decoded code point and how many bytes of input it used.
struct Utf8Char {
  uint32_t cp;
  size_t len;
  bool valid;
};

// Decodes the code point starting at s[pos]. An ill-formed sequence decodes as U+FFFD and uses
// the maximal prefix of a well-formed sequence (at least one byte), as Unicode recommends.
Utf8Char utf8_decode(std::string_view s, size_t pos);

// Appends the UTF-8 encoding of `cp` to `out`.
void utf8_append(std::string& out, uint32_t cp);

// `bytes` with every ill-formed sequence replaced by U+FFFD (Rust's String::from_utf8_lossy).
std::string utf8_repair(std::string_view bytes);

}  // namespace fftune::data
