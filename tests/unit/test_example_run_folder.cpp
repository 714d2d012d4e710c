// examples/common/method.h and run_folder.h: adapter_config.json for every method round-trips
// and is parsed strictly; a saved method loads back into a fresh model with nothing else known;
// a run folder refuses to be reused without --overwrite, --overwrite leaves nothing behind, and
// --eval-only / --resume find the method in the folder or refuse with the folder named.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/tensor/factory.h"
#include "examples/common/method.h"
#include "examples/common/run_folder.h"
#include "nn/module_tree.h"
#include "ops/ops.h"

namespace {

namespace fs = std::filesystem;
using namespace fftune;
using examples::Method;

// The message of the fftune::Error `f` throws (empty when it throws none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

class RunFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fftune_run_folder_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// One method of each kind, with options away from the defaults.
std::vector<Method> every_method() {
  Method fourierft;
  fourierft.options = {{"n_frequency", 20}, {"scaling", 12.5}, {"random_loc_seed", 9}};
  fourierft.modules_to_save = {"classifier"};
  Method biased = fourierft;
  biased.options["frequency_bias"] = {1.5, 3.0};
  Method lora;
  lora.adapter = "lora";
  lora.options = {{"r", 2}, {"lora_alpha", 6.0}};
  lora.task_type = "SEQ_CLS";
  Method hartley = fourierft;
  hartley.adapter = "hartley";
  hartley.target_modules = {"value"};
  Method head;
  head.adapter = "head";
  head.modules_to_save = {"classifier"};
  Method full;
  full.adapter = "full";
  full.task_type = "SEQ_CLS";
  return {fourierft, biased, lora, hartley, head, full};
}

// Two layers with "query", "value" and "dense" Linears, and a "classifier".
std::shared_ptr<nn::ModuleTree> tiny_model(uint64_t seed) {
  auto model = std::make_shared<nn::ModuleTree>();
  Generator gen(seed);
  for (const std::string layer : {"encoder.layer.0.", "encoder.layer.1."})
    for (const std::string name : {"query", "value", "dense"})
      model->add_linear(layer + name, 8, 8, true, &gen);
  model->add_linear("classifier", 8, 3, true, &gen);
  return model;
}

TEST(Method, ConfigRoundTripsForEveryMethod) {
  const std::vector<std::string> types = {"FOURIERFT",      "FFTUNE_FOURIERFT", "LORA",
                                          "FFTUNE_HARTLEY", "FFTUNE_HEAD",      "FFTUNE_FULL"};
  const std::vector<Method> methods = every_method();
  for (size_t i = 0; i < methods.size(); ++i) {
    const Method& m = methods[i];
    EXPECT_EQ(examples::peft_type(m), types[i]);
    const Method back = examples::method_from_json(examples::to_json(m), "test");
    EXPECT_EQ(back.adapter, m.adapter) << types[i];
    EXPECT_TRUE(examples::method_differences(back, m).empty()) << types[i];
    EXPECT_EQ(back.task_type, m.task_type) << types[i];
    EXPECT_EQ(examples::to_json(back), examples::to_json(m)) << types[i];
  }
}

TEST(Method, DifferencesNameTheFieldsThatMatterForTheMethod) {
  Method a = every_method()[0], b = a;
  b.modules_to_save = {"head"};  // not compared
  EXPECT_TRUE(examples::method_differences(a, b).empty());
  b.options["n_frequency"] = 21;
  b.options["scaling"] = 1.0;
  EXPECT_EQ(examples::method_differences(a, b),
            (std::vector<std::string>{"n_frequency", "scaling"}));
  b.adapter = "lora";
  EXPECT_EQ(examples::method_differences(a, b), std::vector<std::string>{"adapter"});
}

TEST(Method, ParsingIsStrict) {
  const std::string hartley = examples::to_json(every_method()[3]);
  std::string unknown = hartley;
  unknown.insert(unknown.find('{') + 1, "\"dropout\": 0.1,");
  EXPECT_NE(error_of([&] {
              examples::method_from_json(unknown, "cfg.json");
            }).find("cfg.json: unknown key \"dropout\""),
            std::string::npos);
  std::string missing = hartley;
  missing.replace(missing.find("\"scaling\""), 9, "\"scale\"");
  EXPECT_NE(error_of([&] {
              examples::method_from_json(missing, "cfg.json");
            }).find("\"scaling\" is missing"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              examples::method_from_json(R"({"peft_type": "HARTLEY"})", "cfg.json");
            }).find("unknown peft_type 'HARTLEY'"),
            std::string::npos);
}

