#include "examples/common/curves.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

// Static: no clash with another translation unit that includes the implementation too.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"  // the writers we do not call (bmp, tga, ...)
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#include "core/error.h"

namespace fftune::examples {
namespace {

// ---- a 5×7 bitmap font: capitals, digits and the punctuation of numbers and labels ----
struct Glyph {
  char c;
  const char* rows[7];
};
// clang-format off
constexpr Glyph kFont[] = {
  {' ', {"     ", "     ", "     ", "     ", "     ", "     ", "     "}},
  {'0', {" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "}},
  {'1', {"  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "}},
  {'2', {" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"}},
  {'3', {"#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "}},
  {'4', {"   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "}},
  {'5', {"#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "}},
  {'6', {"  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "}},
  {'7', {"#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "}},
  {'8', {" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "}},
  {'9', {" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "}},
  {'A', {" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"}},
  {'B', {"#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "}},
  {'C', {" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "}},
  {'D', {"#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "}},
  {'E', {"#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"}},
  {'F', {"#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "}},
  {'G', {" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"}},
  {'H', {"#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"}},
  {'I', {" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "}},
  {'J', {"  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "}},
  {'K', {"#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"}},
  {'L', {"#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"}},
  {'M', {"#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"}},
  {'N', {"#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"}},
  {'O', {" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "}},
  {'P', {"#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "}},
  {'Q', {" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"}},
  {'R', {"#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"}},
  {'S', {" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "}},
  {'T', {"#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "}},
  {'U', {"#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "}},
  {'V', {"#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "}},
  {'W', {"#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "}},
  {'X', {"#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"}},
  {'Y', {"#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "}},
  {'Z', {"#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"}},
  {'.', {"     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "}},
  {',', {"     ", "     ", "     ", "     ", " ##  ", "  #  ", " #   "}},
  {'-', {"     ", "     ", "     ", "#####", "     ", "     ", "     "}},
  {'+', {"     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "}},
  {'=', {"     ", "     ", "#####", "     ", "#####", "     ", "     "}},
  {':', {"     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "}},
  {'/', {"     ", "    #", "   # ", "  #  ", " #   ", "#    ", "     "}},
  {'(', {"   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "}},
  {')', {" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "}},
  {'%', {"##   ", "##  #", "   # ", "  #  ", " #   ", "#  ##", "   ##"}},
  {'_', {"     ", "     ", "     ", "     ", "     ", "     ", "#####"}},
  {'?', {" ### ", "#   #", "    #", "   # ", "  #  ", "     ", "  #  "}},
};
// clang-format on
constexpr int kGlyphW = 5, kGlyphH = 7, kAdvance = 6;  // one blank column between characters
constexpr int kScale = 2;                              // every text of the plot

const Glyph& glyph(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (const Glyph& g : kFont)
    if (g.c == c) return g;
  return glyph('?');
}

// The 1/2/5·10^k step that cuts `range` into about `target` intervals.
double nice_step(double range, int target) {
  const double raw = range / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
}

// A tick value with as many decimals as the step needs; exponent form for extreme values.
std::string tick_label(double v, double step) {
  char buf[32];
  if (std::abs(v) < step * 1e-9) v = 0;  // -0.000 from rounding
  const double big = std::max(std::abs(v), step);
  if (big >= 1e6 || step < 1e-4) {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  } else {
    const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  }
  return buf;
}

class Canvas {
 public:
  Canvas(int w, int h) : w_(w), h_(h), pixels_(static_cast<size_t>(w) * h * 3, 255) {}

  void set(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= w_ || y >= h_) return;
    uint8_t* p = &pixels_[(static_cast<size_t>(y) * w_ + x) * 3];
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
  }
  void fill(int x0, int y0, int x1, int y1, Rgb c) {  // inclusive corners
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) set(x, y, c);
  }
  // Bresenham's line with a square brush of `thickness` pixels.
  void line(int x0, int y0, int x1, int y1, Rgb c, int thickness) {
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    const int lo = -(thickness - 1) / 2, hi = thickness / 2;
    int err = dx + dy;
    while (true) {
      fill(x0 + lo, y0 + lo, x0 + hi, y0 + hi, c);
      if (x0 == x1 && y0 == y1) break;
      const int e2 = 2 * err;
      if (e2 >= dy) err += dy, x0 += sx;
      if (e2 <= dx) err += dx, y0 += sy;
    }
  }
  // Text with its top-left corner at (x, y); vertical text reads bottom to top, with (x, y) its
  // bottom-left corner.
  void text(int x, int y, const std::string& s, Rgb c, bool vertical = false) {
    for (size_t i = 0; i < s.size(); ++i) {
      const Glyph& g = glyph(s[i]);
      const int offset = static_cast<int>(i) * kAdvance * kScale;
      for (int r = 0; r < kGlyphH; ++r)
        for (int col = 0; col < kGlyphW; ++col) {
          if (g.rows[r][col] != '#') continue;
          // Unrotated: pixel (col, r) of the glyph. Rotated by 90° anticlockwise: (r, −col).
          const int px = vertical ? x + r * kScale : x + offset + col * kScale;
          const int py = vertical ? y - offset - (col + 1) * kScale + 1 : y + r * kScale;
          fill(px, py, px + kScale - 1, py + kScale - 1, c);
        }
    }
  }
  const uint8_t* data() const { return pixels_.data(); }

