// Byte-level BPE tokenizer: pre-tokenisation pieces, merges on a hand-made vocabulary, padding,
// truncation limits, decode, and the errors of malformed vocab.json / merges.txt (file and line).
// tests/fixture/test_tokenizer_hf.cpp compares ids with Hugging Face on a trained vocabulary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/bpe_tokenizer.h"
#include "data/unicode.h"
#include "tests/support/test_support.h"

namespace fftune::data {
namespace {

namespace fs = std::filesystem;

using Pieces = std::vector<std::string_view>;

TEST(BpeTokenizer, PreTokenizePattern) {
  EXPECT_EQ(BpeTokenizer::pre_tokenize("Hello world"), (Pieces{"Hello", " world"}));
  // A contraction is matched only where it starts: " 're" is " '" (punctuation) then "re".
  EXPECT_EQ(BpeTokenizer::pre_tokenize("I'm don't 're"),
            (Pieces{"I", "'m", " don", "'t", " '", "re"}));
  // White space: a run keeps its last character for the next word; at the end it stays whole.
  EXPECT_EQ(BpeTokenizer::pre_tokenize("a   b"), (Pieces{"a", "  ", " b"}));
  EXPECT_EQ(BpeTokenizer::pre_tokenize("a \nb  "), (Pieces{"a", " ", "\n", "b", "  "}));
  // Letters, numbers and the rest are separate classes; only U+0020 attaches to the next piece.
  EXPECT_EQ(BpeTokenizer::pre_tokenize("abc123!? x"), (Pieces{"abc", "123", "!?", " x"}));
  EXPECT_EQ(BpeTokenizer::pre_tokenize("\u00e9t\u00e9 \u4e2d\u6587 \u00bd"),
            (Pieces{"\u00e9t\u00e9", " \u4e2d\u6587", " \u00bd"}));
  EXPECT_EQ(BpeTokenizer::pre_tokenize("a\u00a0b"), (Pieces{"a", "\u00a0", "b"}));
  EXPECT_TRUE(BpeTokenizer::pre_tokenize("").empty());
}

TEST(BpeTokenizer, UnicodeClasses) {
  EXPECT_TRUE(is_letter(U'\u00e9'));
  EXPECT_TRUE(is_letter(U'\u4e2d'));
  EXPECT_FALSE(is_letter(U'\u0301'));  // combining accent: a mark, not a letter
  EXPECT_TRUE(is_number(U'\u00bd'));
  EXPECT_TRUE(is_number(U'\u0663'));  // Arabic-Indic three
  EXPECT_TRUE(is_space(U'\u3000'));
  EXPECT_FALSE(is_space(U'\u200b'));  // zero-width space is not White_Space
  EXPECT_EQ(utf8_repair("a\xe2\x82"), "a\ufffd");
  EXPECT_EQ(utf8_repair("\xff\xc3\xa9"), "\ufffd\u00e9");
}

// A tiny vocabulary in a temp directory.
class TinyVocab : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("fftune_bpe_") + info->name() + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }
  // Base symbols a b c Ġ (space), merges "a b" then "Ġ ab" then "ab c".
  void write_valid() {
    write("vocab.json",
          R"({"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "a": 4, "b": 5, "c": 6, "\u0120": 7,)"
          "\n"
          R"( "ab": 8, "\u0120ab": 9, "abc": 10, "<mask>": 11})");
    write("merges.txt", "#version: 0.2\na b\n\u0120 ab\nab c\n");
  }
  fs::path dir_;
};

TEST_F(TinyVocab, MergesByRank) {
  write_valid();
  const BpeTokenizer tok = BpeTokenizer::from_directory(dir_.string());
  EXPECT_EQ(tok.vocab_size(), 12);
  EXPECT_EQ(tok.mask_id(), 11);
  EXPECT_EQ(tok.tokenize("abc"), (std::vector<int64_t>{10}));
  // "Ġ ab" (rank 1) is joined before "ab c" (rank 2) could be.
  EXPECT_EQ(tok.tokenize("abc abc"), (std::vector<int64_t>{10, 9, 6}));
  EXPECT_EQ(tok.tokenize("ba"), (std::vector<int64_t>{5, 4}));
  EXPECT_EQ(tok.tokenize("d"), (std::vector<int64_t>{3}));  // base symbol missing: <unk>
  EXPECT_EQ(tok.decode({0, 10, 9, 6, 2}), "<s>abc abc</s>");
  EXPECT_EQ(tok.decode({0, 10, 9, 6, 2, 1}, true), "abc abc");
  EXPECT_FFTUNE_ERROR(tok.decode({12}), "no token has id 12");
}

