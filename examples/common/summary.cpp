#include "examples/common/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fftune::examples {
namespace {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> cells;
};

Table make_table(const std::vector<SummaryRow>& rows, const SummaryOptions& options) {
  Table t;
  t.header = {"method", "trainable params", "adapter size", options.metric_name, "wall time"};
  for (const SummaryRow& r : rows)
    t.cells.push_back({r.method, format_count(r.trainable_params), format_bytes(r.adapter_bytes),
                       format_metric(r.metric, options.percent), format_wall_time(r.wall_seconds)});
  return t;
}

// Column 0 (the method) is left-aligned, the numbers right-aligned.
std::string pad(const std::string& s, size_t width, bool left) {
  const std::string fill(width - std::min(width, s.size()), ' ');
  return left ? s + fill : fill + s;
}

}  // namespace

std::string format_count(int64_t n) {
  // Digits from the right, a comma before every third.
  const std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string format_bytes(int64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
  return buf;
}

std::string format_metric(double value, bool percent) {
  if (std::isnan(value)) return "-";
  char buf[32];
  if (percent) {
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * value);
  } else {
    std::snprintf(buf, sizeof buf, "%.4f", value);
  }
  return buf;
}

std::string format_wall_time(double seconds) {
  char buf[48];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else {
    const auto total = static_cast<long long>(std::llround(seconds));
    if (total < 3600) {
      std::snprintf(buf, sizeof buf, "%lldm %02llds", total / 60, total % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", total / 3600, total / 60 % 60,
                    total % 60);
    }
  }
  return buf;
}

std::string summary_text(const std::vector<SummaryRow>& rows, const SummaryOptions& options) {
  const Table t = make_table(rows, options);
  std::vector<size_t> width(t.header.size());
  for (size_t c = 0; c < width.size(); ++c) {
    width[c] = t.header[c].size();
    for (const auto& row : t.cells) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < cells.size(); ++c)
      out += (c ? "  " : "") + pad(cells[c], width[c], c == 0);
    return out + "\n";
  };
  std::vector<std::string> rule;
  for (size_t w : width) rule.push_back(std::string(w, '-'));
  std::string out = line(t.header) + line(rule);
  for (const auto& row : t.cells) out += line(row);
  return out;
}

std::string summary_markdown(const std::vector<SummaryRow>& rows, const SummaryOptions& options) {
  const Table t = make_table(rows, options);
  auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const std::string& c : cells) out += " " + c + " |";
    return out + "\n";
  };
  std::string out = line(t.header) + "|:---|---:|---:|---:|---:|\n";
  for (const auto& row : t.cells) out += line(row);
  return out;
}

}  // namespace fftune::examples