TEST_F(RunFolderTest, SavedMethodsLoadIntoAFreshModel) {
  for (const Method& m : every_method()) {
    const std::string type = examples::peft_type(m);
    auto trained = tiny_model(1);
    Generator gen(2);
    examples::attach_method(*trained, m, &gen);
    {
      NoGradGuard no_grad;  // as training would: every trainable tensor moves off its start
      for (auto& [name, t] : trained->named_parameters())
        if (t.requires_grad()) {
          Tensor target = t;
          target.copy_(add(t, 0.25));
        }
    }
    const std::string saved = (dir_ / type).string();
    examples::save_method(*trained, m, saved);

    auto fresh = tiny_model(1);
    {
      NoGradGuard no_grad;  // what the file must restore starts elsewhere
      for (auto& [name, t] : fresh->named_parameters())
        if (m.adapter == "full" || name.starts_with("classifier")) {
          Tensor target = t;
          target.fill_(0.0);
        }
    }
    const examples::LoadedMethod loaded = examples::load_method(*fresh, saved);
    EXPECT_EQ(examples::peft_type(loaded.method), type);
    EXPECT_TRUE(examples::method_differences(loaded.method, m).empty()) << type;
    const auto want = trained->named_parameters(), got = fresh->named_parameters();
    ASSERT_EQ(want.size(), got.size()) << type;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(want[i].first, got[i].first) << type;
      EXPECT_EQ(to_vector<float>(want[i].second), to_vector<float>(got[i].second))
          << type << " " << want[i].first;
      EXPECT_FALSE(got[i].second.requires_grad()) << type << " " << got[i].first;
    }
  }
}

TEST_F(RunFolderTest, AFolderWithoutAConfigIsRefused) {
  fs::create_directories(dir_ / "bare");
  auto model = tiny_model(1);
  EXPECT_NE(error_of([&] {
              examples::load_method(*model, (dir_ / "bare").string());
            }).find((dir_ / "bare").string() + " holds no adapter_config.json"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              examples::trained_folder((dir_ / "bare").string());
            }).find("holds neither adapter_config.json"),
            std::string::npos);
}

TEST_F(RunFolderTest, ANonEmptyFolderIsRefusedUnlessOverwrite) {
  const std::string out = (dir_ / "run").string();
  const examples::RunDescription train{"vit_dtd", "train", every_method()[0], "adapter"};
  examples::start_run_folder(out, false, train);  // missing: created
  EXPECT_TRUE(fs::exists(dir_ / "run" / "fftune_run.json"));
  std::ofstream(dir_ / "run" / "metrics.jsonl") << "{}\n";
  EXPECT_NE(error_of([&] {
              examples::start_run_folder(out, false, train);
            }).find("--out " + out + " is not empty (it holds another run)"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "run" / "metrics.jsonl"));
  // --overwrite: nothing of the earlier run survives.
  fs::create_directories(dir_ / "run" / "adapter");
  std::ofstream(dir_ / "run" / "adapter" / "adapter_config.json") << "{}";
  examples::start_run_folder(out, true, {"vit_dtd", "eval-only", {}, ""});
  EXPECT_FALSE(fs::exists(dir_ / "run" / "metrics.jsonl"));
  EXPECT_FALSE(fs::exists(dir_ / "run" / "adapter"));
  EXPECT_EQ(examples::read_run_description(out).kind, "eval-only");

  // A folder no run wrote is never emptied.
  fs::create_directories(dir_ / "mine");
  std::ofstream(dir_ / "mine" / "notes.txt") << "keep";
  EXPECT_NE(error_of([&] {
              examples::start_run_folder((dir_ / "mine").string(), true, train);
            }).find("holds files but no fftune_run.json"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "mine" / "notes.txt"));
  // An empty one is fine.
  fs::create_directories(dir_ / "empty");
  examples::start_run_folder((dir_ / "empty").string(), false, train);
}

