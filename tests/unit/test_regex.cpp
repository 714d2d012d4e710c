// core/regex.h: Python re semantics for the patterns peft users write (fullmatch vs match,
// lookarounds, named groups) and the limits that turn a hostile pattern into one clear error
// (issue 14: catastrophic backtracking, 30,000 nested groups).
#include "core/regex.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_support.h"

namespace fftune {
namespace {

TEST(Regex, FullMatchAndPrefixMatchAreReFullmatchAndReMatch) {
  const Regex r(R"(.*\.attention\.self\.(query|value))", "test");
  EXPECT_TRUE(r.full_match("roberta.encoder.layer.0.attention.self.query"));
  EXPECT_FALSE(r.full_match("roberta.encoder.layer.0.attention.self.query.lora_A"));
  EXPECT_TRUE(r.prefix_match("roberta.encoder.layer.0.attention.self.query.lora_A"));
  EXPECT_FALSE(r.prefix_match("x roberta.attention.self.key"));
  // re.fullmatch("a|ab", "ab") is a match: the whole string must match, whichever branch does.
  EXPECT_TRUE(Regex("a|ab", "test").full_match("ab"));
}

TEST(Regex, LookaroundsAndNamedGroupsAsInPython) {
  const Regex not_vision(R"(^(?!.*vision).*q_proj)", "test");
  EXPECT_TRUE(not_vision.full_match("model.text.layers.0.q_proj"));
  EXPECT_FALSE(not_vision.full_match("model.vision.layers.0.q_proj"));
  EXPECT_TRUE(Regex(R"(.*(?<!key)_proj)", "test").full_match("a.q_proj"));
  std::vector<std::string> groups;
  ASSERT_TRUE(Regex(R"(.*?\.(?P<idx>\d+)\.)", "test").prefix_match("layer.12.query", &groups));
  EXPECT_EQ(groups, (std::vector<std::string>{"12"}));
  // An unset group reads as "".
  ASSERT_TRUE(Regex("(a)|(b)", "test").prefix_match("b", &groups));
  EXPECT_EQ(groups, (std::vector<std::string>{"", "b"}));
}

TEST(Regex, MalformedPatternNamesTheSource) {
  EXPECT_FFTUNE_ERROR(Regex("(query", "adapter_config.json: target_modules"),
                      "adapter_config.json: target_modules: regex '(query' is not valid");
}

TEST(Regex, CatastrophicBacktrackingHitsTheMatchLimit) {
  // The pattern of tests/fixtures/hostile/adapter_backtrack: std::regex spun for minutes on a
  // module name; the match limit stops it after kMatchLimit steps.
  const Regex r("(.*)*(.*)*(.*)*(.*)*(.*)*(.*)*X", "target_modules");
  EXPECT_FFTUNE_ERROR(r.full_match("vit.encoder.layer.0.attention.Xquery"),
                      "target_modules: regex '(.*)*(.*)*(.*)*(.*)*(.*)*(.*)*X' needs too much "
                      "backtracking to match 'vit.encoder.layer.0.attention.Xquery'");
  // A name without the required 'X' fails at once: PCRE2 checks for it before backtracking.
  EXPECT_FALSE(r.full_match("vit.encoder.layer.0.attention.query"));
}

TEST(Regex, DeepNestingIsRefusedWhenCompiling) {
  // tests/fixtures/hostile README: 30,000 nested groups overflowed std::regex's stack.
  const std::string deep = std::string(30000, '(') + "query" + std::string(30000, ')');
  EXPECT_FFTUNE_ERROR(Regex(deep, "target_modules"), "bytes long, over the limit");
  const std::string nested = std::string(100, '(') + "query" + std::string(100, ')');
  EXPECT_FFTUNE_ERROR(Regex(nested, "target_modules"), "nested groups");
  const std::string fine = std::string(20, '(') + "query" + std::string(20, ')');
  EXPECT_TRUE(Regex(fine, "target_modules").full_match("query"));
}

}  // namespace
}  // namespace fftune
