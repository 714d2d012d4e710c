// Inference over a split: predictions in the examples' order, the task's dev metrics, and the
// GLUE submission file for test.tsv.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "batches.h"
#include "data/glue.h"
#include "nn/models/roberta.h"

namespace roberta_glue {

struct Predictions {
  std::vector<int64_t> classes;  // argmax of the logits (classification tasks)
  std::vector<double> scores;    // the regression output (STS-B)
};

// Runs `model` in eval mode without gradients over every example (batches of similar length).
Predictions predict(const fftune::nn::RobertaForSequenceClassification& model,
                    const std::vector<EncodedExample>& examples, int64_t batch_size, int64_t pad_id,
                    bool regression);

// The task's metrics (data/glue.h glue_metrics), the main one first.
std::vector<std::pair<std::string, double>> dev_metrics(fftune::data::GlueTask task,
                                                        const Predictions& predictions,
                                                        const std::vector<EncodedExample>& dev);

// Writes <dir>/<GLUE directory name>.tsv ("SST-2.tsv", ...): a header "index\tprediction", then
// one line per test example with its index and the predicted label text (the label as spelled
// in the task's files; STS-B: the score clipped to [0, 5]).
void write_submission(const std::string& dir, fftune::data::GlueTask task,
                      const std::vector<fftune::data::GlueExample>& test,
                      const Predictions& predictions);

}  // namespace roberta_glue
