// Readers for six GLUE tasks in the official TSV layouts (the files of the GLUE download script:
// <glue_dir>/<SST-2|MRPC|CoLA|QNLI|RTE|STS-B>/{train,dev,test}.tsv), their label sets, and the
// metrics the FourierFT paper reports for each.
//
// Note [GLUE TSV layouts]
// Fields are raw tab-separated text: GLUE files are not CSV-quoted, so a '"' is an ordinary
// character. Columns (0-based) of the labelled train/dev files, and of test.tsv:
//   task   header  columns  text a  text b  label            test.tsv (header, index in 0)
//   SST-2  yes     2        0       -       1 (0/1)          2 columns, sentence 1
//   CoLA   no      4        3       -       1 (0/1)          2 columns, sentence 1
//   MRPC   yes     5        3       4       0 (0/1)          5 columns, strings 3, 4
//   QNLI   yes     4        1       2       3 (entailment / not_entailment)  3 columns, 1, 2
//   RTE    yes     4        1       2       3 (entailment / not_entailment)  3 columns, 1, 2
//   STS-B  yes     10       7       8       9 (float score)  9 columns, sentences 7, 8
// A line with another number of columns, an unknown label or an unparsable score or index is
// an Error naming the file and the line. Empty lines are skipped; a trailing '\r' is dropped.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fftune::data {

enum class GlueTask { kSst2, kMrpc, kCola, kQnli, kRte, kStsb };
enum class GlueSplit { kTrain, kDev, kTest };

// What a pipeline needs to know about a task.
struct GlueTaskInfo {
  GlueTask task;
  const char* name;                      // command-line name: "sst2", "mrpc", ...
  const char* directory;                 // folder in the GLUE download: "SST-2", "MRPC", ...
  bool is_pair;                          // two texts per example
  bool is_regression;                    // STS-B: a float score instead of a class
  std::vector<std::string> label_names;  // label id -> the label's text in the files
  const char* main_metric;               // what the paper reports: "accuracy", "matthews", ...
};

const GlueTaskInfo& glue_task_info(GlueTask task);
// "sst2", "mrpc", "cola", "qnli", "rte", "stsb"; anything else is an Error listing them.
GlueTask glue_task_from_name(const std::string& name);
const char* glue_split_name(GlueSplit split);  // "train", "dev", "test"

struct GlueExample {
  std::string text_a;
  std::string text_b;  // empty for single-sentence tasks
  int64_t label = -1;  // class id (index in label_names); -1 for test and for STS-B
  double score = 0;    // STS-B's similarity in [0, 5]
  int64_t index = -1;  // test.tsv's index column (what a submission names); -1 otherwise
  int64_t line = 0;    // 1-based line in the file, for messages
};

// Reads one split file of `task` in the layout of Note [GLUE TSV layouts].
std::vector<GlueExample> read_glue_tsv(GlueTask task, GlueSplit split, const std::string& path);
// <glue_dir>/<task directory>/<split>.tsv
std::vector<GlueExample> read_glue_split(GlueTask task, GlueSplit split,
                                         const std::string& glue_dir);

// The task's metrics, the paper's main metric first: accuracy (SST-2, QNLI, RTE), accuracy and
// F1 (MRPC), Matthews correlation (CoLA).
std::vector<std::pair<std::string, double>> glue_metrics(GlueTask task,
                                                         const std::vector<int64_t>& predicted,
                                                         const std::vector<int64_t>& labels);
// STS-B: Pearson, then Spearman.
std::vector<std::pair<std::string, double>> glue_metrics(GlueTask task,
                                                         const std::vector<double>& predicted,
                                                         const std::vector<double>& scores);

}  // namespace fftune::data
