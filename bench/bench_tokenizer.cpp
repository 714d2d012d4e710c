// Encode throughput of the byte-level BPE tokenizer (data/bpe_tokenizer.h), in MB/s of UTF-8
// input, on a fixed generated text with a real-size vocabulary; bench/reference/tokenizer_hf.py
// encodes the same text with the same files through Hugging Face `tokenizers`, and
// scripts/bench-tokenizer prints the two side by side.
//
// The text (about 4 MB, one paragraph per line) mixes English-like words drawn from a Zipf
// distribution, punctuation, contractions, numbers, accented words, CJK and emoji. The
// vocabulary (50,000 tokens, roberta-base's size) is trained on that text by fftune's BpeTrainer
// (data/bpe_trainer.h). Both are written once to $FFTUNE_TOKENIZER_BENCH_DIR (default:
// <temp>/fftune_tokenizer_bench) as text.txt, vocab.json and merges.txt, with recipe.json; a
// directory with another recipe is rewritten. FFTUNE_TOKENIZER_BENCH_MB and
// FFTUNE_TOKENIZER_BENCH_VOCAB change the size (for a quick check).
//
// Benchmarks (single thread; counter "MB/s" = 1e6 input bytes per second):
//   BM_tokenize_lines_warm  every line, through the tokenizer's piece cache after a first pass
//   BM_tokenize_lines_cold  every line with an empty cache (a fresh copy of the tokenizer)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "data/bpe_tokenizer.h"
#include "data/bpe_trainer.h"

namespace {

using namespace fftune::data;
namespace fs = std::filesystem;

double env_double(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atof(v) : fallback;
}

// ---- the text --------------------------------------------------------------------------------

// A deterministic stream of raw 64-bit draws (std::mt19937_64's sequence is fixed by the
// standard; only its raw outputs are used, never a std:: distribution).
class Draws {
 public:
  explicit Draws(uint64_t seed) : engine_(seed) {}
  uint64_t below(uint64_t n) { return engine_() % n; }
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1p-53; }
  template <typename T>
  const T& pick(const std::vector<T>& options) {
    return options[below(options.size())];
  }

 private:
  std::mt19937_64 engine_;
};

// English-like words: 1 to 4 syllables, each an onset, a vowel and a coda (thousands of
// syllables, so the words are as varied as a real text's and a 50k vocabulary has enough to
// learn), drawn with Zipf frequencies (the r-th word ∝ 1/r).
class Lexicon {
 public:
  Lexicon(Draws& draws, int64_t size) {
    static const std::vector<std::string> onsets = {
        "",  "b", "c", "d", "f", "g",  "h",  "j",  "k",  "l",  "m",  "n",  "p",  "r",
        "s", "t", "v", "w", "z", "st", "tr", "pl", "br", "ch", "sh", "th", "gr", "cl"};
    static const std::vector<std::string> vowels = {"a", "e",  "i",  "o",  "u",
                                                    "y", "ou", "ea", "ai", "io"};
    static const std::vector<std::string> codas = {"",   "n",  "r",  "s",  "t",  "l", "m",
                                                   "nd", "st", "ng", "ck", "rt", "x"};
    double total = 0;
    for (int64_t r = 0; r < size; ++r) {
      std::string word;
      const uint64_t n = 1 + draws.below(4);
      for (uint64_t s = 0; s < n; ++s)
        word += draws.pick(onsets) + draws.pick(vowels) + draws.pick(codas);
      words_.push_back(word);
      total += 1.0 / static_cast<double>(r + 1);
      cumulative_.push_back(total);
    }
    for (double& c : cumulative_) c /= total;
  }
  const std::string& draw(Draws& draws) const {
    const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), draws.uniform());
    return words_[std::min<size_t>(it - cumulative_.begin(), words_.size() - 1)];
  }

 private:
  std::vector<std::string> words_;
  std::vector<double> cumulative_;
};

