// GLUE readers on small TSV files written here in the exact layouts of the GLUE download
// (Note [GLUE TSV layouts] in data/glue.h), and their errors: wrong column count, unknown label,
// unparsable score or index, each naming the file and the line. Plus the per-task metrics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/glue.h"
#include "tests/support/test_support.h"

namespace fftune::data {
namespace {

namespace fs = std::filesystem;

// A fresh GLUE-shaped directory under the system temp dir, removed at the end of the test.
class GlueDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            (std::string("fftune_glue_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Writes <root>/<task dir>/<split>.tsv and returns its path.
  std::string write(const std::string& task_dir, const std::string& split,
                    const std::string& content) {
    fs::create_directories(root_ / task_dir);
    const fs::path path = root_ / task_dir / (split + ".tsv");
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  fs::path root_;
};

TEST_F(GlueDir, Sst2TrainAndTest) {
  write("SST-2", "train",
        "sentence\tlabel\nhide new secretions from the parental units \t0\n"
        "\"contains no wit , only labored gags \"\t0\nthat loves its characters \t1\n");
  write("SST-2", "test",
        "index\tsentence\n0\tuneasy mishmash of styles and genres .\n"
        "1\tthis film 's relationship to actual tension is the same \n");
  const auto train = read_glue_split(GlueTask::kSst2, GlueSplit::kTrain, root_.string());
  ASSERT_EQ(train.size(), 3u);
  EXPECT_EQ(train[0].text_a, "hide new secretions from the parental units ");
  EXPECT_EQ(train[0].label, 0);
  EXPECT_EQ(train[1].text_a, "\"contains no wit , only labored gags \"");  // quotes are text
  EXPECT_EQ(train[2].label, 1);
  EXPECT_EQ(train[2].line, 4);
  EXPECT_TRUE(train[2].text_b.empty());
  const auto test = read_glue_split(GlueTask::kSst2, GlueSplit::kTest, root_.string());
  ASSERT_EQ(test.size(), 2u);
  EXPECT_EQ(test[1].index, 1);
  EXPECT_EQ(test[1].label, -1);
  EXPECT_EQ(test[1].text_a, "this film 's relationship to actual tension is the same ");
}

TEST_F(GlueDir, ColaHasNoHeaderAndFourColumns) {
  write("CoLA", "dev",
        "gj04\t1\t\tThe sailors rode the breeze clear of the rocks.\n"
        "gj04\t0\t*\tThe more we study verbs, the crazier they get get.\r\n");
  write("CoLA", "test", "index\tsentence\n0\tBill whistled past the house.\n");
  const auto dev = read_glue_split(GlueTask::kCola, GlueSplit::kDev, root_.string());
  ASSERT_EQ(dev.size(), 2u);  // the first line is data, not a header
  EXPECT_EQ(dev[0].label, 1);
  EXPECT_EQ(dev[0].text_a, "The sailors rode the breeze clear of the rocks.");
  EXPECT_EQ(dev[1].label, 0);
  EXPECT_EQ(dev[1].text_a, "The more we study verbs, the crazier they get get.");  // no '\r'
  const auto test = read_glue_split(GlueTask::kCola, GlueSplit::kTest, root_.string());
  ASSERT_EQ(test.size(), 1u);
  EXPECT_EQ(test[0].text_a, "Bill whistled past the house.");
}

TEST_F(GlueDir, MrpcPairs) {
  write("MRPC", "train",
        "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
        "1\t702876\t702977\tAmrozi accused his brother .\tReferring to him , Amrozi accused .\n"
        "0\t2108705\t2108831\tYucaipa owned Dominick 's .\tYucaipa bought Dominick 's .\n");
  write("MRPC", "test",
        "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
        "0\t1089874\t1089925\tPCCW 's chief .\tCommon Stock .\n");
  const auto train = read_glue_split(GlueTask::kMrpc, GlueSplit::kTrain, root_.string());
  ASSERT_EQ(train.size(), 2u);
  EXPECT_EQ(train[0].label, 1);
  EXPECT_EQ(train[0].text_a, "Amrozi accused his brother .");
  EXPECT_EQ(train[0].text_b, "Referring to him , Amrozi accused .");
  EXPECT_EQ(train[1].label, 0);
  const auto test = read_glue_split(GlueTask::kMrpc, GlueSplit::kTest, root_.string());
  ASSERT_EQ(test.size(), 1u);
  EXPECT_EQ(test[0].text_b, "Common Stock .");
}

TEST_F(GlueDir, QnliAndRteStringLabels) {
  write("QNLI", "dev",
        "index\tquestion\tsentence\tlabel\n"
        "0\tWhat came into force?\tThe treaty came into force.\tentailment\n"
        "1\tWhat is the name?\tIt rained.\tnot_entailment\n");
  write("RTE", "train",
        "index\tsentence1\tsentence2\tlabel\n"
        "0\tNo weapons were found.\tWeapons were found.\tnot_entailment\n");
  write("RTE", "test", "index\tsentence1\tsentence2\n3\tMexico has a president.\tA man.\n");
  const auto qnli = read_glue_split(GlueTask::kQnli, GlueSplit::kDev, root_.string());
  ASSERT_EQ(qnli.size(), 2u);
  EXPECT_EQ(qnli[0].label, 0);
  EXPECT_EQ(qnli[1].label, 1);
  EXPECT_EQ(qnli[0].text_a, "What came into force?");
  EXPECT_EQ(qnli[0].text_b, "The treaty came into force.");
  const auto rte = read_glue_split(GlueTask::kRte, GlueSplit::kTrain, root_.string());
  ASSERT_EQ(rte.size(), 1u);
  EXPECT_EQ(rte[0].label, 1);
  EXPECT_EQ(glue_task_info(GlueTask::kRte).label_names[rte[0].label], "not_entailment");
  const auto test = read_glue_split(GlueTask::kRte, GlueSplit::kTest, root_.string());
  ASSERT_EQ(test.size(), 1u);
  EXPECT_EQ(test[0].index, 3);
  EXPECT_EQ(test[0].text_b, "A man.");
}

TEST_F(GlueDir, StsbScoresInColumnNine) {
  write("STS-B", "train",
        "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
        "0\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA plane is taking off.\t"
        "An air plane is taking off.\t5.000\n"
        "1\tmain-captions\tMSRvid\t2012test\t0004\tnone\tnone\tA man plays a flute.\t"
        "A man is playing a flute.\t3.800\n");
  write("STS-B", "test",
        "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\n"
        "0\tmain-captions\tMSRvid\t2012test\t0024\tnone\tnone\tA girl is styling her hair.\t"
        "A girl is brushing her hair.\n");
  const auto train = read_glue_split(GlueTask::kStsb, GlueSplit::kTrain, root_.string());
  ASSERT_EQ(train.size(), 2u);
  EXPECT_EQ(train[0].score, 5.0);
  EXPECT_EQ(train[1].score, 3.8);
  EXPECT_EQ(train[1].label, -1);
  EXPECT_EQ(train[1].text_a, "A man plays a flute.");
  EXPECT_EQ(train[1].text_b, "A man is playing a flute.");
  const auto test = read_glue_split(GlueTask::kStsb, GlueSplit::kTest, root_.string());
  ASSERT_EQ(test.size(), 1u);
  EXPECT_EQ(test[0].text_b, "A girl is brushing her hair.");
}

TEST_F(GlueDir, EmptyLinesAreSkipped) {
  write("SST-2", "dev", "sentence\tlabel\n\ngood\t1\n\n");
  const auto dev = read_glue_split(GlueTask::kSst2, GlueSplit::kDev, root_.string());
  ASSERT_EQ(dev.size(), 1u);
  EXPECT_EQ(dev[0].line, 3);
}

TEST_F(GlueDir, WrongColumnCountNamesFileAndLine) {
  const std::string path = write("SST-2", "train", "sentence\tlabel\ngood\t1\nbad line\n");
  EXPECT_FFTUNE_ERROR(read_glue_tsv(GlueTask::kSst2, GlueSplit::kTrain, path),
                      path + ":3: expected 2 tab-separated columns for SST-2 train, got 1");
  // A quoted tab is still a separator: GLUE files are not CSV.
  const std::string cola = write("CoLA", "train", "gj04\t1\t\t\"a\tb\"\n");
  EXPECT_FFTUNE_ERROR(read_glue_tsv(GlueTask::kCola, GlueSplit::kTrain, cola),
                      cola + ":1: expected 4 tab-separated columns for CoLA train, got 5");
  // A header with the wrong layout (a test file passed as train) fails on line 1.
  const std::string rte = write("RTE", "dev", "index\tsentence1\tsentence2\n0\ta\tb\n");
  EXPECT_FFTUNE_ERROR(read_glue_tsv(GlueTask::kRte, GlueSplit::kDev, rte),
                      rte + ":1: expected 4 tab-separated columns");
}

TEST_F(GlueDir, UnknownLabelNamesFileLineAndLabel) {
  const std::string rte = write("RTE", "dev",
                                "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n"
                                "1\tc\td\tcontradiction\n");
  EXPECT_FFTUNE_ERROR(
      read_glue_tsv(GlueTask::kRte, GlueSplit::kDev, rte),
      rte + ":3: unknown label \"contradiction\" for RTE (expected entailment, not_entailment)");
  const std::string sst = write("SST-2", "dev", "sentence\tlabel\nfine\t2\n");
  EXPECT_FFTUNE_ERROR(read_glue_tsv(GlueTask::kSst2, GlueSplit::kDev, sst),
                      sst + ":2: unknown label \"2\" for SST-2 (expected 0, 1)");
  // CoLA has no header: a header line is a malformed first example.
  const std::string cola = write("CoLA", "dev", "source\tlabel\torig\tsentence\n");
  EXPECT_FFTUNE_ERROR(read_glue_tsv(GlueTask::kCola, GlueSplit::kDev, cola),
                      cola + ":1: unknown label \"label\"");
}

TEST_F(GlueDir, UnparsableScoreOrIndexNamesFileAndLine) {
  const std::string header =
      "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
  const std::string row = "0\tg\tf\ty\to\ts1\ts2\ta\tb\t";
  for (const std::string bad : {"4.2x", "", "nan", "five"}) {
    const std::string path = write("STS-B", "dev", header + row + "1.0\n" + row + bad + "\n");
    EXPECT_FFTUNE_ERROR(read_glue_tsv(GlueTask::kStsb, GlueSplit::kDev, path),
                        path + ":3: unparsable score \"" + bad + "\"");
  }
  const std::string test = write("SST-2", "test", "index\tsentence\nx7\tsome text\n");
  EXPECT_FFTUNE_ERROR(read_glue_tsv(GlueTask::kSst2, GlueSplit::kTest, test),
                      test + ":2: unparsable index \"x7\"");
}

TEST_F(GlueDir, MissingFileNamesIt) {
  EXPECT_FFTUNE_ERROR(read_glue_split(GlueTask::kMrpc, GlueSplit::kDev, root_.string()),
                      (root_ / "MRPC" / "dev.tsv").string());
}

TEST(Glue, TaskNamesAndMetrics) {
  EXPECT_EQ(glue_task_from_name("stsb"), GlueTask::kStsb);
  EXPECT_TRUE(glue_task_info(GlueTask::kStsb).is_regression);
  EXPECT_FALSE(glue_task_info(GlueTask::kSst2).is_pair);
  EXPECT_FFTUNE_ERROR(glue_task_from_name("mnli"), "unknown task \"mnli\"");

  const std::vector<int64_t> predicted = {1, 1, 0, 1, 0}, labels = {1, 0, 0, 1, 1};
  const auto mrpc = glue_metrics(GlueTask::kMrpc, predicted, labels);
  ASSERT_EQ(mrpc.size(), 2u);
  EXPECT_EQ(mrpc[0].first, "accuracy");
  EXPECT_DOUBLE_EQ(mrpc[0].second, 0.6);
  EXPECT_EQ(mrpc[1].first, "f1");
  const auto cola = glue_metrics(GlueTask::kCola, predicted, labels);
  EXPECT_EQ(cola[0].first, "matthews");
  EXPECT_DOUBLE_EQ(cola[0].second, 1.0 / 6.0);
  const auto stsb =
      glue_metrics(GlueTask::kStsb, std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 4});
  EXPECT_EQ(stsb[0].first, "pearson");
  EXPECT_EQ(stsb[1].first, "spearman");
  EXPECT_DOUBLE_EQ(stsb[1].second, 1.0);
  EXPECT_FFTUNE_ERROR(glue_metrics(GlueTask::kStsb, predicted, labels), "regression task");
  EXPECT_FFTUNE_ERROR(
      glue_metrics(GlueTask::kRte, std::vector<double>{1.0}, std::vector<double>{1.0}),
      "classification task");
}

}  // namespace
}  // namespace fftune::data
