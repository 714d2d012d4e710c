// examples/common/progress: the status line's content, and when a non-terminal stream gets a
// line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "examples/common/progress.h"
#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(ExampleProgress, Duration) {
  EXPECT_EQ(format_duration(0), "0:00:00");
  EXPECT_EQ(format_duration(174.4), "0:02:54");
  EXPECT_EQ(format_duration(3600 * 25 + 61), "1d 1:01:01");
  EXPECT_EQ(format_duration(-1), "?");
}

TEST(ExampleProgress, Line) {
  const ProgressState state{.step = 60,
                            .total = 240,
                            .loss = 0.81234,
                            .lr = 0.295,
                            .items_per_second = 41.27,
                            .eta_seconds = 174};
  EXPECT_EQ(format_progress_line("train", "img", state, 8),
            "train  [##......]   60/240  loss 0.8123  lr 2.95e-01  41.3 img/s  ETA 0:02:54");
  const ProgressState unknown_total{.step = 7, .loss = 1.5, .lr = 1e-3};
  EXPECT_EQ(format_progress_line("pretrain", "tok", unknown_total),
            "pretrain  step 7  loss 1.5000  lr 1.00e-03  0.0 tok/s");
}

TEST(ExampleProgress, NonTerminalPrintsEveryNStepsTheFirstAndTheLast) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressBar bar(10, {.label = "t", .unit = "img", .log_every = 4, .stream = f, .tty = 0});
    for (int step = 1; step <= 10; ++step) bar.update(step, 1.0, 0.1, 8);
  }
  const std::string out = contents(f);
  std::fclose(f);
  // Steps 1, 4, 8 and 10: four lines, no carriage returns.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 4) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  EXPECT_NE(out.find(" 1/10 "), std::string::npos) << out;
  EXPECT_NE(out.find(" 4/10 "), std::string::npos) << out;
  EXPECT_NE(out.find("10/10 "), std::string::npos) << out;
}

TEST(ExampleProgress, TerminalRedrawsInPlaceAndEndsTheLine) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    // A resumed run: starts after step 4 of 6.
    ProgressBar bar(6, {.redraw_seconds = 0.0, .stream = f, .tty = 1}, /*first_step=*/4);
    bar.update(5, 1.0, 0.1, 8);
    bar.print("epoch 1: val accuracy 50.00%");
    bar.update(6, 0.9, 0.1, 8);
  }
  const std::string out = contents(f);
  std::fclose(f);
  EXPECT_NE(out.find("\r"), std::string::npos) << out;
  EXPECT_NE(out.find("epoch 1: val accuracy 50.00%\n"), std::string::npos) << out;
  EXPECT_NE(out.find("6/6"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n') << out;
}

}  // namespace
}  // namespace fftune::examples