// About `bytes` bytes of text, one paragraph per line.
std::string generate_text(int64_t bytes) {
  Draws draws(20240601);
  const Lexicon lexicon(draws, 400000);
  const std::vector<std::string> accented = {
      "café",     "naïve",   "Zürich",    "façade", "crème", "über",   "señor",    "São Paulo",
      "Ångström", "déjà vu", "coöperate", "Dvořák", "Łódź",  "résumé", "jalapeño", "Reykjavík"};
  const std::vector<std::string> cjk = {"東京", "北京大学",      "日本語のテキスト",
                                        "中文", "こんにちは",    "한국어",
                                        "映画", "電車で行きます"};
  const std::vector<std::string> emoji = {"😀",    "🎉",           "👍",  "❤️", "🚀",
                                          "🙂", "👩‍💻", "🇫🇷", "🤖"};
  const std::vector<std::string> contractions = {"'s", "'t", "'re", "'ve", "'ll", "'d", "'m"};
  const std::vector<std::string> punctuation = {",",  ",", ",",  ";", ":", " -",
                                                " (", ")", "\"", "!", "?", "..."};
  std::string text;
  text.reserve(static_cast<size_t>(bytes) + 1024);
  while (static_cast<int64_t>(text.size()) < bytes) {
    const uint64_t sentences = 1 + draws.below(6);
    for (uint64_t s = 0; s < sentences; ++s) {
      const uint64_t words = 4 + draws.below(18);
      for (uint64_t w = 0; w < words; ++w) {
        const double kind = draws.uniform();
        std::string token;
        if (kind < 0.86) {
          token = lexicon.draw(draws);
          if (w == 0 || draws.uniform() < 0.05) token[0] = static_cast<char>(token[0] - 'a' + 'A');
          if (draws.uniform() < 0.03) token += draws.pick(contractions);
        } else if (kind < 0.92) {
          // Numbers: counts, years, decimals, prices (snprintf: GCC 12 warns falsely on
          // std::string concatenations of to_string here, -Wrestrict).
          char number[32];
          const auto n = [&](uint64_t limit) {
            return static_cast<unsigned long long>(draws.below(limit));
          };
          switch (draws.below(4)) {
            case 0:
              std::snprintf(number, sizeof number, "%llu", n(100));
              break;
            case 1:
              std::snprintf(number, sizeof number, "%llu", 1900 + n(130));
              break;
            case 2:
              std::snprintf(number, sizeof number, "%llu.%llu", n(1000), n(100));
              break;
            default:
              std::snprintf(number, sizeof number, "$%llu", n(100000));
              break;
          }
          token = number;
        } else if (kind < 0.96) {
          token = draws.pick(accented);
        } else if (kind < 0.985) {
          token = draws.pick(cjk);
        } else {
          token = draws.pick(emoji);
        }
        if (w > 0) text += draws.uniform() < 0.01 ? "  " : " ";
        text += token;
        if (w + 1 < words && draws.uniform() < 0.08) text += draws.pick(punctuation);
      }
      text += draws.uniform() < 0.8 ? "." : (draws.uniform() < 0.5 ? "!" : "?");
      if (s + 1 < sentences) text += " ";
    }
    text += "\n";
  }
  return text;
}

// ---- the files ---------------------------------------------------------------------------------

struct BenchData {
  std::string text;
  std::vector<std::string> lines;
  std::unique_ptr<BpeTokenizer> tokenizer;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

BenchData load() {
  const char* dir_env = std::getenv("FFTUNE_TOKENIZER_BENCH_DIR");
  const fs::path dir = dir_env != nullptr && *dir_env != '\0'
                           ? fs::path(dir_env)
                           : fs::temp_directory_path() / "fftune_tokenizer_bench";
  const auto bytes = static_cast<int64_t>(env_double("FFTUNE_TOKENIZER_BENCH_MB", 4.0) * 1e6);
  const auto vocab_size = static_cast<int64_t>(env_double("FFTUNE_TOKENIZER_BENCH_VOCAB", 50000));
  const nlohmann::json recipe = {{"bytes", bytes}, {"vocab_size", vocab_size}, {"version", 2}};
  const fs::path recipe_path = dir / "recipe.json";
  if (!fs::exists(recipe_path) || nlohmann::json::parse(read_file(recipe_path)) != recipe) {
    fs::create_directories(dir);
    const std::string text = generate_text(bytes);
    std::ofstream(dir / "text.txt", std::ios::binary) << text;
    BpeTrainerOptions options;
    options.vocab_size = vocab_size;
    BpeTrainer trainer(options);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) trainer.add_text(line);
    trainer.train().save(dir.string());
    std::ofstream(recipe_path) << recipe.dump() << "\n";
  }
  BenchData data;
  data.text = read_file(dir / "text.txt");
  std::istringstream lines(data.text);
  for (std::string line; std::getline(lines, line);) data.lines.push_back(line);
  data.tokenizer = std::make_unique<BpeTokenizer>(BpeTokenizer::from_directory(dir.string()));
  return data;
}

const BenchData& bench_data() {
  static const BenchData data = load();
  return data;
}

int64_t tokenize_all(const BpeTokenizer& tokenizer, const std::vector<std::string>& lines) {
  int64_t tokens = 0;
  for (const std::string& line : lines)
    tokens += static_cast<int64_t>(tokenizer.tokenize(line).size());
  return tokens;
}

void report(benchmark::State& state, int64_t tokens) {
  const auto bytes = static_cast<double>(bench_data().text.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bench_data().text.size()));
  state.counters["MB/s"] =
      benchmark::Counter(bytes / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["tokens"] = static_cast<double>(tokens);
  state.counters["text_MB"] = bytes / 1e6;
  state.counters["vocab"] = static_cast<double>(bench_data().tokenizer->vocab_size());
}

void BM_tokenize_lines_warm(benchmark::State& state) {
  const BenchData& data = bench_data();
  const BpeTokenizer& tokenizer = *data.tokenizer;
  int64_t tokens = tokenize_all(tokenizer, data.lines);  // fills the cache
  for (auto _ : state) {
    tokens = tokenize_all(tokenizer, data.lines);
    benchmark::DoNotOptimize(tokens);
  }
  report(state, tokens);
}

void BM_tokenize_lines_cold(benchmark::State& state) {
  const BenchData& data = bench_data();
  int64_t tokens = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto fresh = std::make_unique<BpeTokenizer>(*data.tokenizer);  // a copy has an empty cache
    state.ResumeTiming();
    tokens = tokenize_all(*fresh, data.lines);
    benchmark::DoNotOptimize(tokens);
    state.PauseTiming();
    fresh.reset();
    state.ResumeTiming();
  }
  report(state, tokens);
}

BENCHMARK(BM_tokenize_lines_warm)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_tokenize_lines_cold)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
