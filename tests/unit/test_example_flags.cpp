// examples/common/flags: parsing, typed getters, defaults, --help, and the error for each kind
// of bad command line.
#include "examples/common/flags.h"

#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

Flags make_flags() {
  Flags f("trainer", "Trains a thing.");
  f.add_string("model", "", "HF model directory");
  f.add_int("epochs", 10, "training epochs");
  f.add_double("lr", 0.3, "learning rate");
  f.add_bool("resume", false, "continue from the checkpoint");
  f.add_choice("adapter", "fourierft", {"fourierft", "lora", "head"}, "what to train");
  f.add_string("freq-bias", "", "FC,W of the band-pass sampling");
  return f;
}

TEST(ExampleFlags, DefaultsWhenNothingIsGiven) {
  Flags f = make_flags();
  f.parse(std::vector<std::string>{});
  EXPECT_EQ(f.get_string("model"), "");
  EXPECT_EQ(f.get_int("epochs"), 10);
  EXPECT_EQ(f.get_double("lr"), 0.3);
  EXPECT_FALSE(f.get_bool("resume"));
  EXPECT_EQ(f.get_string("adapter"), "fourierft");
  EXPECT_FALSE(f.is_set("epochs"));
  EXPECT_FALSE(f.help_requested());
  EXPECT_TRUE(f.get_doubles("freq-bias").empty());
}

TEST(ExampleFlags, BothValueFormsAndSwitches) {
  Flags f = make_flags();
  const char* argv[] = {"trainer", "--model",  "/m/vit",         "--epochs=3",  "--lr",
                        "-1e-3",   "--resume", "--adapter=lora", "--freq-bias", "200,50.5"};
  f.parse(static_cast<int>(std::size(argv)), argv);
  EXPECT_EQ(f.get_string("model"), "/m/vit");
  EXPECT_EQ(f.get_int("epochs"), 3);
  EXPECT_EQ(f.get_double("lr"), -1e-3);  // a negative number is a value, not a flag
  EXPECT_TRUE(f.get_bool("resume"));
  EXPECT_EQ(f.get_string("adapter"), "lora");
  EXPECT_EQ(f.get_doubles("freq-bias"), (std::vector<double>{200.0, 50.5}));
  EXPECT_TRUE(f.is_set("epochs"));
}

TEST(ExampleFlags, BoolTakesItsValueOnlyAfterEquals) {
  Flags f = make_flags();
  f.parse({"--resume=false"});
  EXPECT_FALSE(f.get_bool("resume"));
  EXPECT_TRUE(f.is_set("resume"));
  Flags g = make_flags();
  // `--resume true` would make "true" a positional argument, which is rejected.
  EXPECT_FFTUNE_ERROR(g.parse({"--resume", "true"}), "unexpected argument 'true'");
  Flags h = make_flags();
  EXPECT_FFTUNE_ERROR(h.parse({"--resume=maybe"}), "--resume: expected true/false");
}

TEST(ExampleFlags, LastOccurrenceWins) {
  Flags f = make_flags();
  f.parse({"--epochs", "2", "--epochs=5"});
  EXPECT_EQ(f.get_int("epochs"), 5);
}

TEST(ExampleFlags, UnknownFlagIsNamedWithASuggestion) {
  Flags f = make_flags();
  EXPECT_FFTUNE_ERROR(f.parse({"--epoch", "3"}), "unknown flag --epoch (did you mean --epochs?)");
  Flags g = make_flags();
  EXPECT_FFTUNE_ERROR(g.parse({"--batch-size", "3"}), "trainer: unknown flag --batch-size; see");
}

