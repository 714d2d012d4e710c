#include "examples/common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace fftune::examples {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "?";
  const auto total = static_cast<int64_t>(std::llround(seconds));
  const int64_t days = total / 86400, h = total / 3600 % 24, m = total / 60 % 60, s = total % 60;
  char buf[48];
  if (days > 0) {
    std::snprintf(buf, sizeof buf, "%lldd %lld:%02lld:%02lld", static_cast<long long>(days),
                  static_cast<long long>(h), static_cast<long long>(m), static_cast<long long>(s));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(s));
  }
  return buf;
}

std::string format_progress_line(const std::string& label, const std::string& unit,
                                 const ProgressState& state, int bar_width) {
  std::string line = label;
  char buf[160];
  if (state.total > 0) {
    const double fraction = std::clamp(static_cast<double>(state.step) / state.total, 0.0, 1.0);
    const int filled = static_cast<int>(fraction * bar_width);
    line += "  [" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "]";
    // Right-align the step under the width of the total, so the line does not jitter.
    const int digits = static_cast<int>(std::to_string(state.total).size());
    std::snprintf(buf, sizeof buf, "  %*lld/%lld", digits, static_cast<long long>(state.step),
                  static_cast<long long>(state.total));
  } else {
    std::snprintf(buf, sizeof buf, "  step %lld", static_cast<long long>(state.step));
  }
  line += buf;
  std::snprintf(buf, sizeof buf, "  loss %.4f  lr %.2e  %.1f %s/s", state.loss, state.lr,
                state.items_per_second, unit.c_str());
  line += buf;
  if (state.total > 0) line += "  ETA " + format_duration(state.eta_seconds);
  return line;
}

ProgressBar::ProgressBar(int64_t total_steps, ProgressOptions options, int64_t first_step)
    : options_(std::move(options)), first_step_(first_step) {
  tty_ = options_.tty >= 0 ? options_.tty == 1 : isatty(fileno(options_.stream)) == 1;
  state_.total = total_steps;
  state_.step = first_step;
  start_ = last_draw_ = Clock::now();
}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(int64_t step, double loss, double lr, int64_t items) {
  state_.step = step;
  state_.loss = loss;
  state_.lr = lr;
  items_ += items;
  const Clock::time_point now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int64_t done = step - first_step_;
  if (elapsed > 0 && done > 0) {
    state_.items_per_second = static_cast<double>(items_) / elapsed;
    state_.eta_seconds =
        state_.total > 0 ? elapsed / done * static_cast<double>(state_.total - step) : -1.0;
  }
  const bool last = state_.total > 0 && step >= state_.total;
  const bool first = step == first_step_ + 1;
  if (tty_) {
    if (first || last ||
        std::chrono::duration<double>(now - last_draw_).count() >= options_.redraw_seconds)
      draw();
  } else if (first || last || (options_.log_every > 0 && step % options_.log_every == 0)) {
    draw();
  }
  if (tty_ && last) finish();
}

void ProgressBar::draw() {
  last_draw_ = Clock::now();
  const std::string line = format_progress_line(options_.label, options_.unit, state_);
  if (tty_) {
    // \r back to the start, the line, then erase whatever a longer previous line left (\033[K).
    std::fprintf(options_.stream, "\r%s\033[K", line.c_str());
    line_open_ = true;
  } else {
    std::fprintf(options_.stream, "%s\n", line.c_str());
  }
  std::fflush(options_.stream);
}

void ProgressBar::finish() {
  if (line_open_) {
    std::fputc('\n', options_.stream);
    std::fflush(options_.stream);
    line_open_ = false;
  }
}

void ProgressBar::print(const std::string& message) {
  if (line_open_) {
    std::fprintf(options_.stream, "\r\033[K%s\n", message.c_str());
    draw();  // redraw the bar below the message
  } else {
    std::fprintf(options_.stream, "%s\n", message.c_str());
  }
  std::fflush(options_.stream);
}

}  // namespace fftune::examples
