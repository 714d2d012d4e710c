// The --adapter choices: what is attached, what trains at which learning rate, and how the
// trained result is written and read back — examples/common/method.h's folder, the same as
// vit_dtd's: adapter_config.json + adapter_model.safetensors (peft's format for fourierft and
// lora, fftune's FFTUNE_HARTLEY, FFTUNE_HEAD and FFTUNE_FULL otherwise), the classifier saved
// with it as peft's modules_to_save (task_type SEQ_CLS); full fine-tuning also writes backbone/,
// the encoder without its head as a Hugging Face RobertaModel directory.
#pragma once

#include <string>
#include <vector>

#include "examples/common/method.h"
#include "examples/common/run_folder.h"
#include "nn/models/roberta.h"
#include "nn/param_groups.h"
#include "options.h"

namespace roberta_glue {

// --lr's default for --adapter full (a registered adapter has its own, adapters/registry.h).
inline constexpr double kFullLearningRate = 2e-5;

// The method the adapter flags describe, and the inverse: the adapter flags set to a folder's
// method (--resume).
fftune::examples::Method method_of(const Options& options);
void apply_method(Options& options, const fftune::examples::Method& method);
// The adapter flags and the Method fields they set (run_folder.h check_method_flags).
const std::vector<fftune::examples::MethodFlag>& method_flags();

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

// Reads what save_trained wrote into `model` as built for training (before attach_adapter):
// `dir` is the saved folder or the run folder holding it (run_folder.h trained_folder); the
// method is the folder's, whatever the command line says. Frozen afterwards.
fftune::examples::LoadedMethod load_trained(fftune::nn::RobertaForSequenceClassification& model,
                                            const std::string& dir);

}  // namespace roberta_glue
