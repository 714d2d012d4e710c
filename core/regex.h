// Regular expressions from user files (adapter_config.json's target_modules and pattern keys),
// compiled and matched by PCRE2 with hard limits, so that a hostile pattern is one clear error
// instead of minutes of backtracking or a stack overflow.
//
// The syntax is Python `re`'s as peft users write it — alternation, classes, lazy quantifiers,
// lookahead and lookbehind (`^(?!.*vision).*q_proj`), named groups `(?P<name>...)`. `.` does not
// match a newline and `$` matches at the end or before a final newline, as in Python.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fftune {

// Limits every pattern and match stays under; going over one is an Error naming the pattern.
struct RegexLimits {
  static constexpr size_t kMaxPatternLength = 4096;  // bytes of pattern text
  static constexpr uint32_t kMaxParenNesting = 64;   // nested groups
  static constexpr uint32_t kMatchLimit = 100000;    // backtracking steps per match
  static constexpr uint32_t kDepthLimit = 2000;      // nested backtracking frames per match
  static constexpr uint32_t kHeapLimitKiB = 8192;    // backtracking memory per match
};

class Regex {
 public:
  // Compiles `pattern`; `source` says where it came from ("adapter_config.json: target_modules")
  // and starts every error message. A malformed pattern or one over a limit is an Error.
  Regex(std::string pattern, std::string source);

  // Python's re.fullmatch(pattern, s).
  bool full_match(std::string_view s) const;
  // Python's re.match(pattern, s): anchored at the start only. `groups`, when given, receives
  // the text of every capture group (an unset group gives "").
  bool prefix_match(std::string_view s, std::vector<std::string>* groups = nullptr) const;

  const std::string& pattern() const { return pattern_; }

 private:
  bool match(std::string_view s, uint32_t options, std::vector<std::string>* groups) const;

  std::string pattern_;
  std::string source_;
  std::shared_ptr<void> code_;     // pcre2_code_8
  std::shared_ptr<void> context_;  // pcre2_match_context_8 carrying the limits
};

}  // namespace fftune
