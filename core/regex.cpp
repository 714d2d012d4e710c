// PCRE2-backed regular expressions with limits (core/regex.h).
#include "core/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.h"

namespace fftune {

namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  const int n = pcre2_get_error_message(code, buffer, sizeof(buffer));
  return n < 0 ? "PCRE2 error " + std::to_string(code)
               : std::string(reinterpret_cast<char*>(buffer));
}

// A long pattern is shown by its start only.
std::string shown(const std::string& pattern) {
  constexpr size_t kShown = 80;
  return pattern.size() <= kShown ? pattern : pattern.substr(0, kShown) + "...";
}

}  // namespace

Regex::Regex(std::string pattern, std::string source)
    : pattern_(std::move(pattern)), source_(std::move(source)) {
  FFTUNE_CHECK(pattern_.size() <= RegexLimits::kMaxPatternLength, source_, ": regex '",
               shown(pattern_), "' is ", pattern_.size(), " bytes long, over the limit of ",
               RegexLimits::kMaxPatternLength);
  std::shared_ptr<pcre2_compile_context> compile_context(pcre2_compile_context_create(nullptr),
                                                         pcre2_compile_context_free);
  FFTUNE_CHECK(compile_context != nullptr, source_, ": out of memory compiling a regex");
  pcre2_set_parens_nest_limit(compile_context.get(), RegexLimits::kMaxParenNesting);
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UTF: a pattern is UTF-8 text, as a Python str is Unicode; NEVER_BACKSLASH_C: \C could
  // split a UTF-8 character.
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(),
                    PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &error, &offset, compile_context.get());
  if (code == nullptr) {
    const bool nesting = error == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP;
    FFTUNE_FAIL(source_, ": regex '", shown(pattern_), "' is not valid at offset ", offset, ": ",
                pcre2_message(error),
                nesting ? " (the limit is " + std::to_string(RegexLimits::kMaxParenNesting) +
                              " nested groups)"
                        : std::string());
  }
  code_ =
      std::shared_ptr<void>(code, [](void* p) { pcre2_code_free(static_cast<pcre2_code*>(p)); });

  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  FFTUNE_CHECK(context != nullptr, source_, ": out of memory compiling a regex");
  context_ = std::shared_ptr<void>(
      context, [](void* p) { pcre2_match_context_free(static_cast<pcre2_match_context*>(p)); });
  pcre2_set_match_limit(context, RegexLimits::kMatchLimit);
  pcre2_set_depth_limit(context, RegexLimits::kDepthLimit);
  pcre2_set_heap_limit(context, RegexLimits::kHeapLimitKiB);
}

bool Regex::full_match(std::string_view s) const {
  return match(s, PCRE2_ANCHORED | PCRE2_ENDANCHORED, nullptr);
}

bool Regex::prefix_match(std::string_view s, std::vector<std::string>* groups) const {
  return match(s, PCRE2_ANCHORED, groups);
}

bool Regex::match(std::string_view s, uint32_t options, std::vector<std::string>* groups) const {
  auto* code = static_cast<pcre2_code*>(code_.get());
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
      pcre2_match_data_create_from_pattern(code, nullptr), pcre2_match_data_free);
  FFTUNE_CHECK(data != nullptr, source_, ": out of memory matching a regex");
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, options,
                             data.get(), static_cast<pcre2_match_context*>(context_.get()));
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT) {
    FFTUNE_FAIL(source_, ": regex '", shown(pattern_), "' needs too much backtracking to match '",
                s, "' (", pcre2_message(rc), "; limits: ", RegexLimits::kMatchLimit, " steps, ",
                RegexLimits::kDepthLimit, " frames, ", RegexLimits::kHeapLimitKiB,
                " KiB): simplify the pattern (nested quantifiers such as (.*)* backtrack "
                "exponentially)");
  }
  FFTUNE_CHECK(rc >= 0, source_, ": matching regex '", shown(pattern_), "' against '", s,
               "' failed: ", pcre2_message(rc));
  if (groups) {
    uint32_t count = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count);
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
    groups->assign(count, std::string());
    for (uint32_t g = 1; g <= count && g < static_cast<uint32_t>(rc); ++g) {
      if (ovector[2 * g] == PCRE2_UNSET) continue;
      (*groups)[g - 1] = std::string(s.substr(ovector[2 * g], ovector[2 * g + 1] - ovector[2 * g]));
    }
  }
  return true;
}

}  // namespace fftune
