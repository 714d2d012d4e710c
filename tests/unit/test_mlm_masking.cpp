// Masked-LM inputs (data/mlm_masking.h): the 15% choice and the 80/10/10 split measured over many
// tokens, special tokens never chosen, labels only where chosen, random replacements never
// special, and the masking a pure function of (seed, stream).
#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "data/mlm_masking.h"

namespace fftune::data {
namespace {

MlmMaskingOptions options() {
  MlmMaskingOptions o;
  o.mask_id = 4;
  o.vocab_size = 50;
  o.special_ids = {0, 1, 2, 3, 4};
  return o;
}

// 200 sequences of "<s> t t ... t </s> <pad> <pad>" with tokens t in 5..49.
std::vector<int64_t> batch() {
  std::vector<int64_t> ids;
  for (int row = 0; row < 200; ++row) {
    ids.push_back(0);
    for (int t = 0; t < 100; ++t) ids.push_back(5 + (row * 7 + t * 3) % 45);
    ids.insert(ids.end(), {2, 1, 1});
  }
  return ids;
}

TEST(MlmMasking, RatesAndLabels) {
  const std::vector<int64_t> ids = batch();
  const MaskedTokens m = mask_tokens(ids, options(), 11, 0);
  ASSERT_EQ(m.inputs.size(), ids.size());
  ASSERT_EQ(m.labels.size(), ids.size());
  int64_t regular = 0, chosen = 0, masked = 0, replaced = 0, kept = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const bool special = ids[i] < 5;
    if (special) {
      EXPECT_EQ(m.labels[i], -100);
      EXPECT_EQ(m.inputs[i], ids[i]);
      continue;
    }
    regular += 1;
    if (m.labels[i] == -100) {
      EXPECT_EQ(m.inputs[i], ids[i]);  // not chosen: untouched
      continue;
    }
    EXPECT_EQ(m.labels[i], ids[i]);  // the label is the original token
    chosen += 1;
    if (m.inputs[i] == 4) {
      masked += 1;
    } else if (m.inputs[i] != ids[i]) {
      replaced += 1;
      EXPECT_GE(m.inputs[i], 5);  // a random replacement is never a special token
      EXPECT_LT(m.inputs[i], 50);
    } else {
      kept += 1;
    }
  }
  // 20,000 regular tokens: 3,000 chosen expected (binomial sd ≈ 50), of which 80/10/10.
  EXPECT_NEAR(chosen / static_cast<double>(regular), 0.15, 0.01);
  // A random replacement may draw the token itself (1 in 45), which then counts as kept.
  EXPECT_NEAR(masked / static_cast<double>(chosen), 0.8, 0.03);
  EXPECT_NEAR(replaced / static_cast<double>(chosen), 0.1 * 44 / 45, 0.02);
  EXPECT_NEAR(kept / static_cast<double>(chosen), 0.1 + 0.1 / 45, 0.02);
}

TEST(MlmMasking, ReplacementsCoverEveryRegularIdAndSkipSpecialsInTheMiddle) {
  // Specials need not be the first ids: here 10 and 20 are special too.
  MlmMaskingOptions o = options();
  o.mask_probability = 1.0;
  o.vocab_size = 30;
  o.special_ids = {0, 1, 2, 3, 4, 10, 20};
  const std::vector<int64_t> ids(20000, 7);
  std::vector<int> seen(30, 0);
  for (int64_t v : mask_tokens(ids, o, 3, 5).inputs) seen[v] += 1;
  for (int id = 0; id < 30; ++id) {
    const bool special = id < 4 || id == 10 || id == 20;  // 4 is <mask> itself
    if (special)
      EXPECT_EQ(seen[id], 0) << id;
    else
      EXPECT_GT(seen[id], 0) << id;
  }
}

TEST(MlmMasking, PureFunctionOfSeedAndStream) {
  const std::vector<int64_t> ids = batch();
  const MaskedTokens a = mask_tokens(ids, options(), 11, 0);
  EXPECT_EQ(a.inputs, mask_tokens(ids, options(), 11, 0).inputs);
  EXPECT_NE(a.inputs, mask_tokens(ids, options(), 11, 1).inputs);
  EXPECT_NE(a.inputs, mask_tokens(ids, options(), 12, 0).inputs);
}

TEST(MlmMasking, RejectsBadOptions) {
  MlmMaskingOptions o = options();
  o.mask_probability = 1.5;
  EXPECT_THROW(mask_tokens({5, 6}, o, 0, 0), Error);
  o = options();
  o.mask_id = 50;
  EXPECT_THROW(mask_tokens({5, 6}, o, 0, 0), Error);
}

}  // namespace
}  // namespace fftune::data
