// A small procedural grammar of movie-review sentences whose sentiment is compositional, for the
// roberta_glue demo (an SST-2-format task in the real GLUE layout) and its tests: no GLUE data
// can be downloaded on the machines this project runs on.
//
// Note [sentiment grammar]
// A clause is  subject verb [negation] [intensifier] adjective, e.g. "the plot wasn't very dull";
// its polarity is the adjective's (positive or negative), flipped by a negation ("not", "n't",
// "never", "hardly"); intensifiers ("very", "truly", ...) change nothing. A sentence is
//   clause.                          its label is the clause's polarity
//   clause A, but clause B.          A and B disagree; the label is B's
//   although clause A, clause B.     A and B disagree; the label is B's
//   clause A, and clause B.          A and B agree
// with an optional opener ("honestly, ", "in the end, "). Every adjective appears in positive
// and in negative sentences, so no single word decides the label: a classifier has to combine
// negation, contrast and the adjective.
//
// A review (the pre-training text) is one plain clause of the grammar — no negation, contrast,
// opener or intensifier, so always in the same word order — and a remark that agrees with it:
// "the plot was dull. i hated it.". Predicting a masked remark word needs the adjective's
// sentiment, so masked-LM pre-training on reviews teaches which words are positive; how negation
// and contrast compose them is left to fine-tuning, where the adapters and the head differ.
//
// Everything is a pure function of (seed, index): the same sentence on every machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace roberta_glue {

struct SentimentSentence {
  std::string text;
  int64_t label = 0;  // 1 positive, 0 negative (SST-2's labels)
};

// Labelled sentence number `index` of the stream `seed`.
SentimentSentence sentiment_sentence(uint64_t seed, int64_t index);

// Unlabelled review number `index` of the stream `seed`: a sentence and an agreeing remark.
std::string sentiment_review(uint64_t seed, int64_t index);

// The grammar's word lists (for tests that re-derive a label from the text).
struct SentimentLexicon {
  std::vector<std::string> positive, negative;  // adjectives
  std::vector<std::string> negations;           // words that flip a clause: "not", "never", ...
  std::vector<std::string> intensifiers;        // words that change nothing
  std::vector<std::string> positive_remarks, negative_remarks;  // a review's last sentence
};
const SentimentLexicon& sentiment_lexicon();

// Writes <glue_dir>/SST-2/train.tsv and dev.tsv in GLUE's SST-2 layout (header
// "sentence\tlabel", then one "text\tlabel" line per sentence): train holds sentences
// 0..n_train-1 of stream `seed`, dev the next n_dev. Each file is written under a temporary name
// and renamed.
void write_sentiment_sst2(const std::string& glue_dir, int64_t n_train, int64_t n_dev,
                          uint64_t seed);

}  // namespace roberta_glue
