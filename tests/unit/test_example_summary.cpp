// examples/common/summary: cell formats and the two table layouts.
#include <gtest/gtest.h>

#include "examples/common/summary.h"
#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

TEST(ExampleSummary, CellFormats) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(24000), "24,000");
  EXPECT_EQ(format_count(85798656), "85,798,656");
  EXPECT_EQ(format_count(-1234), "-1,234");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(12288), "12.0 KiB");
  EXPECT_EQ(format_bytes(3 * 1024 * 1024 / 2), "1.5 MiB");
  EXPECT_EQ(format_metric(0.7509, true), "75.09%");
  EXPECT_EQ(format_metric(0.638, false), "0.6380");
  EXPECT_EQ(format_metric(std::numeric_limits<double>::quiet_NaN(), true), "-");
  EXPECT_EQ(format_wall_time(41.23), "41.2s");
  EXPECT_EQ(format_wall_time(63.4), "1m 03s");
  EXPECT_EQ(format_wall_time(3723), "1h 02m 03s");
}

const std::vector<SummaryRow> kRows = {
    {.method = "head",
     .trainable_params = 3076,
     .adapter_bytes = 12288,
     .metric = 0.6125,
     .wall_seconds = 41.2},
    {.method = "fourierft",
     .trainable_params = 39076,
     .adapter_bytes = 156262,
     .metric = 0.705,
     .wall_seconds = 63.0},
};

TEST(ExampleSummary, AlignedText) {
  EXPECT_EQ(summary_text(kRows),
            "method     trainable params  adapter size  accuracy  wall time\n"
            "---------  ----------------  ------------  --------  ---------\n"
            "head                  3,076      12.0 KiB    61.25%      41.2s\n"
            "fourierft            39,076     152.6 KiB    70.50%     1m 03s\n");
}

TEST(ExampleSummary, Markdown) {
  EXPECT_EQ(summary_markdown(kRows, {.metric_name = "Matthews corr.", .percent = false}),
            "| method | trainable params | adapter size | Matthews corr. | wall time |\n"
            "|:---|---:|---:|---:|---:|\n"
            "| head | 3,076 | 12.0 KiB | 0.6125 | 41.2s |\n"
            "| fourierft | 39,076 | 152.6 KiB | 0.7050 | 1m 03s |\n");
}

}  // namespace
}  // namespace fftune::examples
