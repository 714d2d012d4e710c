#include "data/unicode.h"

#include <algorithm>
#include <iterator>

#include "data/unicode_tables.h"

namespace fftune::data {
namespace {

using unicode_tables::CodePointRange;

template <size_t N>
bool in_ranges(const CodePointRange (&ranges)[N], uint32_t cp) {
  // The first range whose upper end is >= cp; cp is inside it or in no range.
  const CodePointRange* it =
      std::lower_bound(std::begin(ranges), std::end(ranges), cp,
                       [](const CodePointRange& r, uint32_t value) { return r.hi < value; });
  return it != std::end(ranges) && it->lo <= cp;
}

constexpr uint32_t kReplacement = 0xFFFD;

}  // namespace

const char* unicode_version() {
  return unicode_tables::kUnicodeVersion;
}

bool is_letter(uint32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return in_ranges(unicode_tables::kLetterRanges, cp);
}

bool is_number(uint32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return in_ranges(unicode_tables::kNumberRanges, cp);
}

bool is_space(uint32_t cp) {
  return in_ranges(unicode_tables::kWhiteSpaceRanges, cp);
}

Utf8Char utf8_decode(std::string_view s, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = byte(pos);
  if (lead < 0x80) return {lead, 1, true};
  // Sequence length and the allowed range of the second byte (Unicode Table 3-7); the later
  // continuation bytes are always 0x80..0xBF.
  size_t need = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  uint32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1, cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2, cp = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3, cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {kReplacement, 1, false};
  }
  size_t len = 1;
  for (size_t k = 0; k < need; ++k, ++len) {
    if (pos + len >= s.size()) return {kReplacement, len, false};
    const uint8_t b = byte(pos + len);
    if (b < (k == 0 ? lo : 0x80) || b > (k == 0 ? hi : 0xBF)) return {kReplacement, len, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len, true};
}

void utf8_append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string utf8_repair(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t pos = 0; pos < bytes.size();) {
    const Utf8Char c = utf8_decode(bytes, pos);
    if (!c.valid) {
      utf8_append(out, kReplacement);
    } else {
      out.append(bytes.substr(pos, c.len));
    }
    pos += c.len;
  }
  return out;
}

}  // namespace fftune::data
