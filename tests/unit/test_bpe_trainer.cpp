// The byte-level BPE trainer (data/bpe_trainer.h): the merges of a corpus small enough to work
// out by hand, the vocabulary limit and min_frequency, that BpeTokenizer loads the files and
// applies the merges as they were learned, and that decode(tokenize(text)) gives the text back.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/bpe_tokenizer.h"
#include "data/bpe_trainer.h"
#include "tests/support/temp_dir.h"

namespace fftune::data {
namespace {

using Merges = std::vector<std::pair<std::string, std::string>>;

// The Hugging Face course's example corpus, one word per text (so no word carries a leading
// space): hug ×10, pug ×5, pun ×12, bun ×4, hugs ×5.
BpeTrainer course_corpus(BpeTrainerOptions options) {
  BpeTrainer trainer(std::move(options));
  const std::vector<std::pair<std::string, int>> words = {
      {"hug", 10}, {"pug", 5}, {"pun", 12}, {"bun", 4}, {"hugs", 5}};
  for (const auto& [word, count] : words)
    for (int i = 0; i < count; ++i) trainer.add_text(word);
  return trainer;
}

// Worked by hand. Pair counts at the start: u g 20, p u 17, u n 16, h u 15, g s 5, b u 4.
//   1. u g (20)    then h ug 15, u n 16, p u 12, p ug 5, ug s 5, b u 4
//   2. u n (16)    then h ug 15, p un 12, p ug 5, ug s 5, b un 4
//   3. h ug (15)   4. p un (12)
//   5. p ug (5) and hug s (5) tie: the smaller left id wins, and 'p' (a byte symbol) comes
//      before 'hug' (a merge) — then 6. hug s (5), 7. b un (4).
const Merges kCourseMerges = {{"u", "g"},  {"u", "n"},   {"h", "ug"}, {"p", "un"},
                              {"p", "ug"}, {"hug", "s"}, {"b", "un"}};

TEST(BpeTrainer, MergesOfAHandWorkedCorpus) {
  const BpeVocabulary vocab = course_corpus({}).train();
  EXPECT_EQ(vocab.merges, kCourseMerges);
  // Ids: the five special tokens, the 256 byte symbols in code-point order, then the merges.
  ASSERT_EQ(vocab.tokens.size(), 5u + 256u + 7u);
  EXPECT_EQ(vocab.tokens[0], "<s>");
  EXPECT_EQ(vocab.tokens[1], "<pad>");
  EXPECT_EQ(vocab.tokens[4], "<mask>");
  EXPECT_EQ(vocab.tokens[5], "!");               // U+0021, the smallest symbol
  EXPECT_EQ(vocab.tokens[5 + 255], "\xc5\x83");  // U+0143, the largest (byte 0xAD)
  EXPECT_EQ(vocab.tokens[261], "ug");
  EXPECT_EQ(vocab.tokens[267], "bun");
}

TEST(BpeTrainer, VocabularyLimitAndMinFrequency) {
  BpeTrainerOptions limited;
  limited.vocab_size = 5 + 256 + 3;
  EXPECT_EQ(course_corpus(limited).train().merges,
            Merges(kCourseMerges.begin(), kCourseMerges.begin() + 3));
  BpeTrainerOptions frequent;
  frequent.min_frequency = 5;  // "b un" is seen 4 times
  EXPECT_EQ(course_corpus(frequent).train().merges,
            Merges(kCourseMerges.begin(), kCourseMerges.end() - 1));
  BpeTrainerOptions too_small;
  too_small.vocab_size = 100;
  EXPECT_THROW(BpeTrainer{too_small}, Error);
}

TEST(BpeTrainer, OverlappingPairsCountTwice) {
  // "aaa" holds (a, a) twice, "ab" holds (a, b) once: with 2 × "aaa" and 3 × "ab", (a, a) is
  // seen 4 times and wins; joined left to right, "aaa" becomes "aa a".
  BpeTrainer trainer;
  for (int i = 0; i < 2; ++i) trainer.add_text("aaa");
  for (int i = 0; i < 3; ++i) trainer.add_text("ab");
  const BpeVocabulary vocab = trainer.train();
  ASSERT_GE(vocab.merges.size(), 2u);
  EXPECT_EQ(vocab.merges[0], (std::pair<std::string, std::string>{"a", "a"}));
  // Then (a, b) 3 times beats (aa, a) twice.
  EXPECT_EQ(vocab.merges[1], (std::pair<std::string, std::string>{"a", "b"}));
}

TEST(BpeTrainer, TokenizerAppliesTheMergesAsLearned) {
  testing::TempDir dir("fftune_bpe_trainer");
  BpeTrainerOptions limited;
  limited.vocab_size = 5 + 256 + 3;  // u g, u n, h ug
  course_corpus(limited).train().save(dir.path().string());
  const BpeTokenizer tok = BpeTokenizer::from_directory(dir.path().string());
  EXPECT_EQ(tok.vocab_size(), 5 + 256 + 3);
  EXPECT_EQ(tok.pad_id(), 1);
  EXPECT_EQ(tok.mask_id(), 4);
  const auto tokens = [&](const std::string& text) {
    std::vector<std::string> out;
    for (int64_t id : tok.tokenize(text)) out.push_back(tok.id_to_token(id));
    return out;
  };
  EXPECT_EQ(tokens("hugs"), (std::vector<std::string>{"hug", "s"}));
  EXPECT_EQ(tokens("pun"), (std::vector<std::string>{"p", "un"}));
  EXPECT_EQ(tokens("bug"), (std::vector<std::string>{"b", "ug"}));
  EXPECT_EQ(tokens("gu"), (std::vector<std::string>{"g", "u"}));  // no merge for "g u"
  // A leading space is the byte symbol 'Ġ' (U+0120), never merged here.
  EXPECT_EQ(tokens(" hug"), (std::vector<std::string>{"\xc4\xa0", "hug"}));

  // The files themselves: vocab.json maps each token to its id, merges.txt has the version line
  // and one "left right" line per merge.
  std::ifstream merges(dir / "merges.txt");
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(merges, line)) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"#version: 0.2", "u g", "u n", "h ug"}));
  std::ifstream vocab_file(dir / "vocab.json");
  const nlohmann::json vocab = nlohmann::json::parse(vocab_file);
  EXPECT_EQ(vocab.at("hug"), 263);
  EXPECT_EQ(vocab.at("\xc4\xa0"), tok.token_to_id("\xc4\xa0"));
}