 private:
  int w_, h_;
  std::vector<uint8_t> pixels_;  // (h, w, 3) RGB
};

constexpr Rgb kBlack{0, 0, 0}, kGrid{225, 225, 225}, kFrame{90, 90, 90};
constexpr Rgb kPalette[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                            {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127}};

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
  bool empty() const { return lo > hi; }
  // A non-degenerate range: [0, 1] when empty, widened around a single value.
  void settle(double pad_fraction) {
    if (empty()) lo = 0, hi = 1;
    if (hi == lo) {
      const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
      lo -= pad, hi += pad;
      return;
    }
    const double pad = (hi - lo) * pad_fraction;
    lo -= pad, hi += pad;
  }
};

std::vector<double> ticks(const Range& r, double step) {
  std::vector<double> out;
  for (double t = std::ceil(r.lo / step) * step; t <= r.hi + step * 1e-9; t += step)
    out.push_back(t);
  return out;
}

bool is_number(const nlohmann::json& record, const char* key) {
  return record.contains(key) && record[key].is_number();
}

}  // namespace

int text_width(const std::string& text, int scale) {
  return text.empty() ? 0 : (static_cast<int>(text.size()) * kAdvance - 1) * scale;
}

void write_line_plot_png(const std::string& path, const std::vector<CurveSeries>& series,
                         const PlotOptions& options) {
  FFTUNE_CHECK(options.width >= 200 && options.height >= 150, "write_line_plot_png: ", path,
               ": the image must be at least 200×150 pixels, got ", options.width, "×",
               options.height);
  Range xr, yr;
  for (const CurveSeries& s : series) {
    FFTUNE_CHECK(s.x.size() == s.y.size(), "write_line_plot_png: ", path, ": series '", s.label,
                 "' has ", s.x.size(), " x values but ", s.y.size(), " y values");
    for (size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) xr.add(s.x[i]), yr.add(s.y[i]);
  }
  xr.settle(0.0);
  yr.settle(0.05);
  const double xstep = nice_step(xr.hi - xr.lo, 6), ystep = nice_step(yr.hi - yr.lo, 5);
  const std::vector<double> xticks = ticks(xr, xstep), yticks = ticks(yr, ystep);

  // Layout: the y label (vertical), the y tick labels, the plot, a right margin.
  const int text_h = kGlyphH * kScale;
  int ytick_w = 0;
  for (double t : yticks) ytick_w = std::max(ytick_w, text_width(tick_label(t, ystep), kScale));
  const int left = 12 + text_h + 10 + ytick_w + 8, right = options.width - 24;
  const int top = 16 + text_h + 16, bottom = options.height - (8 + text_h + 12 + text_h + 12);
  const int plot_w = right - left, plot_h = bottom - top;
  auto px = [&](double x) {
    return left + static_cast<int>(std::lround((x - xr.lo) / (xr.hi - xr.lo) * plot_w));
  };
  auto py = [&](double y) {
    return bottom - static_cast<int>(std::lround((y - yr.lo) / (yr.hi - yr.lo) * plot_h));
  };

  Canvas canvas(options.width, options.height);
  // Grid, ticks and their labels.
  for (double t : xticks) {
    const int x = px(t);
    canvas.line(x, top, x, bottom, kGrid, 1);
    canvas.line(x, bottom, x, bottom + 4, kFrame, 1);
    const std::string label = tick_label(t, xstep);
    canvas.text(x - text_width(label, kScale) / 2, bottom + 8, label, kBlack);
  }
  for (double t : yticks) {
    const int y = py(t);
    canvas.line(left, y, right, y, kGrid, 1);
    canvas.line(left - 4, y, left, y, kFrame, 1);
    const std::string label = tick_label(t, ystep);
    canvas.text(left - 8 - text_width(label, kScale), y - text_h / 2, label, kBlack);
  }
  // The frame.
  canvas.line(left, top, right, top, kFrame, 1);
  canvas.line(left, bottom, right, bottom, kFrame, 1);
  canvas.line(left, top, left, bottom, kFrame, 1);
  canvas.line(right, top, right, bottom, kFrame, 1);
  // Title, axis labels.
  canvas.text((options.width - text_width(options.title, kScale)) / 2, 16, options.title, kBlack);
  canvas.text(left + (plot_w - text_width(options.x_label, kScale)) / 2,
              options.height - 12 - text_h, options.x_label, kBlack);
  canvas.text(12, top + (plot_h + text_width(options.y_label, kScale)) / 2, options.y_label, kBlack,
              /*vertical=*/true);

  // The series: a polyline through consecutive finite points, and markers when there are few.
  for (const CurveSeries& s : series) {
    bool have_previous = false;
    int x_prev = 0, y_prev = 0;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        have_previous = false;
        continue;
      }
      const int x = px(s.x[i]), y = py(s.y[i]);
      if (have_previous) canvas.line(x_prev, y_prev, x, y, s.color, s.thickness);
      if (s.x.size() <= 40) canvas.fill(x - 3, y - 3, x + 3, y + 3, s.color);
      x_prev = x, y_prev = y, have_previous = true;
    }
  }

  // The legend, in the corner of the plot that hides the fewest points of the curves.
  int legend_w = 0, entries = 0;
  for (const CurveSeries& s : series)
    if (!s.label.empty()) legend_w = std::max(legend_w, text_width(s.label, kScale)), ++entries;
  if (entries > 0) {
    const int row_h = text_h + 8, box_w = 10 + 24 + 8 + legend_w + 10;
    const int box_h = entries * row_h + 8;
    // Candidate top-left corners: top right, bottom right, top left, bottom left.
    const int corners[4][2] = {{right - 10 - box_w, top + 10},
                               {right - 10 - box_w, bottom - 10 - box_h},
                               {left + 10, top + 10},
                               {left + 10, bottom - 10 - box_h}};
    int best = 0;
    int64_t best_hidden = -1;
    for (int c = 0; c < 4; ++c) {
      const int bx = corners[c][0], by = corners[c][1];
      int64_t hidden = 0;
      for (const CurveSeries& s : series)
        for (size_t i = 0; i < s.x.size(); ++i) {
          if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
          const int x = px(s.x[i]), y = py(s.y[i]);
          hidden += x >= bx && x <= bx + box_w && y >= by && y <= by + box_h;
        }
      if (best_hidden < 0 || hidden < best_hidden) best = c, best_hidden = hidden;
    }
    const int x0 = corners[best][0], y0 = corners[best][1];
    canvas.fill(x0, y0, x0 + box_w, y0 + box_h, {255, 255, 255});
    canvas.line(x0, y0, x0 + box_w, y0, kFrame, 1);
    canvas.line(x0, y0 + box_h, x0 + box_w, y0 + box_h, kFrame, 1);
    canvas.line(x0, y0, x0, y0 + box_h, kFrame, 1);
    canvas.line(x0 + box_w, y0, x0 + box_w, y0 + box_h, kFrame, 1);
    int row = 0;
    for (const CurveSeries& s : series) {
      if (s.label.empty()) continue;
      const int y = y0 + 8 + row++ * row_h;
      canvas.line(x0 + 10, y + text_h / 2, x0 + 34, y + text_h / 2, s.color, 3);
      canvas.text(x0 + 42, y, s.label, kBlack);
    }
  }

  const std::string tmp = path + ".tmp";
  FFTUNE_CHECK(stbi_write_png(tmp.c_str(), options.width, options.height, 3, canvas.data(),
                              options.width * 3) != 0,
               "write_line_plot_png: cannot write ", tmp, ": ", std::strerror(errno));
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  FFTUNE_CHECK(!ec, "write_line_plot_png: cannot rename ", tmp, " to ", path, ": ", ec.message());
}

