#include "adapters.h"

#include <algorithm>

#include "examples/common/adapter_flags.h"

namespace roberta_glue {

using namespace fftune;
using nn::RobertaForSequenceClassification;

namespace {

constexpr const char* kHead = "classifier";

}  // namespace

examples::Method method_of(const Options& options) {
  examples::Method m;
  m.adapter = options.adapter;
  m.target_modules = options.target_modules;
  m.task_type = "SEQ_CLS";  // peft adds the classifier to the modules to save
  if (adapters::is_registered_adapter(options.adapter))
    m.options = examples::options_with_defaults(options.adapter, {}, options.adapter_options);
  return m;
}

void apply_method(Options& options, const examples::Method& m) {
  // Only the fields of m.adapter: the others keep their flags' values.
  options.adapter = m.adapter;
  // --lr not given: the folder's adapter's default, not the command line's adapter's.
  const auto& given = options.given_flags;
  if (std::find(given.begin(), given.end(), "--lr") == given.end() && !options.paper_defaults)
    options.lr = examples::default_learning_rate(m.adapter, {}, kFullLearningRate);
  if (adapters::is_registered_adapter(m.adapter)) {
    options.target_modules = m.target_modules;
    options.adapter_options = m.options;
  }
}

const std::vector<examples::MethodFlag>& method_flags() {
  static const std::vector<examples::MethodFlag> flags = examples::adapter_method_flags();
  return flags;
}

void attach_adapter(RobertaForSequenceClassification& model, const Options& options,
                    Generator& gen) {
  examples::attach_method(model, method_of(options), &gen);
}

std::vector<nn::GroupSpec> optimizer_groups(const Options& options) {
  const double wd = options.weight_decay;
  if (options.adapter == "head") return {{kHead, options.head_lr, wd}};
  if (options.adapter == "full") return {{kHead, options.head_lr, wd}, {"roberta", options.lr, wd}};
  return {{"adapter", options.lr, wd}, {kHead, options.head_lr, wd}};
}

void save_trained(RobertaForSequenceClassification& model, const Options& options,
                  const std::string& dir) {
  if (options.adapter == "full") {
    const nn::RobertaModel& encoder = *model.roberta();
    nn::hf::save_pretrained(encoder, dir + "/backbone", model.config().to_json("RobertaModel"),
                            nn::RobertaModel::checkpoint_layout());
  }
  examples::save_method(model, method_of(options), dir);
}

examples::LoadedMethod load_trained(RobertaForSequenceClassification& model,
                                    const std::string& dir) {
  return examples::load_method(model, examples::trained_folder(dir));
}

}  // namespace roberta_glue
