#include "run_log.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include "core/error.h"

namespace roberta_glue {

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(int64_t done, double loss) {
  if (!enabled_) return;
  constexpr int kWidth = 30;
  const int filled = total_ > 0 ? static_cast<int>(kWidth * done / total_) : kWidth;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r%s [%s%s] %lld/%lld loss %.4f %.0fs", label_.c_str(),
               std::string(filled, '=').c_str(), std::string(kWidth - filled, ' ').c_str(),
               static_cast<long long>(done), static_cast<long long>(total_), loss, seconds);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (enabled_) std::fputs("\n", stderr);
}

MetricsLog::MetricsLog(std::string path, int64_t kept_epochs) : path_(std::move(path)) {
  std::ifstream in(path_);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    if (j.at("epoch").get<int64_t>() <= kept_epochs) lines_.push_back(std::move(j));
  }
  in.close();
  std::ofstream out(path_, std::ios::trunc);
  for (const auto& j : lines_) out << j.dump() << "\n";
  FFTUNE_CHECK(out.good(), "cannot write ", path_);
}

void MetricsLog::append(const nlohmann::json& line) {
  lines_.push_back(line);
  std::ofstream out(path_, std::ios::app);
  out << line.dump() << "\n";
  FFTUNE_CHECK(out.good(), "cannot write ", path_);
}

namespace {

struct Canvas {
  int width, height;
  std::vector<unsigned char> rgb;
  Canvas(int w, int h) : width(w), height(h), rgb(static_cast<size_t>(w) * h * 3, 255) {}
  void dot(int x, int y, const unsigned char (&c)[3]) {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    std::copy(c, c + 3, rgb.begin() + (static_cast<size_t>(y) * width + x) * 3);
  }
  void line(int x0, int y0, int x1, int y1, const unsigned char (&c)[3]) {
    const int steps = std::max({std::abs(x1 - x0), std::abs(y1 - y0), 1});
    for (int i = 0; i <= steps; ++i) dot(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps, c);
  }
};

// One panel: axes in a box at (left, top) of size (w, h) and the polyline of `ys` (one point per
// entry, finite values only), scaled to its own range.
void panel(Canvas& canvas, int left, int top, int w, int h, const std::vector<double>& ys,
           const unsigned char (&color)[3]) {
  const unsigned char axis[3] = {0, 0, 0};
  canvas.line(left, top + h, left + w, top + h, axis);
  canvas.line(left, top, left, top + h, axis);
  std::vector<double> finite;
  for (double y : ys)
    if (std::isfinite(y)) finite.push_back(y);
  if (finite.empty()) return;
  const auto [lo_it, hi_it] = std::minmax_element(finite.begin(), finite.end());
  const double lo = *lo_it, span = std::max(*hi_it - lo, 1e-12);
  const auto px = [&](size_t i) {
    return left + static_cast<int>(ys.size() > 1 ? w * i / (ys.size() - 1) : w / 2);
  };
  const auto py = [&](double y) { return top + h - static_cast<int>((y - lo) / span * h); };
  for (size_t i = 0; i < ys.size(); ++i) {
    if (!std::isfinite(ys[i])) continue;
    for (int d = -2; d <= 2; ++d)
      canvas.line(px(i) - 2, py(ys[i]) + d, px(i) + 2, py(ys[i]) + d, color);
    if (i + 1 < ys.size() && std::isfinite(ys[i + 1]))
      canvas.line(px(i), py(ys[i]), px(i + 1), py(ys[i + 1]), color);
  }
}

void append_bytes(void* context, void* data, int size) {
  auto* bytes = static_cast<std::vector<unsigned char>*>(context);
  bytes->insert(bytes->end(), static_cast<unsigned char*>(data),
                static_cast<unsigned char*>(data) + size);
}

double number_or_nan(const nlohmann::json& line, const std::string& key) {
  auto it = line.find(key);
  return it != line.end() && it->is_number() ? it->get<double>() : std::nan("");
}

}  // namespace

void write_curves(const std::string& path, const std::vector<nlohmann::json>& lines,
                  const std::string& metric) {
  std::vector<double> loss, dev;
  for (const auto& line : lines) {
    loss.push_back(number_or_nan(line, "train_loss"));
    dev.push_back(number_or_nan(line, "dev_" + metric));
  }
  Canvas canvas(640, 280);
  const unsigned char blue[3] = {31, 119, 180}, orange[3] = {255, 127, 14};
  panel(canvas, 20, 20, 280, 240, loss, blue);    // left: training loss
  panel(canvas, 340, 20, 280, 240, dev, orange);  // right: the dev metric
  std::vector<unsigned char> bytes;
  FFTUNE_CHECK(stbi_write_png_to_func(append_bytes, &bytes, canvas.width, canvas.height, 3,
                                      canvas.rgb.data(), canvas.width * 3) != 0,
               "cannot encode ", path);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    FFTUNE_CHECK(out.good(), "cannot write ", tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace roberta_glue