void write_loss_curve(const std::vector<nlohmann::json>& records, const std::string& path) {
  CurveSeries raw{.label = "loss", .color = {174, 199, 232}, .thickness = 1};
  CurveSeries smooth{.label = "moving average", .color = kPalette[0], .thickness = 2};
  double average = 0.0;
  for (const nlohmann::json& r : records) {
    if (r.value("kind", "") != "train" || !is_number(r, "step") || !is_number(r, "loss")) continue;
    const double step = r["step"].get<double>(), loss = r["loss"].get<double>();
    raw.x.push_back(step), raw.y.push_back(loss);
    // Bias-corrected EMA (as Adam's moments): the first points are not pulled toward 0.
    average = 0.9 * average + 0.1 * loss;
    smooth.x.push_back(step);
    smooth.y.push_back(average / (1.0 - std::pow(0.9, static_cast<double>(smooth.x.size()))));
  }
  write_line_plot_png(path, {raw, smooth},
                      {.title = "training loss", .x_label = "step", .y_label = "loss"});
}

void write_metric_curve(const std::vector<nlohmann::json>& records, const std::string& metric,
                        const std::string& path) {
  std::map<std::string, CurveSeries> by_split;
  std::vector<std::string> order;  // splits in order of appearance
  for (const nlohmann::json& r : records) {
    if (r.value("kind", "") != "eval" || !is_number(r, "epoch") || !is_number(r, metric.c_str()))
      continue;
    const std::string split = r.value("split", "eval");
    if (!by_split.count(split)) {
      by_split[split] = {.label = split, .color = kPalette[order.size() % std::size(kPalette)]};
      order.push_back(split);
    }
    by_split[split].x.push_back(r["epoch"].get<double>());
    by_split[split].y.push_back(r[metric].get<double>());
  }
  std::vector<CurveSeries> series;
  for (const std::string& split : order) series.push_back(by_split[split]);
  write_line_plot_png(path, series, {.title = metric, .x_label = "epoch", .y_label = metric});
}

}  // namespace fftune::examples
