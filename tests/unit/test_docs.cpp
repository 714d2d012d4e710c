// The documentation names only what exists. Every backticked token of README.md, docs/*.md and
// the READMEs inside the source folders is checked against the repository:
//   - a path (a token made of path characters that contains '/' or ends in a file extension)
//     must exist, relative to the repository root or to the document's own folder;
//   - an identifier — `ns::Name`, a `CamelCase` name, or a call `name(...)` / `obj.name(...)` —
//     must appear as a whole word in the source tree (code, scripts and CMake files; not docs);
//   - anything else (commands' arguments, flags, numbers, math) is not checked.
// Names that belong to other projects (PyTorch, peft, transformers, the paper) and paths that
// exist only after a build or a run are listed below, each with its reason.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace fftune::testing {
namespace {

namespace fs = std::filesystem;

fs::path repo_root() {
  return fs::weakly_canonical(fs::path(fixture_path("")) / ".." / "..");
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Paths that are made by a build or a run, or live outside this repository by design.
bool is_generated_or_external_path(const std::string& p) {
  static const std::vector<std::string> kPrefixes = {
      "build",      // build outputs: build/, build-asan/, build/bench/bench_ops ...
      "runs/",      // run folders the examples write
      "~/",         // the demo cache (~/.cache/fftune)
      "/",          // absolute paths of the system (/usr/local/cuda/bin, /etc/...)
      "$",          // shell variables ($OUT/..., $HOME/...)
      "http",       // links
      "src/peft/",  // HF peft's repository layout (the reference implementation)
      "transformers/", "peft/", "torch/",
      // Layouts of what a run writes and of the real datasets and checkpoints (docs/reproduce.md)
      "dtd/", "glue_data/", "SST-2/", "labels/", "images/", "checkpoint/", "best/", "adapter/",
      "backbone/",               // full fine-tuning's encoder, inside best/ and adapter/
      "google/", "FacebookAI/",  // Hugging Face hub model ids
      "step/",                   // benchmark names of bench_step (step/roberta/lora_r8)
  };
  for (const auto& prefix : kPrefixes)
    if (p.rfind(prefix, 0) == 0) return true;
  return false;
}

// Identifiers from other projects that the docs name on purpose (compared with, or followed).
const std::set<std::string>& external_identifiers() {
  static const std::set<std::string> kNames = {
      // PyTorch
      "torch",
      "randperm",
      "autocast",
      "detect_anomaly",
      "use_deterministic_algorithms",
      "set_num_threads",
      "ifft2",
      "irfft2",
      "rfft2",
      "rfft",
      "fft2",
      "backward",
      "BatchNorm",
      "DataLoader",
      "ImageFolder",
      "RandomResizedCrop",
      "GradScaler",
      "TensorImpl",
      // peft / transformers / tokenizers
      "FourierFTLayer",
      "FourierFTModel",
      "LoraLayer",
      "LoraModel",
      "PeftModel",
      "C3A",
      "ByteLevelBPETokenizer",
      "RobertaTokenizer",
      "AutoModel",
      "ViTForImageClassification",
      "from_pretrained",
      "save_pretrained",
      "get_peft_model",
      "encode_batch",
      // NumPy / Pillow / libraries
      "numpy",
      "Pillow",
      "dnnl_sgemm",
      "cblas_sgemm",
      "bli_sgemm",
      "cufftExecC2R",
  };
  return kNames;
}

// Expands one level of shell braces: "a.{h,cpp}" -> {"a.h", "a.cpp"}.
std::vector<std::string> expand_braces(const std::string& p) {
  const size_t open = p.find('{'), close = p.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return {p};
  std::vector<std::string> out;
  std::stringstream alternatives(p.substr(open + 1, close - open - 1));
  std::string alt;
  while (std::getline(alternatives, alt, ','))
    for (const auto& rest : expand_braces(p.substr(close + 1)))
      out.push_back(p.substr(0, open) + alt + rest);
  return out;
}

// A bare file name ("train.cpp") names a file in the folder the text is about: some file of the
// repository must carry that name.
bool file_name_exists(const std::string& name) {
  for (const auto& entry : fs::recursive_directory_iterator(repo_root()))
    if (entry.path().filename() == name &&
        entry.path().string().find("/.git/") == std::string::npos)
      return true;
  return false;
}

bool path_exists(const std::string& p, const fs::path& doc_dir) {
  if (p.find('/') == std::string::npos) {
    for (const auto& name : expand_braces(p))
      if (!file_name_exists(name)) return false;
    return true;
  }
  for (std::string candidate : expand_braces(p)) {
    // A glob names files by pattern: its folder must exist.
    if (const size_t star = candidate.find('*'); star != std::string::npos) {
      const size_t slash = candidate.rfind('/', star);
      candidate = slash == std::string::npos ? "." : candidate.substr(0, slash);
    }
    // It must exist inside the repository (a reader of a clone has nothing beside it).
    bool found = false;
    for (const fs::path& base : {repo_root(), doc_dir}) {
      const fs::path full = fs::weakly_canonical(base / candidate);
      const std::string root = repo_root().string() + "/";
      found = found || ((full.string() + "/").rfind(root, 0) == 0 && fs::exists(full));
    }
    if (!found) return false;
  }
  return true;
}

struct Finding {
  std::string doc;
  int line = 0;
  std::string token, problem;
};

class DocsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The searchable source tree: code, scripts and build files, without docs and fixtures.
    const std::set<std::string> kExtensions = {".h", ".cpp", ".cu", ".cuh", ".py", ".sh", ".txt"};
    for (const char* dir : {"core", "ops", "nn", "fourierft", "adapters", "data", "examples",
                            "tests", "bench", "tools", "scripts", ".ci"}) {
      if (!fs::exists(repo_root() / dir)) continue;
      for (const auto& entry : fs::recursive_directory_iterator(repo_root() / dir)) {
        if (!entry.is_regular_file()) continue;
        const fs::path& p = entry.path();
        if (p.string().find("/fixtures/") != std::string::npos) continue;
        if (p.filename() == "test_docs.cpp") continue;  // it names missing things on purpose
        const bool script = p.parent_path().filename() == "scripts" || p.parent_path() == ".ci";
        if (kExtensions.count(p.extension().string()) || script) *source_ += read_file(p) + "\n";
      }
    }
    *source_ += read_file(repo_root() / "CMakeLists.txt");
  }

