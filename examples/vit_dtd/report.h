// What a run reports: the live progress bar, metrics.jsonl, the loss and accuracy curves as
// PNG, and the summary table.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vit_dtd {

// One line redrawn in place on a terminal: epoch, step, loss, lr, images/s, ETA. On anything
// else (a pipe, a log file) it stays silent and the caller prints per-epoch lines.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  void start(int64_t epoch, int64_t epochs, int64_t steps);
  // After step `step` (1-based) of the epoch; `images` processed since start().
  void update(int64_t step, double loss, double lr, int64_t images);
  void finish();

 private:
  bool enabled_;
  int64_t epoch_ = 0, epochs_ = 0, steps_ = 0;
  std::chrono::steady_clock::time_point started_;
};

// A line plot of one or more series (x, y) into a PNG (white background, light grid at the y
// axis' quarter marks, one colour per series). The numbers themselves are in metrics.jsonl.
struct Series {
  std::vector<double> x, y;
  uint8_t r, g, b;
};
void write_line_plot(const std::string& path, const std::vector<Series>& series,
                     int64_t width = 640, int64_t height = 360);

// One row of the summary table.
struct RunSummary {
  std::string method;
  int64_t adapter_params = 0;  // classifier excluded
  int64_t head_params = 0;
  int64_t adapter_bytes = 0;  // the adapter's tensors at f32
  double best_val = 0;        // best validation accuracy
  int64_t best_epoch = 0;     // 1-based
  double test_at_best = 0;    // test accuracy at that epoch
  double wall_s = 0;
  bool interrupted = false;
};
std::string summary_table(const std::vector<RunSummary>& rows);

// "1.5 KB", "3.2 MB".
std::string human_bytes(int64_t bytes);

}  // namespace vit_dtd
