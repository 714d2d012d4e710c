#include "examples/common/metrics_log.h"

#include <cerrno>
#include <cstdio>
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
  bool torn = false;
  if (std::filesystem::exists(path)) {
    bool terminated = true;
    read_lines(path, terminated);
    torn = !terminated;
  }
  open_for_append("ab");
  if (torn) {
    std::fprintf(stderr, "warning: %s: its last line was cut short (a killed run); dropped\n",
                 path_.c_str());
    const bool ok = std::fputc('\n', file_) != EOF && std::fflush(file_) == 0;
    FFTUNE_CHECK(ok, "metrics log: cannot write to ", path_, ": ", std::strerror(errno));
  }
  write({{"kind", "resume"}, {"step", resume_step}});
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
  const auto blank = [](const std::string& line) {
    return line.find_first_not_of(" \t\r") == std::string::npos;
  };
  const auto parse = [](const std::string& line) {
    return nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  };
  std::vector<nlohmann::json> records;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (blank(lines[i])) continue;
    nlohmann::json record = parse(lines[i]);
    if (record.is_discarded() || !record.is_object()) {
      size_t next = i + 1;
      while (next < lines.size() && blank(lines[next])) ++next;
      const bool at_end = next == lines.size();
      const bool last = at_end && !terminated;
      const nlohmann::json following = at_end ? nlohmann::json() : parse(lines[next]);
      const bool before_resume = following.is_object() && following.value("kind", "") == "resume";
      FFTUNE_CHECK(last || before_resume, path, ":", i + 1,
                   ": not a JSON object: ", lines[i].substr(0, 80));
      std::fprintf(stderr, "warning: %s:%zu: a line cut short (a killed run); dropped\n",
                   path.c_str(), i + 1);
      continue;
    }
    if (record.value("kind", "") == "resume" && record.contains("step") &&
        record["step"].is_number_integer()) {
      const int64_t step = record["step"].get<int64_t>();
      std::erase_if(records, [&](const nlohmann::json& r) {
        return r.contains("step") && r["step"].is_number_integer() &&
               r["step"].get<int64_t>() > step;
      });
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace fftune::examples
