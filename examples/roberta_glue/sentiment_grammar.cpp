#include "examples/roberta_glue/sentiment_grammar.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/tensor/philox.h"
#include "examples/common/atomic_file.h"

namespace roberta_glue {

using namespace fftune;
namespace {

// Philox streams of the two kinds of text, so reviews are never the labelled sentences.
constexpr uint64_t kSentenceStream = 0x53454e54454e4345ull;  // "SENTENCE"
constexpr uint64_t kReviewStream = 0x5245564945570000ull;    // "REVIEW"
constexpr uint64_t kDrawsPerText = 256;                      // far more than one text uses

// The draws of one text: Philox(seed, stream, index · kDrawsPerText + k) for k = 0, 1, ...
class Draws {
 public:
  Draws(uint64_t seed, uint64_t stream, int64_t index)
      : seed_(seed), stream_(stream), counter_(static_cast<uint64_t>(index) * kDrawsPerText) {}
  double uniform() { return philox_uniform_double(philox4x32(seed_, stream_, counter_++)); }
  bool chance(double p) { return uniform() < p; }
  const std::string& pick(const std::vector<std::string>& options) {
    const auto i = static_cast<size_t>(uniform() * static_cast<double>(options.size()));
    return options[std::min(i, options.size() - 1)];
  }

 private:
  uint64_t seed_, stream_, counter_;
};

// clang-format off
const std::vector<std::string> kSubjects = {
    "the movie", "this film", "the plot", "the story", "the acting", "the script", "the ending",
    "the cast", "the music", "the dialogue"};
// clang-format on

// A verb, and the forms that negate it (Note [sentiment grammar]).
struct Verb {
  std::string plain;
  std::vector<std::string> negated;
};
const std::vector<Verb> kVerbs = {
    {"is", {"is not", "isn't", "is never", "is hardly"}},
    {"was", {"was not", "wasn't", "was never", "was hardly"}},
    {"feels", {"does not feel", "doesn't feel", "never feels", "hardly feels"}},
    {"felt", {"did not feel", "didn't feel", "never felt", "hardly felt"}},
    {"seems", {"does not seem", "doesn't seem", "never seems", "hardly seems"}},
    {"seemed", {"did not seem", "didn't seem", "never seemed", "hardly seemed"}},
};

const std::vector<std::string> kOpeners = {"honestly, ", "in the end, ", "to be fair, ",
                                           "frankly, ", "overall, "};

// How often each construction occurs (Note [sentiment grammar]).
struct Mix {
  double negation;               // chance that a clause is negated
  double single, but, although;  // chances of the forms; "and" takes the rest
  double opener;                 // chance of an opener ("honestly, ")
  double intensifier;            // chance of an intensifier before an adjective
};
// The task's sentences: many negations and contrasts, so no word decides the label.
constexpr Mix kTaskMix = {0.3, 0.4, 0.2, 0.2, 0.25, 0.35};
// The reviews: one plain clause, always in the same word order ("the plot was dull. i hated
// it."). A two-layer RoBERTa (learned absolute positions) pre-trained on such text finds which
// adjectives are positive within about 500 updates; with negations, or with an intensifier or an
// opener moving the words by a position or two, it had not found it after 2000 (measured, in
// fftune and in transformers alike).
constexpr Mix kReviewMix = {0.0, 1.0, 0.0, 0.0, 0.0, 0.0};

// One clause of polarity `positive` (Note [sentiment grammar]).
std::string clause(Draws& draws, bool positive, const Mix& mix) {
  const SentimentLexicon& lex = sentiment_lexicon();
  const Verb& verb =
      kVerbs[std::min(static_cast<size_t>(draws.uniform() * kVerbs.size()), kVerbs.size() - 1)];
  const bool negated = draws.chance(mix.negation);
  std::string text = draws.pick(kSubjects) + " ";
  text += negated ? draws.pick(verb.negated) : verb.plain;
  if (draws.chance(mix.intensifier)) text += " " + draws.pick(lex.intensifiers);
  // A negation flips the adjective's polarity.
  const bool positive_adjective = positive != negated;
  text += " " + draws.pick(positive_adjective ? lex.positive : lex.negative);
  return text;
}

// The sentence drawn by `draws` (a labelled sentence, or a review before its remark).
SentimentSentence sentence(Draws& draws, const Mix& mix) {
  SentimentSentence s;
  const bool positive = draws.chance(0.5);
  s.label = positive ? 1 : 0;
  const std::string opener = draws.chance(mix.opener) ? draws.pick(kOpeners) : "";
  const double form = draws.uniform();
  if (form < mix.single) {
    s.text = clause(draws, positive, mix);
  } else if (form < mix.single + mix.but) {
    const std::string a = clause(draws, !positive, mix);
    s.text = a + ", but " + clause(draws, positive, mix);
  } else if (form < mix.single + mix.but + mix.although) {
    const std::string a = clause(draws, !positive, mix);
    s.text = "although " + a + ", " + clause(draws, positive, mix);
  } else {
    const std::string a = clause(draws, positive, mix);
    s.text = a + ", and " + clause(draws, positive, mix);
  }
  s.text = opener + s.text;
  return s;
}

void write_atomically(const std::string& path, const std::string& text) {
  fftune::examples::write_file_atomically(path, text);
}

}  // namespace

const SentimentLexicon& sentiment_lexicon() {
  static const SentimentLexicon lexicon = {
      .positive = {"good", "great", "wonderful", "charming", "brilliant", "moving", "clever",
                   "funny", "beautiful", "superb"},
      .negative = {"bad", "dull", "boring", "awful", "clumsy", "tedious", "bland", "messy", "weak",
                   "silly"},
      .negations = {"not", "n't", "never", "hardly"},
      .intensifiers = {"very", "really", "truly", "quite", "remarkably", "so"},
      .positive_remarks = {"i loved it", "i liked it", "i enjoyed it", "i adored it"},
      .negative_remarks = {"i hated it", "i disliked it", "i regretted it", "i loathed it"},
  };
  return lexicon;
}

SentimentSentence sentiment_sentence(uint64_t seed, int64_t index) {
  Draws draws(seed, kSentenceStream, index);
  SentimentSentence s = sentence(draws, kTaskMix);
  if (draws.chance(0.5)) s.text += ".";
  return s;
}

std::string sentiment_review(uint64_t seed, int64_t index) {
  Draws draws(seed, kReviewStream, index);
  const SentimentLexicon& lex = sentiment_lexicon();
  const SentimentSentence s = sentence(draws, kReviewMix);
  return s.text + ". " + draws.pick(s.label == 1 ? lex.positive_remarks : lex.negative_remarks) +
         ".";
}

void write_sentiment_sst2(const std::string& glue_dir, int64_t n_train, int64_t n_dev,
                          uint64_t seed) {
  FFTUNE_CHECK(n_train > 0 && n_dev > 0, "write_sentiment_sst2: need train and dev sentences, got ",
               n_train, " and ", n_dev);
  const std::string dir = glue_dir + "/SST-2";
  std::filesystem::create_directories(dir);
  const auto split = [&](int64_t first, int64_t count) {
    std::string tsv = "sentence\tlabel\n";
    for (int64_t i = first; i < first + count; ++i) {
      const SentimentSentence s = sentiment_sentence(seed, i);
      tsv += s.text + "\t" + std::to_string(s.label) + "\n";
    }
    return tsv;
  };
  write_atomically(dir + "/train.tsv", split(0, n_train));
  write_atomically(dir + "/dev.tsv", split(n_train, n_dev));
}

}  // namespace roberta_glue
