// What a run reports in the end: the summary table (the progress bar, metrics.jsonl and the
// curves are the shared run loop's, examples/common/training_loop.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vit_dtd {

// One row of the summary table.
struct RunSummary {
  std::string method;
  int64_t adapter_params = 0;  // classifier excluded
  int64_t head_params = 0;
  int64_t adapter_bytes = 0;  // the adapter's tensors at f32
  double best_val = 0;        // best validation accuracy
  int64_t best_epoch = 0;     // 1-based
  double test_at_best = 0;    // test accuracy at that epoch
  double wall_s = 0;
  bool stopped = false;      // checkpointed before the last epoch (--resume continues)
  bool interrupted = false;  // by Ctrl-C or SIGTERM
};
std::string summary_table(const std::vector<RunSummary>& rows);

// "1.5 KB", "3.2 MB".
std::string human_bytes(int64_t bytes);

}  // namespace vit_dtd
