// examples/common/metrics_log: one flushed JSON object per line, resume keeps only the records
// up to the checkpoint's step, and a damaged file is read with an error naming its line.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "examples/common/metrics_log.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ExampleMetricsLog : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    path_ = (dir_ / "metrics.jsonl").string();
  }
  testing::TempDir tmp_{"fftune_metrics"};  // removed with the fixture
  fs::path dir_;
  std::string path_;
};

TEST_F(ExampleMetricsLog, OneFlushedObjectPerLine) {
  MetricsLog log(path_);
  log.write({{"kind", "train"}, {"step", 1}, {"loss", 0.5}});
  // Visible on disk before the log is closed.
  EXPECT_EQ(read_text(path_), "{\"kind\":\"train\",\"loss\":0.5,\"step\":1}\n");
  log.write({{"kind", "eval"}, {"step", 2}, {"accuracy", 0.75}, {"split", "val"}});
  const auto records = read_metrics_log(path_);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1]["accuracy"].get<double>(), 0.75);
  EXPECT_EQ(records[1]["split"], "val");
  EXPECT_FFTUNE_ERROR(log.write(nlohmann::json::array({1, 2})), "must be a JSON object");
}

TEST_F(ExampleMetricsLog, NonFiniteNumbersBecomeNull) {
  {
    MetricsLog log(path_);
    log.write({{"loss", std::numeric_limits<double>::quiet_NaN()}});
  }
  EXPECT_EQ(read_text(path_), "{\"loss\":null}\n");
}

TEST_F(ExampleMetricsLog, FreshRunEmptiesTheFile) {
  std::ofstream(path_) << "{\"step\":1}\n";
  MetricsLog log(path_);
  EXPECT_EQ(read_text(path_), "");
}

TEST_F(ExampleMetricsLog, ResumeKeepsRecordsUpToTheCheckpointAndAppends) {
  {
    MetricsLog log(path_);
    for (int step = 1; step <= 5; ++step) log.write({{"kind", "train"}, {"step", step}});
    log.write({{"kind", "note"}});  // no step: kept
  }
  const std::string before = read_text(path_);
  {
    MetricsLog log(path_, /*resume_step=*/3);
    log.write({{"kind", "train"}, {"step", 4}, {"resumed", true}});
  }
  // The file is appended to, never rewritten: what was there is still there, byte for byte.
  EXPECT_EQ(read_text(path_).substr(0, before.size()), before);
  // A reader ignores the records the resume redoes (steps 4 and 5 before the resume record).
  const auto records = read_metrics_log(path_);
  ASSERT_EQ(records.size(), 6u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(records[i]["step"], i + 1);
  EXPECT_EQ(records[3]["kind"], "note");
  EXPECT_EQ(records[4]["kind"], "resume");
  EXPECT_EQ(records[4]["step"], 3);
  EXPECT_EQ(records[5]["step"], 4);
  EXPECT_TRUE(records[5]["resumed"].get<bool>());

  // Resuming without a log (deleted, or never written) starts one.
  fs::remove(path_);
  MetricsLog log(path_, 3);
  log.write({{"step", 4}});
  EXPECT_EQ(read_metrics_log(path_).size(), 2u);  // the resume record and step 4
}

TEST_F(ExampleMetricsLog, ATornLastLineIsDroppedWithAWarningNamingTheFile) {
  std::ofstream(path_) << "{\"step\":1}\n{\"step\":2, \"lo";  // a kill mid-write
  ::testing::internal::CaptureStderr();
  {
    MetricsLog log(path_, /*resume_step=*/1);
    log.write({{"step", 2}});
  }
  const std::string resume_warning = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(resume_warning.find("warning: " + path_), std::string::npos) << resume_warning;
  ::testing::internal::CaptureStderr();
  const auto records = read_metrics_log(path_);
  const std::string read_warning = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(read_warning.find("warning: " + path_ + ":2"), std::string::npos) << read_warning;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["step"], 1);
  EXPECT_EQ(records[1]["kind"], "resume");
  EXPECT_EQ(records[2]["step"], 2);
}

TEST_F(ExampleMetricsLog, DamagedFiles) {
  // A last line cut short by a crash is dropped.
  std::ofstream(path_) << "{\"step\":1}\n\n{\"step\":2}\n{\"step\":3, \"lo";
  EXPECT_EQ(read_metrics_log(path_).size(), 2u);
  // Anything else that is not an object names the line.
  std::ofstream(path_) << "{\"step\":1}\n[1, 2]\n{\"step\":3}\n";
  EXPECT_FFTUNE_ERROR(read_metrics_log(path_), path_ + ":2: not a JSON object");
  std::ofstream(path_) << "{\"step\":1}\n{oops}\n";
  EXPECT_FFTUNE_ERROR(read_metrics_log(path_), path_ + ":2: not a JSON object: {oops}");
  EXPECT_FFTUNE_ERROR(read_metrics_log((dir_ / "missing.jsonl").string()), "cannot open");
  EXPECT_FFTUNE_ERROR(MetricsLog log((dir_ / "no/dir/m.jsonl").string()), "cannot open");
}

}  // namespace
}  // namespace fftune::examples
