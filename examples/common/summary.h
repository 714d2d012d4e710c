// The table a run (or the demo's comparison of methods) ends with, as aligned text for the
// terminal and as Markdown for docs and READMEs:
//
//   method     trainable params  adapter size  accuracy  wall time
//   ---------  ----------------  ------------  --------  ---------
//   head                  3,076       12.0 KiB    61.25%      41.2s
//   fourierft            39,076      152.6 KiB    70.50%    1m 03s
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace fftune::examples {

struct SummaryRow {
  std::string method = "";
  int64_t trainable_params = 0;
  int64_t adapter_bytes = 0;  // size of the saved adapter (+ head) file
  double metric = std::numeric_limits<double>::quiet_NaN();  // NaN: shown as "-"
  double wall_seconds = 0.0;
};

struct SummaryOptions {
  std::string metric_name = "accuracy";
  bool percent = true;  // metric in [0, 1] shown as 75.09%; otherwise with 4 decimals
};

std::string summary_text(const std::vector<SummaryRow>& rows, const SummaryOptions& options = {});
std::string summary_markdown(const std::vector<SummaryRow>& rows,
                             const SummaryOptions& options = {});

// The cell formats: 24,000 · 93.9 KiB · 75.09% · 1m 03s (41.2s under a minute).
std::string format_count(int64_t n);
std::string format_bytes(int64_t bytes);
std::string format_metric(double value, bool percent);
std::string format_wall_time(double seconds);

}  // namespace fftune::examples