TEST(BpeTrainer, EveryTrainingWordIsOneTokenOnceAllPairsAreMerged) {
  // With room for every merge and min_frequency 1, training continues until no word has two
  // symbols left, so each training piece tokenises to exactly one token.
  const std::vector<std::string> texts = {"the plot wasn't dull, but the acting was superb.",
                                          "although the cast is charming, the ending felt flat.",
                                          "honestly, the music is not very good"};
  BpeTrainerOptions options;
  options.vocab_size = 2000;
  options.min_frequency = 1;
  BpeTrainer trainer(options);
  for (const std::string& text : texts) trainer.add_text(text);
  testing::TempDir dir("fftune_bpe_trainer");
  trainer.train().save(dir.path().string());
  const BpeTokenizer tok = BpeTokenizer::from_directory(dir.path().string());
  for (const std::string& text : texts)
    for (std::string_view piece : BpeTokenizer::pre_tokenize(text))
      EXPECT_EQ(tok.tokenize(piece).size(), 1u) << "'" << piece << "'";
}

TEST(BpeTrainer, RoundTripsAnyText) {
  // Trained on English-like text; the test strings also hold accents, CJK, emoji, digits, tabs,
  // runs of spaces and newlines, which fall back to byte symbols where no merge covers them.
  BpeTrainerOptions options;
  options.vocab_size = 400;
  BpeTrainer trainer(options);
  for (int i = 0; i < 20; ++i) {
    trainer.add_text("the movie was not very good, but the cast was charming.");
    trainer.add_text("in 2024 the film earned 3.5 million dollars; critics were kind.");
  }
  EXPECT_GT(trainer.num_words(), 10);
  testing::TempDir dir("fftune_bpe_trainer");
  const BpeVocabulary vocab = trainer.train();
  EXPECT_GT(vocab.merges.size(), 20u);
  vocab.save(dir.path().string());
  const BpeTokenizer tok = BpeTokenizer::from_directory(dir.path().string());
  const std::vector<std::string> texts = {"the movie was good",
                                          "Caf\u00e9 cr\u00e8me \u00e0 la fran\u00e7aise",
                                          "\u4e2d\u6587\u6587\u672c and \u65e5\u672c\u8a9e",
                                          "emoji \U0001F600\U0001F3AC!",
                                          "  runs   of\tspaces\n\nand newlines  ",
                                          "1234567890 3.14159 -42",
                                          std::string(300, 'x') + " very long word",
                                          ""};
  for (const std::string& text : texts) {
    const std::vector<int64_t> ids = tok.tokenize(text);
    EXPECT_EQ(tok.decode(ids), text);
    if (text == "the movie was good") {
      EXPECT_EQ(ids.size(), 4u);  // " movie" etc. are merged
    }
  }
}

}  // namespace
}  // namespace fftune::data