TEST_F(RunFolderTest, EvalOnlyAndResumeFindTheMethodInTheFolder) {
  const std::string out = (dir_ / "run").string();
  const Method lora = every_method()[2];
  examples::start_run_folder(out, false, {"roberta_glue", "train", lora, "best"});
  EXPECT_NE(error_of([&] { examples::trained_folder(out); }).find("has not saved its method yet"),
            std::string::npos);
  auto model = tiny_model(1);
  Generator gen(2);
  examples::attach_method(*model, lora, &gen);
  examples::save_method(*model, lora, out + "/best");
  EXPECT_EQ(examples::trained_folder(out), out + "/best");
  EXPECT_EQ(examples::trained_folder(out + "/best"), out + "/best");

  EXPECT_TRUE(
      examples::method_differences(examples::resume_method(out, "roberta_glue"), lora).empty());
  EXPECT_NE(error_of([&] {
              examples::resume_method(out, "vit_dtd");
            }).find("holds a run of roberta_glue, not of vit_dtd"),
            std::string::npos);
  const std::string eval = (dir_ / "eval").string();
  examples::start_run_folder(eval, false, {"roberta_glue", "eval-only", lora, ""});
  EXPECT_NE(
      error_of([&] { examples::resume_method(eval, "roberta_glue"); }).find("not a training run"),
      std::string::npos);
  EXPECT_NE(error_of([&] { examples::trained_folder(eval); }).find("holds no trained method"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              examples::resume_method((dir_ / "none").string(), "vit_dtd");
            }).find("holds no fftune_run.json"),
            std::string::npos);
}

TEST_F(RunFolderTest, AMalformedRunFileIsRefusedNamingIt) {
  const std::string out = (dir_ / "run").string();
  fs::create_directories(out);
  std::ofstream(dir_ / "run" / "fftune_run.json") << R"({"program": "vit_dtd"})";
  EXPECT_NE(error_of([&] {
              examples::read_run_description(out);
            }).find(out + "/fftune_run.json: \"program\" and \"kind\" must be strings"),
            std::string::npos);
  std::ofstream(dir_ / "run" / "fftune_run.json") << "{\"program\": ";
  EXPECT_NE(error_of([&] {
              examples::resume_method(out, "vit_dtd");
            }).find(out + "/fftune_run.json: not valid JSON"),
            std::string::npos);
}

TEST(RunFolder, GivenMethodFlagsMustAgreeWithTheFolder) {
  const Method folder = every_method()[0];  // FourierFT, n 20
  Method flags = folder;
  flags.options["n_frequency"] = 30;
  const std::vector<examples::MethodFlag> table = {
      {"--adapter", {"adapter"}}, {"--n", {"n_frequency"}}, {"--rank", {"r"}}};
  // Not given: the folder's value is used.
  examples::check_method_flags(folder, flags, {"--seed"}, table, "runs/x");
  // A flag the folder's method does not use.
  examples::check_method_flags(folder, flags, {"--rank"}, table, "runs/x");
  EXPECT_NE(error_of([&] { examples::check_method_flags(folder, flags, {"--n"}, table, "runs/x"); })
                .find("--n (n_frequency 30) contradicts runs/x, whose method (FOURIERFT) has "
                      "n_frequency 20"),
            std::string::npos);
  flags = folder;
  examples::check_method_flags(folder, flags, {"--n", "--adapter"}, table, "runs/x");
}

}  // namespace
