// MetricsLog: <out>/metrics.jsonl, one JSON object per line, each line flushed as it is written
// so that a crashed or interrupted run keeps everything it logged.
//
// The example binaries write two kinds of record (curves.h plots them):
//   {"kind": "train", "epoch": 1, "step": 120, "loss": 0.81, "lr": 0.29, "items_per_s": 41.3}
//   {"kind": "eval", "epoch": 1, "step": 240, "split": "val", "accuracy": 0.712, ...}
// Other kinds and fields are allowed; a reader skips what it does not know. NaN and infinities
// are written as null (JSON has no such numbers).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fftune::examples {

class MetricsLog {
 public:
  // A fresh run: creates (or empties) `path`.
  explicit MetricsLog(const std::string& path);
  // A resumed run from a checkpoint taken after optimizer step `resume_step`: the file is never
  // rewritten (a crash during a rewrite would lose every record). It appends the record
  // {"kind": "resume", "step": resume_step}; read_metrics_log() then ignores the records before
  // it whose step is later (they were logged after the checkpoint and will be logged again). A
  // torn last line (a write cut short by a kill) is ended with a newline first, with a warning
  // on stderr naming the file. A missing file is started empty.
  MetricsLog(const std::string& path, int64_t resume_step);
  ~MetricsLog();
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;

  // Appends `record` (a JSON object) as one line and flushes it.
  void write(const nlohmann::json& record);
  const std::string& path() const { return path_; }

 private:
  void open_for_append(const char* mode);

  std::string path_;
  std::FILE* file_ = nullptr;
};

// Every record of a metrics.jsonl file, in order, as the run finally logged it: a "resume" record
// drops the records before it whose step is later than its own (and is itself kept). Blank lines
// are skipped. A line that is not a JSON object is an error naming the file and the line —
// except a torn write (the last line, or a line followed by a "resume" record), which is dropped
// with a warning on stderr naming the file.
std::vector<nlohmann::json> read_metrics_log(const std::string& path);

}  // namespace fftune::examples
