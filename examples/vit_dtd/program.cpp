#include "program.h"

#include <cstdio>
#include <iostream>

#include "config.h"
#include "core/error.h"
#include "core/threading.h"
#include "demo.h"
#include "examples/common/atomic_file.h"
#include "examples/common/interrupt.h"
#include "train.h"

namespace vit_dtd {

int run_program(int argc, char** argv) {
  try {
    const Config config = parse_flags(argc, argv);
    if (config.threads > 0) fftune::set_num_threads(config.threads);
    fftune::examples::ensure_writable_directory(config.out, "--out");
    std::vector<RunSummary> rows;
    if (config.demo) {
      rows = run_demo(config, std::cout);
    } else {
      rows.push_back(run_training(config, std::cout));
    }
    std::cout << "\n" << summary_table(rows);
    bool stopped = rows.empty(), interrupted = rows.empty();  // empty: the demo's pre-training
    for (const auto& r : rows)
      stopped = stopped || r.stopped, interrupted = interrupted || r.interrupted;
    if (stopped) {
      std::cout << "(* stopped: accuracy so far; rerun with --resume to finish)\n";
      return interrupted ? fftune::examples::kInterruptedExitCode : 0;
    }
    if (config.demo)
      std::cout << "\nTest accuracy at the best validation epoch on texture classes the backbone "
                   "never saw;\nFourierFT trains "
                << rows.back().adapter_params << " spectral coefficients, LoRA "
                << rows[1].adapter_params << " parameters (the classifier trains in every row).\n"
                << "Runs, metrics.jsonl and curves: " << config.out << "/<method>/\n";
    else if (config.eval_only)
      std::cout << "\n(--eval-only: validation and test accuracy of " << config.adapter_path
                << "; summary.json in " << config.out << ")\n";
    else
      std::cout << "\nmetrics.jsonl, loss.png, accuracy.png and adapter/ in " << config.out << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

}  // namespace vit_dtd
