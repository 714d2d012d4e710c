// ProgressBar: one live status line on stderr while training.
//
//   train  [##########..........]  120/240  loss 0.8123  lr 2.95e-01  41.3 img/s  ETA 0:02:54
//
// On a terminal the line is redrawn in place (\r) at most every `redraw_seconds`; when stderr is
// a file or a pipe (CI logs, nohup), a full line is printed every `log_every` steps instead, and
// on the last step. Speed is measured over the steps since the bar was made (or restarted).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace fftune::examples {

struct ProgressOptions {
  std::string label = "train";  // first word of the line
  std::string unit = "it";      // what `items` counts: "img", "tok", "seq"
  int64_t log_every = 50;       // non-terminal output: a line every N steps
  double redraw_seconds = 0.1;  // terminal output: at most one redraw per interval
  std::FILE* stream = stderr;   // where to write
  int tty = -1;                 // 1: redraw in place, 0: line per N steps, -1: detect
};

// What the line shows at one moment (also what format_progress_line takes, for tests).
struct ProgressState {
  int64_t step = 0;   // steps done
  int64_t total = 0;  // steps in all (0: unknown, no bar or ETA)
  double loss = 0.0;
  double lr = 0.0;
  double items_per_second = 0.0;
  double eta_seconds = -1.0;  // < 0: unknown
};

// The status line for `state` (no \r, no newline), with a bar of `bar_width` cells.
std::string format_progress_line(const std::string& label, const std::string& unit,
                                 const ProgressState& state, int bar_width = 20);
// 0:02:54, or 1d 3:04:05 beyond a day.
std::string format_duration(double seconds);

class ProgressBar {
 public:
  // `first_step`: the step a resumed run starts after (speed and ETA count only new steps).
  ProgressBar(int64_t total_steps, ProgressOptions options = {}, int64_t first_step = 0);
  ~ProgressBar();  // finishes the line if update() drew one in place
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Step `step` (1-based, ≤ total) is done; it processed `items` items (images, tokens).
  void update(int64_t step, double loss, double lr, int64_t items);
  // Ends the in-place line with a newline (so that other output starts on a fresh line).
  void finish();
  // Prints `message` on its own line without breaking the bar (e.g. an epoch's validation).
  void print(const std::string& message);

 private:
  void draw();
  using Clock = std::chrono::steady_clock;

  ProgressOptions options_;
  bool tty_;
  ProgressState state_;
  int64_t first_step_;
  int64_t items_ = 0;  // since the start
  Clock::time_point start_;
  Clock::time_point last_draw_;
  bool line_open_ = false;  // an in-place line without its newline yet
};

}  // namespace fftune::examples
