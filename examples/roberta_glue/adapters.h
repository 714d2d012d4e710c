// The --adapter choices: what is attached, what trains at which learning rate, and how the
// trained result is written and read back.
//
//   fourierft, lora  peft's format (adapter_config.json + adapter_model.safetensors), the
//                    classifier saved with it as peft's modules_to_save (task_type SEQ_CLS)
//   hartley          the same two files; adapter_config.json has peft_type "HARTLEY", an fftune
//                    extension peft cannot read (tensors named "<layer>.hartley_spectrum")
//   full, head       a whole Hugging Face model directory (config.json + model.safetensors)
#pragma once

#include <string>
#include <vector>

#include "nn/models/roberta.h"
#include "nn/param_groups.h"
#include "options.h"

namespace roberta_glue {

// Attaches the adapter of options.adapter and leaves exactly the parameters to train requiring
// grad (the adapters and the classifier; everything for "full"; the classifier for "head").
void attach_adapter(fftune::nn::RobertaForSequenceClassification& model, const Options& options,
                    fftune::Generator& gen);

// Optimizer groups: adapter parameters at --lr, the classifier at --head-lr ("full": the
// encoder at --lr), all with --weight-decay.
std::vector<fftune::nn::GroupSpec> optimizer_groups(const Options& options);

// Writes the trained result to `dir` in the format of the header comment.
void save_trained(fftune::nn::RobertaForSequenceClassification& model, const Options& options,
                  const std::string& dir);

// Reads what save_trained wrote (or a peft adapter / HF model directory) into `model`: an
// adapter directory has adapter_config.json, a model directory config.json.
void load_trained(fftune::nn::RobertaForSequenceClassification& model, const std::string& dir);

}  // namespace roberta_glue
