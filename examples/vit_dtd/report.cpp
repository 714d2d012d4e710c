#include "report.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "data/image.h"

namespace vit_dtd {

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled && isatty(fileno(stderr)) != 0) {}

void ProgressBar::start(int64_t epoch, int64_t epochs, int64_t steps) {
  epoch_ = epoch;
  epochs_ = epochs;
  steps_ = steps;
  started_ = std::chrono::steady_clock::now();
}

void ProgressBar::update(int64_t step, double loss, double lr, int64_t images) {
  if (!enabled_) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const double eta = step > 0 ? elapsed / static_cast<double>(step) * (steps_ - step) : 0.0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * step / std::max<int64_t>(1, steps_));
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr,
               "\r  epoch %lld/%lld [%s] %lld/%lld  loss %.4f  lr %.2e  %.1f img/s  ETA %.0fs ",
               static_cast<long long>(epoch_), static_cast<long long>(epochs_), bar.c_str(),
               static_cast<long long>(step), static_cast<long long>(steps_), loss, lr,
               elapsed > 0 ? images / elapsed : 0.0, eta);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

void write_line_plot(const std::string& path, const std::vector<Series>& series, int64_t width,
                     int64_t height) {
  using fftune::data::Image;
  Image img(height, width);
  std::fill(img.pixels.begin(), img.pixels.end(), 255);
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const Series& s : series)
    for (size_t i = 0; i < s.x.size(); ++i) {
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
    }
  if (!(x0 <= x1)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // nothing to draw: an empty frame
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  const int64_t margin = 20;
  auto px = [&](double x) {
    return margin + std::lround((x - x0) / (x1 - x0) * static_cast<double>(width - 2 * margin - 1));
  };
  auto py = [&](double y) {
    return height - 1 - margin -
           std::lround((y - y0) / (y1 - y0) * static_cast<double>(height - 2 * margin - 1));
  };
  auto plot = [&](int64_t x, int64_t y, uint8_t r, uint8_t g, uint8_t b) {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    uint8_t* p = img.at(y, x);
    p[0] = r, p[1] = g, p[2] = b;
  };
  for (int q = 0; q <= 4; ++q) {  // grid at the quarters of the y range, frame at 0 and 4
    const int64_t y = py(y0 + (y1 - y0) * q / 4.0);
    const uint8_t shade = (q == 0 || q == 4) ? 120 : 220;
    for (int64_t x = margin; x < width - margin; ++x) plot(x, y, shade, shade, shade);
  }
  for (const Series& s : series)
    for (size_t i = 0; i + 1 < s.x.size() || (i == 0 && s.x.size() == 1); ++i) {
      // A straight segment from point i to i + 1, 2 px thick; a single point is a small dot.
      const size_t j = std::min(i + 1, s.x.size() - 1);
      const int64_t ax = px(s.x[i]), ay = py(s.y[i]), bx = px(s.x[j]), by = py(s.y[j]);
      const int64_t n = std::max<int64_t>({std::abs(bx - ax), std::abs(by - ay), 1});
      for (int64_t t = 0; t <= n; ++t) {
        const int64_t x = ax + (bx - ax) * t / n, y = ay + (by - ay) * t / n;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) plot(x + dx, y + dy, s.r, s.g, s.b);
      }
    }
  fftune::data::write_png(path, img);
}

std::string human_bytes(int64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", bytes / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / (1024.0 * 1024.0));
  }
  return buf;
}

std::string summary_table(const std::vector<RunSummary>& rows) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "| %-10s | %14s | %11s | %13s | %15s | %9s | %8s |\n", "method",
                "adapter params", "head params", "adapter size", "best val acc", "test acc",
                "time");
  out << line;
  out << "|------------|----------------|-------------|---------------|-----------------|--------"
         "---|----------|\n";
  for (const RunSummary& r : rows) {
    char acc[32], val[32];
    std::snprintf(val, sizeof val, "%.2f%% (ep %2lld)", 100 * r.best_val,
                  static_cast<long long>(r.best_epoch));
    std::snprintf(acc, sizeof acc, "%.2f%%%s", 100 * r.test_at_best, r.interrupted ? "*" : "");
    std::snprintf(line, sizeof line, "| %-10s | %14lld | %11lld | %13s | %15s | %9s | %7.1fs |\n",
                  r.method.c_str(), static_cast<long long>(r.adapter_params),
                  static_cast<long long>(r.head_params), human_bytes(r.adapter_bytes).c_str(), val,
                  acc, r.wall_s);
    out << line;
  }
  return out.str();
}

}  // namespace vit_dtd