  static bool in_source(const std::string& word) {
    size_t pos = 0;
    auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    while ((pos = source_->find(word, pos)) != std::string::npos) {
      const bool left = pos == 0 || !is_word((*source_)[pos - 1]);
      const size_t end = pos + word.size();
      const bool right = end >= source_->size() || !is_word((*source_)[end]);
      if (left && right) return true;
      pos = end;
    }
    return false;
  }

  // The documents: README.md, docs/*.md and every README.md inside the source folders.
  static std::vector<fs::path> documents() {
    std::vector<fs::path> docs = {repo_root() / "README.md"};
    for (const auto& entry : fs::directory_iterator(repo_root() / "docs"))
      if (entry.path().extension() == ".md") docs.push_back(entry.path());
    for (const char* dir : {"core", "ops", "nn", "fourierft", "adapters", "data", "examples",
                            "tests", "bench", "tools"}) {
      if (!fs::exists(repo_root() / dir)) continue;
      for (const auto& entry : fs::recursive_directory_iterator(repo_root() / dir))
        if (entry.path().filename() == "README.md") docs.push_back(entry.path());
    }
    std::sort(docs.begin(), docs.end());
    return docs;
  }

  // Checks one backticked token; returns a problem, or "" when it is fine or not checked.
  static std::string check_token(const std::string& raw, const fs::path& doc_dir) {
    static const std::regex kPath(R"(^[A-Za-z0-9_.~$\-/{},*+]+$)");
    // Source files are checked by name alone; data files (.json, .png, ...) only with a folder,
    // since a bare "config.json" or "loss.png" is usually a file a run writes.
    static const std::regex kSourceExtension(R"(\.(h|cpp|cu|cuh|py|sh|md)$)");
    static const std::regex kMathSegment(R"((^|/)[0-9]+(/|$))");  // c/2, d2/2: arithmetic
    static const std::regex kScoped(R"(^[A-Za-z_]\w*(::~?[A-Za-z_]\w*)+$)");
    static const std::regex kCamel(R"(^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$)");
    static const std::regex kCallee(R"(^[A-Za-z_][\w]*((::|\.)[A-Za-z_~]\w*)*$)");

    std::string token = raw;
    if (token.empty() || token[0] == '-') return "";  // a flag
    // The op recipe's example name `foo` (ops/README.md): its files do not exist by design.
    static const std::regex kRecipeExampleName(R"((^|[/_])foo([/_.(]|$))");
    if (std::regex_search(token, kRecipeExampleName)) return "";
    const size_t paren = token.find('(');
    const size_t space = token.find_first_of(" \t");
    if (paren != std::string::npos && (space == std::string::npos || paren < space)) {
      // A call: name(...) or obj.name(...) or ns::name(...): its last name must exist.
      const std::string callee = token.substr(0, paren);
      if (!std::regex_match(callee, kCallee)) return "";
      const size_t cut =
          std::max(callee.rfind("::") == std::string::npos ? 0 : callee.rfind("::") + 2,
                   callee.rfind('.') == std::string::npos ? 0 : callee.rfind('.') + 1);
      const std::string name = callee.substr(cut);
      if (external_identifiers().count(name) || external_identifiers().count(callee)) return "";
      return in_source(name) ? "" : "names '" + name + "', which is not in the source tree";
    }
    if (space != std::string::npos) token = token.substr(0, space);  // a command: its program
    while (!token.empty() && std::string(",.;:").find(token.back()) != std::string::npos)
      token.pop_back();
    static const std::regex kBareExtension(R"(^\.[A-Za-z0-9]+$)");  // ".cpp": not a path
    if (token.empty() || std::regex_match(token, kBareExtension)) return "";

    const bool path_shaped =
        std::regex_match(token, kPath) && !std::regex_search(token, kMathSegment) &&
        (token.find('/') != std::string::npos || std::regex_search(token, kSourceExtension));
    if (path_shaped) {
      if (is_generated_or_external_path(token)) return "";
      return path_exists(token, doc_dir) ? "" : "is not a path inside the repository";
    }
    if (std::regex_match(token, kScoped)) {
      const std::string name = token.substr(token.rfind("::") + 2);
      if (external_identifiers().count(name)) return "";
      return in_source(name) ? "" : "names '" + name + "', which is not in the source tree";
    }
    if (std::regex_match(token, kCamel) &&
        token.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1) != std::string::npos) {
      if (external_identifiers().count(token)) return "";
      return in_source(token) ? "" : "is not in the source tree";
    }
    return "";
  }

  static std::string* source_;
};

