// The demo's sentence grammar (examples/roberta_glue/sentiment_grammar.h): every label is
// re-derived from the text alone by the rule of Note [sentiment grammar] (the adjective's polarity,
// flipped by a negation; after "but" or an "although" clause the second clause decides), no single
// word decides the label, reviews are one plain clause and a remark that agrees, and the SST-2
// files read back with the GLUE reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/glue.h"
#include "examples/roberta_glue/sentiment_grammar.h"
#include "tests/support/temp_dir.h"

namespace fftune::data {
namespace {

using namespace roberta_glue;

bool contains(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) {
    while (!w.empty() && (w.back() == ',' || w.back() == '.')) w.pop_back();
    if (!w.empty()) words.push_back(w);
  }
  return words;
}

// +1 / -1: the polarity of one clause ("the plot wasn't very dull"); 0 if it has no adjective.
int clause_polarity(const std::string& clause) {
  const SentimentLexicon& lex = sentiment_lexicon();
  int adjective = 0;
  bool negated = false;
  for (const std::string& w : words_of(clause)) {
    if (contains(lex.positive, w)) adjective = +1;
    if (contains(lex.negative, w)) adjective = -1;
    const bool contraction = w.size() > 3 && w.compare(w.size() - 3, 3, "n't") == 0;
    if (contraction || contains(lex.negations, w)) negated = true;
  }
  return negated ? -adjective : adjective;
}

struct Derived {
  int label = -1;  // 1 / 0, -1 if the text does not parse
  std::string form;
};

// The label of a sentence from its text alone.
Derived derive(std::string text) {
  while (!text.empty() && text.back() == '.') text.pop_back();
  Derived d;
  int polarity = 0;
  if (const size_t but = text.find(", but "); but != std::string::npos) {
    d.form = "but";
    const int a = clause_polarity(text.substr(0, but)), b = clause_polarity(text.substr(but + 6));
    polarity = a == -b ? b : 0;  // the clauses must disagree
  } else if (const size_t although = text.find("although "); although != std::string::npos) {
    d.form = "although";
    const std::string rest = text.substr(although + 9);
    const size_t comma = rest.find(", ");
    if (comma == std::string::npos) return d;
    const int a = clause_polarity(rest.substr(0, comma)),
              b = clause_polarity(rest.substr(comma + 2));
    polarity = a == -b ? b : 0;
  } else if (const size_t and_ = text.find(", and "); and_ != std::string::npos) {
    d.form = "and";
    const int a = clause_polarity(text.substr(0, and_)), b = clause_polarity(text.substr(and_ + 6));
    polarity = a == b ? b : 0;  // the clauses must agree
  } else {
    d.form = "single";
    polarity = clause_polarity(text);  // an opener ("honestly, ") carries no polarity
  }
  d.label = polarity == 0 ? -1 : (polarity > 0 ? 1 : 0);
  return d;
}

TEST(SentimentGrammar, LabelIsDeterminedByTheCues) {
  std::map<std::string, int> forms;
  int positive = 0, negated_clauses = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const SentimentSentence s = sentiment_sentence(7, i);
    const Derived d = derive(s.text);
    ASSERT_EQ(d.label, s.label) << "sentence " << i << ": \"" << s.text << "\"";
    forms[d.form] += 1;
    positive += s.label == 1;
    for (const std::string& w : words_of(s.text))
      negated_clauses += contains(sentiment_lexicon().negations, w) || w.ends_with("n't");
  }
  // Both labels, every construction and plenty of negations occur.
  EXPECT_NEAR(positive / static_cast<double>(n), 0.5, 0.05);
  for (const char* form : {"single", "but", "although", "and"})
    EXPECT_GT(forms[form], n / 10) << form;
  EXPECT_GT(negated_clauses, n / 3);
}

TEST(SentimentGrammar, NoSingleWordDecidesTheLabel) {
  // Every word that occurs often occurs under both labels, each at least 20% of the time: a
  // bag-of-words classifier cannot be sure of any sentence from one word.
  std::map<std::string, std::pair<int, int>> counts;  // word -> (negative, positive)
  for (int i = 0; i < 6000; ++i) {
    const SentimentSentence s = sentiment_sentence(3, i);
    std::set<std::string> seen;
    for (const std::string& w : words_of(s.text)) seen.insert(w);
    for (const std::string& w : seen) (s.label == 1 ? counts[w].second : counts[w].first) += 1;
  }
  for (const auto& [word, c] : counts) {
    const int total = c.first + c.second;
    if (total < 100) continue;
    EXPECT_GT(std::min(c.first, c.second), total / 5)
        << "'" << word << "': " << c.first << " negative, " << c.second << " positive";
  }
  for (const std::string& adjective : sentiment_lexicon().positive)
    EXPECT_GT(counts[adjective].first, 0);
}

TEST(SentimentGrammar, ReviewsEndWithAnAgreeingRemark) {
  const SentimentLexicon& lex = sentiment_lexicon();
  for (int i = 0; i < 1000; ++i) {
    const std::string review = sentiment_review(0, i);
    ASSERT_EQ(review.back(), '.');
    const size_t split = review.rfind(". ", review.size() - 2);
    ASSERT_NE(split, std::string::npos) << review;
    const std::string sentence = review.substr(0, split);
    const std::string remark = review.substr(split + 2, review.size() - split - 3);
    const Derived d = derive(sentence);
    ASSERT_NE(d.label, -1) << review;
    // One plain clause: no negation, contrast or opener ("the plot was dull").
    EXPECT_EQ(d.form, "single") << review;
    EXPECT_EQ(sentence.find(','), std::string::npos) << review;
    for (const std::string& w : words_of(sentence))
      EXPECT_FALSE(contains(lex.negations, w) || w.ends_with("n't")) << review;
    EXPECT_TRUE(contains(d.label == 1 ? lex.positive_remarks : lex.negative_remarks, remark))
        << review;
  }
}

TEST(SentimentGrammar, DeterministicAndSeeded) {
  EXPECT_EQ(sentiment_sentence(5, 17).text, sentiment_sentence(5, 17).text);
  EXPECT_EQ(sentiment_review(5, 17), sentiment_review(5, 17));
  int same = 0;
  for (int i = 0; i < 50; ++i)
    same += sentiment_sentence(5, i).text == sentiment_sentence(6, i).text;
  EXPECT_LT(same, 5);
  // Reviews come from another stream than the labelled sentences.
  EXPECT_EQ(sentiment_review(5, 3).find(sentiment_sentence(5, 3).text + ". "), std::string::npos);
}

TEST(SentimentGrammar, WritesSst2InTheGlueLayout) {
  testing::TempDir dir("fftune_sentiment");
  write_sentiment_sst2(dir.path().string(), 30, 12, 9);
  const auto train = read_glue_split(GlueTask::kSst2, GlueSplit::kTrain, dir.path().string());
  const auto dev = read_glue_split(GlueTask::kSst2, GlueSplit::kDev, dir.path().string());
  ASSERT_EQ(train.size(), 30u);
  ASSERT_EQ(dev.size(), 12u);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(train[i].text_a, sentiment_sentence(9, i).text);
    EXPECT_EQ(train[i].label, sentiment_sentence(9, i).label);
  }
  EXPECT_EQ(dev[0].text_a, sentiment_sentence(9, 30).text);  // dev follows train
  EXPECT_THROW(write_sentiment_sst2(dir.path().string(), 0, 12, 9), Error);
}

}  // namespace
}  // namespace fftune::data