TEST(ExampleFlags, BadValuesNameTheFlag) {
  {
    Flags f = make_flags();
    EXPECT_FFTUNE_ERROR(f.parse({"--epochs", "3x"}), "--epochs: expected an integer, got '3x'");
  }
  {
    Flags f = make_flags();
    EXPECT_FFTUNE_ERROR(f.parse({"--epochs=2.5"}), "--epochs: expected an integer, got '2.5'");
  }
  {
    Flags f = make_flags();
    EXPECT_FFTUNE_ERROR(f.parse({"--lr", "fast"}), "--lr: expected a number, got 'fast'");
  }
  {
    Flags f = make_flags();
    EXPECT_FFTUNE_ERROR(f.parse({"--lr="}), "--lr: expected a number, got ''");
  }
  {
    Flags f = make_flags();
    EXPECT_FFTUNE_ERROR(f.parse({"--lr"}), "--lr: missing value");
  }
  {
    Flags f = make_flags();
    EXPECT_FFTUNE_ERROR(f.parse({"--adapter", "dora"}),
                        "--adapter: 'dora' is not one of fourierft|lora|head");
  }
  {
    Flags f = make_flags();
    f.parse({"--freq-bias", "200,x"});
    EXPECT_FFTUNE_ERROR(f.get_doubles("freq-bias"), "--freq-bias: expected comma-separated");
  }
}

TEST(ExampleFlags, PositionalArgumentsOnlyWhenAllowed) {
  Flags f = make_flags();
  EXPECT_FFTUNE_ERROR(f.parse({"data"}), "unexpected argument 'data'");
  Flags g = make_flags();
  g.allow_positional();
  g.parse({"a", "--epochs", "1", "--", "--lr"});
  EXPECT_EQ(g.positional(), (std::vector<std::string>{"a", "--lr"}));
  EXPECT_EQ(g.get_int("epochs"), 1);
  EXPECT_EQ(g.get_double("lr"), 0.3);
}

TEST(ExampleFlags, HelpListsEveryFlagWithDefaultAndDescription) {
  Flags f = make_flags();
  f.parse({"--help"});
  EXPECT_TRUE(f.help_requested());
  const std::string help = f.help();
  EXPECT_NE(help.find("usage: trainer [flags]"), std::string::npos) << help;
  EXPECT_NE(help.find("Trains a thing."), std::string::npos) << help;
  EXPECT_NE(help.find("--epochs INT"), std::string::npos) << help;
  EXPECT_NE(help.find("training epochs (default: 10)"), std::string::npos) << help;
  EXPECT_NE(help.find("learning rate (default: 0.3)"), std::string::npos) << help;
  EXPECT_NE(help.find("--adapter NAME"), std::string::npos) << help;
  EXPECT_NE(help.find("what to train (fourierft|lora|head; default: fourierft)"), std::string::npos)
      << help;
  EXPECT_NE(help.find("continue from the checkpoint (default: false)"), std::string::npos) << help;
  EXPECT_NE(help.find("--help"), std::string::npos) << help;
  // Descriptions start in one column.
  const size_t a = help.find("training epochs"), b = help.find("learning rate");
  EXPECT_EQ(a - help.rfind('\n', a), b - help.rfind('\n', b)) << help;
  Flags g = make_flags();
  g.parse({"-h"});
  EXPECT_TRUE(g.help_requested());
}

TEST(ExampleFlags, ProgrammingErrorsAreCaught) {
  Flags f = make_flags();
  EXPECT_FFTUNE_ERROR(f.add_int("epochs", 1, "again"), "--epochs registered twice");
  EXPECT_FFTUNE_ERROR(f.add_int("Bad_Name", 1, ""), "invalid flag name 'Bad_Name'");
  EXPECT_FFTUNE_ERROR(f.add_choice("device", "tpu", {"cpu", "cuda"}, ""),
                      "the default of --device ('tpu') is not one of cpu|cuda");
  f.parse({});
  EXPECT_FFTUNE_ERROR(f.get_double("epochs"), "--epochs is read with a getter of another type");
  EXPECT_FFTUNE_ERROR(f.get_int("seed"), "no flag --seed is registered");
  EXPECT_FFTUNE_ERROR(f.parse({}), "parse called twice");
}

}  // namespace
}  // namespace fftune::examples