std::string* DocsTest::source_ = new std::string;

TEST_F(DocsTest, EveryBacktickedPathAndIdentifierExists) {
  std::vector<Finding> findings;
  int checked_docs = 0;
  for (const fs::path& doc : documents()) {
    ++checked_docs;
    std::ifstream in(doc);
    std::string line;
    bool fenced = false;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.rfind("```", 0) == 0) {
        fenced = !fenced;
        continue;
      }
      if (fenced) continue;
      for (size_t open = line.find('`'); open != std::string::npos;) {
        const size_t close = line.find('`', open + 1);
        if (close == std::string::npos) break;
        const std::string token = line.substr(open + 1, close - open - 1);
        const std::string problem = check_token(token, doc.parent_path());
        if (!problem.empty())
          findings.push_back({fs::relative(doc, repo_root()).string(), number, token, problem});
        open = line.find('`', close + 1);
      }
    }
  }
  EXPECT_GE(checked_docs, 5);
  std::string report;
  for (const auto& f : findings)
    report += f.doc + ":" + std::to_string(f.line) + ": `" + f.token + "` " + f.problem + "\n";
  EXPECT_TRUE(findings.empty()) << findings.size() << " stale references:\n" << report;
}

// The checker itself: what it must flag and what it must leave alone.
TEST_F(DocsTest, CheckerFlagsMissingNamesAndPaths) {
  const fs::path docs = repo_root() / "docs";
  EXPECT_EQ(check_token("fourierft/entries.h", docs), "");
  EXPECT_EQ(check_token("adapters/lora_linear.{h,cpp}", docs), "");
  EXPECT_EQ(check_token("fourierft::SpectralEntries", docs), "");
  EXPECT_EQ(check_token("uniform_entries(out, in, n, seed)", docs), "");
  EXPECT_EQ(check_token("FourierFTLinear", docs), "");
  EXPECT_EQ(check_token("build/bench/bench_ops --benchmark_filter=gelu", docs), "");
  EXPECT_EQ(check_token("--eval-only", docs), "");
  EXPECT_EQ(check_token("α/(d1·d2)", docs), "");
  EXPECT_EQ(check_token("ops/cpu/foo_kernels.h", docs), "");  // the recipe's example name
  EXPECT_EQ(check_token("foo_cases()", docs), "");
  EXPECT_EQ(check_token(".cpp", docs), "");
  EXPECT_NE(check_token("fourierft/no_such_file.h", docs), "");
  EXPECT_NE(check_token("../shared/DESIGN.md", docs), "");
  EXPECT_NE(check_token("fourierft::NoSuchType", docs), "");
  EXPECT_NE(check_token("NoSuchCamelType", docs), "");
  EXPECT_NE(check_token("no_such_function(x)", docs), "");
}

}  // namespace
}  // namespace fftune::testing
