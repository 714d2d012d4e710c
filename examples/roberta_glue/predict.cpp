#include "predict.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/tensor/factory.h"
#include "examples/common/atomic_file.h"
#include "ops/ops.h"

namespace roberta_glue {

using namespace fftune;

Predictions predict(const nn::RobertaForSequenceClassification& model,
                    const std::vector<EncodedExample>& examples, int64_t batch_size, int64_t pad_id,
                    bool regression) {
  NoGradGuard no_grad;
  Predictions out;
  out.classes.assign(examples.size(), -1);
  out.scores.assign(examples.size(), 0.0);
  const Device device = model.parameters().front().device();
  for (const auto& indices : evaluation_batches(examples, batch_size)) {
    const Batch batch = make_batch(examples, indices, pad_id, regression);
    const Tensor logits = model.forward(batch.ids.to(device), batch.attention_mask.to(device))
                              .to(Device::cpu());  // (B, labels)
    if (regression) {
      const std::vector<float> v = to_vector<float>(logits.contiguous());
      for (size_t row = 0; row < indices.size(); ++row) out.scores[indices[row]] = v[row];
    } else {
      const std::vector<int64_t> c = to_vector<int64_t>(argmax(logits, 1));
      for (size_t row = 0; row < indices.size(); ++row) out.classes[indices[row]] = c[row];
    }
  }
  return out;
}

std::vector<std::pair<std::string, double>> dev_metrics(data::GlueTask task,
                                                        const Predictions& predictions,
                                                        const std::vector<EncodedExample>& dev) {
  if (data::glue_task_info(task).is_regression) {
    std::vector<double> scores;
    for (const auto& e : dev) scores.push_back(e.score);
    return data::glue_metrics(task, predictions.scores, scores);
  }
  std::vector<int64_t> labels;
  for (const auto& e : dev) labels.push_back(e.label);
  return data::glue_metrics(task, predictions.classes, labels);
}

void write_submission(const std::string& dir, data::GlueTask task,
                      const std::vector<data::GlueExample>& test, const Predictions& predictions) {
  const data::GlueTaskInfo& info = data::glue_task_info(task);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + info.directory + ".tsv";
  std::ostringstream out;
  out << "index\tprediction\n";
  for (size_t i = 0; i < test.size(); ++i) {
    out << test[i].index << "\t";
    if (info.is_regression) {
      out << std::clamp(predictions.scores[i], 0.0, 5.0) << "\n";
    } else {
      out << info.label_names.at(static_cast<size_t>(predictions.classes[i])) << "\n";
    }
  }
  examples::write_file_atomically(path, out.str());
}

}  // namespace roberta_glue
