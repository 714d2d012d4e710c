#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace vit_dtd {

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
    std::snprintf(acc, sizeof acc, "%.2f%%%s", 100 * r.test_at_best, r.stopped ? "*" : "");
    std::snprintf(line, sizeof line, "| %-10s | %14lld | %11lld | %13s | %15s | %9s | %7.1fs |\n",
                  r.method.c_str(), static_cast<long long>(r.adapter_params),
                  static_cast<long long>(r.head_params), human_bytes(r.adapter_bytes).c_str(), val,
                  acc, r.wall_s);
    out << line;
  }
  return out.str();
}

}  // namespace vit_dtd
