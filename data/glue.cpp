#include "data/glue.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string_view>

#include "core/error.h"
#include "data/metrics.h"

namespace fftune::data {
namespace {

// Where things are in one kind of file (Note [GLUE TSV layouts]); -1 = absent.
struct Layout {
  bool header;
  size_t columns;
  int text_a, text_b, label, index;
};

Layout layout_of(GlueTask task, GlueSplit split) {
  const bool test = split == GlueSplit::kTest;
  switch (task) {
    case GlueTask::kSst2:
      return test ? Layout{true, 2, 1, -1, -1, 0} : Layout{true, 2, 0, -1, 1, -1};
    case GlueTask::kCola:
      return test ? Layout{true, 2, 1, -1, -1, 0} : Layout{false, 4, 3, -1, 1, -1};
    case GlueTask::kMrpc:
      return test ? Layout{true, 5, 3, 4, -1, 0} : Layout{true, 5, 3, 4, 0, -1};
    case GlueTask::kQnli:
    case GlueTask::kRte:
      return test ? Layout{true, 3, 1, 2, -1, 0} : Layout{true, 4, 1, 2, 3, -1};
    case GlueTask::kStsb:
      return test ? Layout{true, 9, 7, 8, -1, 0} : Layout{true, 10, 7, 8, 9, -1};
  }
  FFTUNE_FAIL("glue: unknown task");
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1)
    fields.push_back(line.substr(start, tab - start));
  fields.push_back(line.substr(start));
  return fields;
}

}  // namespace

const GlueTaskInfo& glue_task_info(GlueTask task) {
  static const std::vector<GlueTaskInfo> infos = {
      {GlueTask::kSst2, "sst2", "SST-2", false, false, {"0", "1"}, "accuracy"},
      {GlueTask::kMrpc, "mrpc", "MRPC", true, false, {"0", "1"}, "accuracy"},
      {GlueTask::kCola, "cola", "CoLA", false, false, {"0", "1"}, "matthews"},
      {GlueTask::kQnli, "qnli", "QNLI", true, false, {"entailment", "not_entailment"}, "accuracy"},
      {GlueTask::kRte, "rte", "RTE", true, false, {"entailment", "not_entailment"}, "accuracy"},
      {GlueTask::kStsb, "stsb", "STS-B", true, true, {}, "pearson"},
  };
  for (const GlueTaskInfo& info : infos)
    if (info.task == task) return info;
  FFTUNE_FAIL("glue: unknown task");
}

GlueTask glue_task_from_name(const std::string& name) {
  for (GlueTask t : {GlueTask::kSst2, GlueTask::kMrpc, GlueTask::kCola, GlueTask::kQnli,
                     GlueTask::kRte, GlueTask::kStsb})
    if (name == glue_task_info(t).name) return t;
  FFTUNE_FAIL("glue: unknown task \"", name, "\" (expected sst2, mrpc, cola, qnli, rte or stsb)");
}

const char* glue_split_name(GlueSplit split) {
  switch (split) {
    case GlueSplit::kTrain:
      return "train";
    case GlueSplit::kDev:
      return "dev";
    case GlueSplit::kTest:
      return "test";
  }
  FFTUNE_FAIL("glue: unknown split");
}

std::vector<GlueExample> read_glue_tsv(GlueTask task, GlueSplit split, const std::string& path) {
  const GlueTaskInfo& info = glue_task_info(task);
  const Layout layout = layout_of(task, split);
  std::ifstream in(path, std::ios::binary);
  FFTUNE_CHECK(in, "glue: cannot open ", path, " (", info.directory, " ", glue_split_name(split),
               " split)");
  std::vector<GlueExample> examples;
  std::string line;
  bool header_pending = layout.header;
  for (int64_t line_no = 1; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string_view> fields = split_tabs(line);
    FFTUNE_CHECK(fields.size() == layout.columns, path, ":", line_no, ": expected ", layout.columns,
                 " tab-separated columns for ", info.directory, " ", glue_split_name(split),
                 ", got ", fields.size());
    if (header_pending) {
      header_pending = false;
      continue;
    }
    GlueExample ex;
    ex.line = line_no;
    ex.text_a = fields[layout.text_a];
    if (layout.text_b >= 0) ex.text_b = fields[layout.text_b];
    if (layout.index >= 0) {
      const std::string field(fields[layout.index]);
      char* end = nullptr;
      errno = 0;
      ex.index = std::strtoll(field.c_str(), &end, 10);
      FFTUNE_CHECK(!field.empty() && *end == '\0' && errno == 0, path, ":", line_no,
                   ": unparsable index \"", field, "\"");
    }
    if (layout.label >= 0 && info.is_regression) {
      const std::string field(fields[layout.label]);
      char* end = nullptr;
      errno = 0;
      ex.score = std::strtod(field.c_str(), &end);
      FFTUNE_CHECK(!field.empty() && *end == '\0' && errno == 0 && std::isfinite(ex.score), path,
                   ":", line_no, ": unparsable score \"", field, "\"");
    } else if (layout.label >= 0) {
      const std::string_view field = fields[layout.label];
      for (size_t k = 0; k < info.label_names.size(); ++k)
        if (field == info.label_names[k]) ex.label = static_cast<int64_t>(k);
      if (ex.label < 0) {
        std::string expected;
        for (const std::string& name : info.label_names)
          expected += (expected.empty() ? "" : ", ") + name;
        FFTUNE_FAIL(path, ":", line_no, ": unknown label \"", field, "\" for ", info.directory,
                    " (expected ", expected, ")");
      }
    }
    examples.push_back(std::move(ex));
  }
  FFTUNE_CHECK(!in.bad(), "glue: error reading ", path);
  return examples;
}

std::vector<GlueExample> read_glue_split(GlueTask task, GlueSplit split,
                                         const std::string& glue_dir) {
  return read_glue_tsv(
      task, split,
      glue_dir + "/" + glue_task_info(task).directory + "/" + glue_split_name(split) + ".tsv");
}

std::vector<std::pair<std::string, double>> glue_metrics(GlueTask task,
                                                         const std::vector<int64_t>& predicted,
                                                         const std::vector<int64_t>& labels) {
  const GlueTaskInfo& info = glue_task_info(task);
  FFTUNE_CHECK(!info.is_regression, "glue_metrics: ", info.directory,
               " is a regression task: pass float predictions and scores");
  if (task == GlueTask::kCola) return {{"matthews", matthews_corrcoef(predicted, labels)}};
  if (task == GlueTask::kMrpc)
    return {{"accuracy", accuracy(predicted, labels)}, {"f1", f1_binary(predicted, labels)}};
  return {{"accuracy", accuracy(predicted, labels)}};
}

std::vector<std::pair<std::string, double>> glue_metrics(GlueTask task,
                                                         const std::vector<double>& predicted,
                                                         const std::vector<double>& scores) {
  const GlueTaskInfo& info = glue_task_info(task);
  FFTUNE_CHECK(info.is_regression, "glue_metrics: ", info.directory,
               " is a classification task: pass predicted and true class ids");
  return {{"pearson", pearson(predicted, scores)}, {"spearman", spearman(predicted, scores)}};
}

}  // namespace fftune::data
