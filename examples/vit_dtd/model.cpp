#include "model.h"

#include <filesystem>
#include <ostream>

#include "adapters/hartley_adapter.h"
#include "adapters/inject.h"
#include "core/error.h"
#include "core/io/safetensors.h"
#include "nn/param_groups.h"

namespace vit_dtd {

using namespace fftune;
namespace ft = fftune::fourierft;
namespace adapters = fftune::adapters;

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
  nn::Module& model = *s.model;
  const std::vector<std::string> head = {"classifier"};
  if (config.adapter == "full") {
    model.set_requires_grad(true);
    return;
  }
  if (config.adapter == "head") {
    model.set_requires_grad(false);
    model.set_requires_grad(head, true);
    return;
  }
  if (config.adapter == "fourierft" && !config.freq_bias) {
    adapters::FourierFTConfig peft;
    peft.target_modules = adapters::ModulePatterns::list(config.target_modules);
    peft.modules_to_save = head;
    peft.n_frequency = config.n;
    peft.scaling = config.alpha;
    peft.random_loc_seed = config.random_loc_seed;
    s.adapted = adapters::inject_fourierft(model, peft, s.gen.get());
    s.peft_config = peft;
  } else if (config.adapter == "lora") {
    adapters::LoRAConfig peft;
    peft.target_modules = adapters::ModulePatterns::list(config.target_modules);
    peft.modules_to_save = head;
    peft.r = config.lora_r;
    peft.lora_alpha = config.lora_alpha;
    s.adapted = adapters::inject_lora(model, peft, s.gen.get());
    s.peft_config = peft;
  } else {
    adapters::InjectOptions options;
    options.target_modules = adapters::ModulePatterns::list(config.target_modules);
    options.modules_to_save = head;
    if (config.adapter == "fourierft") {  // frequency-biased entries: fftune's extension
      ft::FourierFTOptions layer;
      layer.n_frequency = config.n;
      layer.scaling = config.alpha;
      layer.random_loc_seed = config.random_loc_seed;
      layer.frequency_bias = config.freq_bias;
      s.adapted = adapters::inject_fourierft(model, options, layer, {}, s.gen.get());
    } else {  // hartley
      adapters::HartleyOptions layer;
      layer.n_frequency = config.n;
      layer.scaling = config.alpha;
      layer.random_loc_seed = config.random_loc_seed;
      Generator* gen = s.gen.get();
      s.adapted = adapters::inject_adapters(
          model, options, [&](const std::string&, const nn::Linear& linear) {
            return std::make_shared<adapters::HartleyLinear>(
                linear.out_features(), linear.in_features(), layer, gen, linear.weight().dtype(),
                linear.weight().device());
          });
    }
  }
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
  std::filesystem::create_directories(dir);
  if (config.adapter == "full") {
    const nn::ViTModel& vit = *s.model->vit();
    nn::hf::save_pretrained(vit, dir + "/backbone", vit.config().to_json("ViTModel"),
                            nn::ViTModel::checkpoint_layout());
  }
  if (s.peft_config) adapters::save_peft_adapter(*s.model, dir, *s.peft_config);
  const auto tensors = trainable(s);
  io::save_safetensors(dir + "/trainable.safetensors", tensors, {{"format", "fftune"}});
  std::vector<std::pair<std::string, Tensor>> head;
  for (const auto& [name, t] : tensors)
    if (is_head(name)) head.emplace_back(name, t);
  io::save_safetensors(dir + "/head.safetensors", head, {{"format", "pt"}});
  return adapter_param_count(s) * 4;  // f32
}

std::string method_name(const Config& c) {
  if (c.adapter == "fourierft") return c.freq_bias ? "FourierFT-fb" : "FourierFT";
  if (c.adapter == "lora") return "LoRA";
  if (c.adapter == "hartley") return "Hartley";
  if (c.adapter == "full") return "full";
  return "head only";
}

int64_t attached_adapter_param_count(const ModelSetup& s) {
  int64_t count = 0;
  for (const auto& [name, t] : s.model->named_parameters())
    if (nn::name_matches(name, "adapter")) count += t.numel();
  return count;
}

std::string load_trained(ModelSetup& s, const Config& config, const std::string& dir) {
  if (std::filesystem::exists(dir + "/adapter_config.json")) {
    // Either naming: fftune's own files (and peft's on transformers 4) use the checkpoint names,
    // peft's on transformers 5 ViT's in-memory ones (q_proj, v_proj).
    const adapters::LoadedPeftAdapter loaded = adapters::load_peft_adapter(
        *s.model, dir, false, nn::ViTForImageClassification::transformers_module_renames());
    s.adapted = loaded.adapted;
    return adapters::peft_type(loaded.config) == "LORA" ? "LoRA" : "FourierFT";
  }
  const std::string path = dir + "/trainable.safetensors";
  FFTUNE_CHECK(std::filesystem::exists(path), "vit_dtd: --adapter-path ", dir,
               " has neither adapter_config.json nor trainable.safetensors");
  attach_adapter(s, config);
  const io::SafetensorsFile file = io::load_safetensors(path);
  std::map<std::string, Tensor> state;
  for (const auto& [name, t] : s.model->state_dict()) {
    auto it = file.tensors.find(name);
    state[name] = it != file.tensors.end() ? it->second : t;
  }
  for (const auto& [name, t] : file.tensors)
    FFTUNE_CHECK(state.count(name) == 1, "vit_dtd: ", path, " has tensor ", name,
                 " that the model (--adapter ", config.adapter, ") lacks");
  s.model->load_state_dict(state);
  return method_name(config);
}

}  // namespace vit_dtd
