#include "examples/common/metrics_log.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace fftune::examples {
namespace {

// The file's lines; `terminated` says whether the last one ended with '\n'.
std::vector<std::string> read_lines(const std::string& path, bool& terminated) {
  std::ifstream in(path, std::ios::binary);
  FFTUNE_CHECK(in, "metrics log: cannot open ", path, ": ", std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  terminated = s.empty() || s.back() == '\n';
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < s.size()) {
    size_t end = s.find('\n', begin);
    if (end == std::string::npos) end = s.size();
    lines.push_back(s.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

}  // namespace

MetricsLog::MetricsLog(const std::string& path) : path_(path) {
  open_for_append("wb");
}

MetricsLog::MetricsLog(const std::string& path, int64_t resume_step) : path_(path) {
  if (std::filesystem::exists(path)) {
    const std::vector<nlohmann::json> records = read_metrics_log(path);
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      FFTUNE_CHECK(out, "metrics log: cannot write ", tmp, ": ", std::strerror(errno));
      for (const nlohmann::json& r : records) {
        const bool later = r.contains("step") && r["step"].is_number_integer() &&
                           r["step"].get<int64_t>() > resume_step;
        if (!later) out << r.dump() << '\n';
      }
      out.flush();
      FFTUNE_CHECK(out, "metrics log: cannot write ", tmp, ": ", std::strerror(errno));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    FFTUNE_CHECK(!ec, "metrics log: cannot rename ", tmp, " to ", path, ": ", ec.message());
  }
  open_for_append("ab");
}

void MetricsLog::open_for_append(const char* mode) {
  file_ = std::fopen(path_.c_str(), mode);
  FFTUNE_CHECK(file_, "metrics log: cannot open ", path_, " for writing: ", std::strerror(errno));
}

MetricsLog::~MetricsLog() {
  if (file_) std::fclose(file_);
}

void MetricsLog::write(const nlohmann::json& record) {
  FFTUNE_CHECK(record.is_object(), "metrics log: a record must be a JSON object, got ",
               record.dump());
  const std::string line = record.dump() + "\n";
  const bool ok =
      std::fwrite(line.data(), 1, line.size(), file_) == line.size() && std::fflush(file_) == 0;
  FFTUNE_CHECK(ok, "metrics log: cannot write to ", path_, ": ", std::strerror(errno));
}

std::vector<nlohmann::json> read_metrics_log(const std::string& path) {
  bool terminated = true;
  const std::vector<std::string> lines = read_lines(path, terminated);
  std::vector<nlohmann::json> records;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json record = nlohmann::json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
    const bool cut_short = i + 1 == lines.size() && !terminated;
    if (record.is_discarded() || !record.is_object()) {
      if (cut_short) break;  // the interrupted last write
      FFTUNE_FAIL(path, ":", i + 1, ": not a JSON object: ", lines[i].substr(0, 80));
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace fftune::examples
