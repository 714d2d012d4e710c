// Training curves as PNG: a small line plot of our own (axes, ticks, a legend, a 5×7 bitmap
// font for the numbers and labels), written with stb_image_write. Text is drawn in capitals.
//
//   write_loss_curve(read_metrics_log("out/metrics.jsonl"), "out/loss.png");
//   write_metric_curve(records, "accuracy", "out/accuracy.png");
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fftune::examples {

struct Rgb {
  uint8_t r, g, b;
};

struct CurveSeries {
  std::string label;                   // shown in the legend ("" = no legend entry)
  std::vector<double> x = {}, y = {};  // same length; non-finite points break the line
  Rgb color{31, 119, 180};
  int thickness = 2;  // pixels
};

struct PlotOptions {
  std::string title = "", x_label = "", y_label = "";
  int width = 800, height = 500;  // pixels
};

// Draws the series on shared axes (ranges fitted to the finite points, ticks at 1/2/5·10^k)
// and writes an RGB PNG: to a temporary name beside `path`, then renamed into place. Every
// series must have as many x as y values; no series (or no finite point) draws empty axes.
void write_line_plot_png(const std::string& path, const std::vector<CurveSeries>& series,
                         const PlotOptions& options);

// Training loss against the optimizer step, from the "train" records of a metrics log: the raw
// values in a light colour and an exponential moving average (weight 0.9 on the past) on top.
void write_loss_curve(const std::vector<nlohmann::json>& records, const std::string& path);
// The "eval" records' `metric` (e.g. "accuracy") against the epoch, one line per "split".
void write_metric_curve(const std::vector<nlohmann::json>& records, const std::string& metric,
                        const std::string& path);

// Pixel size of `text` drawn by the plot's font at `scale` (for tests and layout).
int text_width(const std::string& text, int scale);

}  // namespace fftune::examples
