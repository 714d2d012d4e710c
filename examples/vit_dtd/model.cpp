#include "model.h"

#include <ostream>

#include "core/error.h"
#include "nn/param_groups.h"

namespace vit_dtd {

using namespace fftune;

ModelSetup build_model(const Config& config, int64_t num_labels, std::ostream* log) {
  ModelSetup s;
  s.gen = std::make_unique<Generator>(config.seed);
  nn::ViTConfig vit;
  if (config.scratch_model) {
    vit = *config.scratch_model;
  } else {
    vit = nn::ViTConfig::from_json(nn::hf::read_config(config.model_dir));
  }
  vit.num_labels = num_labels;
  vit.gen = s.gen.get();
  s.model = std::make_shared<nn::ViTForImageClassification>(vit);
  if (!config.scratch_model) {
    const nn::hf::LoadSummary summary = nn::hf::load_pretrained(
        *s.model, config.model_dir, nn::ViTForImageClassification::checkpoint_layout(), nullptr,
        {.ignore_mismatched_sizes = config.ignore_mismatched_sizes});
    if (log != nullptr) *log << summary.to_string() << "\n";
    s.normalization = data::read_normalization(config.model_dir);
  }
  s.image_size = config.image_size > 0 ? config.image_size : vit.image_size;
  FFTUNE_CHECK(s.image_size == vit.image_size, "vit_dtd: --image-size ", s.image_size,
               " differs from the model's image_size ", vit.image_size);
  s.model->set_activation_checkpointing(config.checkpoint_activations);
  if (config.device == "cuda") s.model->to(Device::cuda());
  return s;
}

void attach_adapter(ModelSetup& s, const Config& config) {
  s.adapted = examples::attach_method(*s.model, method_of(config), s.gen.get());
}

std::vector<nn::ParamGroup> param_groups(const ModelSetup& s, const Config& config) {
  std::vector<nn::GroupSpec> specs = {{"classifier", config.head_lr, config.weight_decay}};
  if (config.adapter == "full") {
    specs.push_back({"re:.*", config.effective_lr(), config.weight_decay});
  } else if (config.adapter != "head") {
    specs.push_back({"adapter", config.effective_lr(), config.weight_decay});
  }
  return nn::param_groups_by_pattern(*s.model, specs);
}

namespace {

bool is_head(const std::string& name) {
  return nn::name_matches(name, "classifier");
}

std::vector<std::pair<std::string, Tensor>> trainable(const ModelSetup& s) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [name, t] : s.model->named_parameters())
    if (t.requires_grad()) out.emplace_back(name, t);
  return out;
}

}  // namespace

int64_t adapter_param_count(const ModelSetup& s) {
  int64_t count = 0;
  for (const auto& [name, t] : trainable(s))
    if (!is_head(name)) count += t.numel();
  return count;
}

int64_t head_param_count(const ModelSetup& s) {
  int64_t count = 0;
  for (const auto& [name, t] : trainable(s))
    if (is_head(name)) count += t.numel();
  return count;
}

int64_t save_trained(const ModelSetup& s, const Config& config, const std::string& dir) {
  if (config.adapter == "full") {
    const nn::ViTModel& vit = *s.model->vit();
    nn::hf::save_pretrained(vit, dir + "/backbone", vit.config().to_json("ViTModel"),
                            nn::ViTModel::checkpoint_layout());
  }
  examples::save_method(*s.model, method_of(config), dir);
  return adapter_param_count(s) * 4;  // f32
}

int64_t attached_adapter_param_count(const ModelSetup& s) {
  int64_t count = 0;
  for (const auto& [name, t] : s.model->named_parameters())
    if (nn::name_matches(name, "adapter")) count += t.numel();
  return count;
}

examples::LoadedMethod load_trained(ModelSetup& s, const std::string& dir) {
  // Either naming: fftune's own files (and peft's on transformers 4) use the checkpoint names,
  // peft's on transformers 5 ViT's in-memory ones (q_proj, v_proj).
  examples::LoadedMethod loaded = examples::load_method(
      *s.model, dir, nn::ViTForImageClassification::transformers_module_renames());
  s.adapted = loaded.adapted;
  return loaded;
}

}  // namespace vit_dtd
