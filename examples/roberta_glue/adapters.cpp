#include "adapters.h"

namespace roberta_glue {

using namespace fftune;
using nn::RobertaForSequenceClassification;

namespace {

constexpr const char* kHead = "classifier";
constexpr uint64_t kEntrySeed = 777;  // peft's random_loc_seed default

}  // namespace

examples::Method method_of(const Options& options) {
  examples::Method m;
  m.adapter = options.adapter;
  m.target_modules = options.target_modules;
  m.task_type = "SEQ_CLS";  // peft adds the classifier to the modules to save
  m.n_frequency = options.n;
  m.scaling = options.alpha;
  m.random_loc_seed = kEntrySeed;
  m.r = options.rank;
  m.lora_alpha = options.alpha;
  return m;
}

void apply_method(Options& options, const examples::Method& m) {
  // Only the fields of m.adapter: the others keep their flags' values.
  options.adapter = m.adapter;
  if (m.adapter == "fourierft" || m.adapter == "hartley" || m.adapter == "lora")
    options.target_modules = m.target_modules;
  if (m.adapter == "fourierft" || m.adapter == "hartley") {
    options.n = m.n_frequency;
    options.alpha = m.scaling;
  }
  if (m.adapter == "lora") {
    options.rank = m.r;
    options.alpha = m.lora_alpha;
  }
}

const std::vector<examples::MethodFlag>& method_flags() {
  static const std::vector<examples::MethodFlag> flags = {{"--adapter", {"adapter"}},
                                                          {"--n", {"n_frequency"}},
                                                          {"--rank", {"r"}},
                                                          {"--alpha", {"scaling", "lora_alpha"}},
                                                          {"--target-modules", {"target_modules"}}};
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
