// What a run leaves behind for people: a progress bar on the terminal, one JSON line per epoch
// in <out>/metrics.jsonl, and the curves of those lines as <out>/curves.png.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace roberta_glue {

// A one-line bar redrawn in place on stderr when stderr is a terminal; silent otherwise.
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total);
  void update(int64_t done, double loss);
  void finish();

 private:
  std::string label_;
  int64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

// metrics.jsonl: one object per evaluated epoch ({"epoch", "step", "train_loss", "lr", the dev
// metrics, ...}).
class MetricsLog {
 public:
  // Keeps the lines of epochs <= kept_epochs (a resumed run drops what it will redo).
  MetricsLog(std::string path, int64_t kept_epochs);
  void append(const nlohmann::json& line);
  const std::vector<nlohmann::json>& lines() const { return lines_; }

 private:
  std::string path_;
  std::vector<nlohmann::json> lines_;
};

// Two panels: training loss and the main dev metric against the epoch, as a PNG written
// atomically.
void write_curves(const std::string& path, const std::vector<nlohmann::json>& lines,
                  const std::string& metric);

}  // namespace roberta_glue