TEST_F(TinyVocab, PairsPaddingAndTruncation) {
  write_valid();
  const BpeTokenizer tok = BpeTokenizer::from_directory(dir_.string());
  Encoding e = tok.encode_pair("abc", "ab", 0);
  EXPECT_EQ(e.ids, (std::vector<int64_t>{0, 10, 2, 2, 8, 2}));
  tok.pad(e, 8);
  EXPECT_EQ(e.ids, (std::vector<int64_t>{0, 10, 2, 2, 8, 2, 1, 1}));
  EXPECT_EQ(e.attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 1, 1, 0, 0}));
  EXPECT_FFTUNE_ERROR(tok.pad(e, 7), "cannot pad 8 tokens to 7");
  // An empty second text is still a pair.
  EXPECT_EQ(tok.encode_pair("abc", "").ids, (std::vector<int64_t>{0, 10, 2, 2, 2}));
  // Longest first: "ba ba ba" is 8 tokens, "abc" 1; max 6 leaves 2 for the pair.
  EXPECT_EQ(tok.encode_pair("ba ba ba", "abc", 6).ids, (std::vector<int64_t>{0, 5, 2, 2, 10, 2}));
  EXPECT_EQ(tok.encode("ba", 3).ids, (std::vector<int64_t>{0, 5, 2}));
  EXPECT_FFTUNE_ERROR(tok.encode("ba", 1), "at least 2");
  EXPECT_FFTUNE_ERROR(tok.encode_pair("a", "b", 3), "at least 4");
}

TEST_F(TinyVocab, MalformedVocabNamesFileAndLine) {
  write("merges.txt", "a b\n");
  const std::string vocab = write("vocab.json", "{\"<s>\": 0,\n\"a\": 1,\n\"b\" 2}");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()), vocab + ":3: malformed JSON");
  write("vocab.json", "{\"<s>\": 0,\n\"a\": \"one\"}");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()),
                      vocab + ":2: token \"a\" has id \"one\"");
  write("vocab.json", "{\"<s>\": 0, \"a\": 0}");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()), "id 0 is given to both");
  write("vocab.json", "[1, 2]");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()), "expected a JSON object");
  write("vocab.json", "{\"<s>\": 0, \"</s>\": 1, \"<pad>\": 2, \"<unk>\": 3}");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()),
                      vocab + ": no special token <mask>");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_files((dir_ / "missing.json").string(), "m"),
                      "cannot open");
}

TEST_F(TinyVocab, MalformedMergesNameFileAndLine) {
  write_valid();
  const std::string merges = write("merges.txt", "#version: 0.2\na b\na b c\n");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()),
                      merges + ":3: expected two tokens separated by one space, got \"a b c\"");
  write("merges.txt", "a b\n\nab c\n");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()), merges + ":2: expected two");
  write("merges.txt", "a b\nb c\n");  // "bc" is not in the vocabulary
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()),
                      merges + ":2: token \"bc\" is not in");
  write("merges.txt", "a x\n");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir_.string()),
                      merges + ":1: token \"x\" is not in");
}

TEST(BpeTokenizerHostile, AnIdBeyondTheVocabularyIsRefused) {
  // tests/fixtures/hostile/bpe_huge_id: "<mask>": 2147483646 in a 5-entry vocab.json sized the
  // id -> token table at 2^31 strings (64 GiB). Ids must number the entries 0..n-1.
  const std::string dir = testing::fixture_path("hostile/bpe_huge_id");
  EXPECT_FFTUNE_ERROR(BpeTokenizer::from_directory(dir),
                      "token \"<mask>\" has id 2147483646, expected an integer in [0, 5)");
}

}  // namespace
}  // namespace fftune::data
