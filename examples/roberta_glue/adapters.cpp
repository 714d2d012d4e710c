#include "adapters.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/hartley_adapter.h"
#include "adapters/inject.h"
#include "adapters/peft_format.h"
#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/safetensors.h"

namespace roberta_glue {

using namespace fftune;
using adapters::FourierFTConfig;
using adapters::LoRAConfig;
using nn::RobertaForSequenceClassification;

namespace {

constexpr const char* kHead = "classifier";
constexpr uint64_t kEntrySeed = 777;  // peft's random_loc_seed default

template <typename Config>
Config peft_config(const Options& options) {
  Config config;
  config.task_type = "SEQ_CLS";
  config.target_modules = adapters::ModulePatterns::list(options.target_modules);
  return config;
}

FourierFTConfig fourierft_config(const Options& options) {
  auto config = peft_config<FourierFTConfig>(options);
  config.n_frequency = options.n;
  config.scaling = options.alpha;
  config.random_loc_seed = kEntrySeed;
  return config;
}

LoRAConfig lora_config(const Options& options) {
  auto config = peft_config<LoRAConfig>(options);
  config.r = options.rank;
  config.lora_alpha = options.alpha;
  return config;
}

adapters::InjectOptions hartley_inject_options(const std::vector<std::string>& targets) {
  adapters::InjectOptions inject;
  inject.target_modules = adapters::ModulePatterns::list(targets);
  inject.modules_to_save = {kHead};
  return inject;
}

std::vector<std::string> inject_hartley(RobertaForSequenceClassification& model,
                                        const std::vector<std::string>& targets,
                                        const adapters::HartleyOptions& hartley, Generator* gen) {
  return adapters::inject_adapters(
      model, hartley_inject_options(targets),
      [&](const std::string&, const nn::Linear& layer) -> std::shared_ptr<nn::LinearAdapter> {
        return std::make_shared<adapters::HartleyLinear>(layer.out_features(), layer.in_features(),
                                                         hartley, gen);
      });
}

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  FFTUNE_CHECK(file.good(), "cannot read ", path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The file is written under a temporary name and renamed, so a reader never sees half of it.
void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp);
    file << text;
    FFTUNE_CHECK(file.good(), "cannot write ", tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

void attach_adapter(RobertaForSequenceClassification& model, const Options& options,
                    Generator& gen) {
  const std::string& kind = options.adapter;
  if (kind == "fourierft") {
    adapters::inject_fourierft(model, fourierft_config(options), &gen);
  } else if (kind == "lora") {
    adapters::inject_lora(model, lora_config(options), &gen);
  } else if (kind == "hartley") {
    adapters::HartleyOptions hartley;
    hartley.n_frequency = options.n;
    hartley.scaling = options.alpha;
    hartley.random_loc_seed = kEntrySeed;
    inject_hartley(model, options.target_modules, hartley, &gen);
  } else if (kind == "head") {
    model.set_requires_grad(false);
    model.set_requires_grad({kHead}, true);
  } else {
    FFTUNE_CHECK(kind == "full", "attach_adapter: unknown adapter '", kind, "'");
    model.set_requires_grad(true);
  }
}

std::vector<nn::GroupSpec> optimizer_groups(const Options& options) {
  const double wd = options.weight_decay;
  if (options.adapter == "head") return {{kHead, options.head_lr, wd}};
  if (options.adapter == "full") return {{kHead, options.head_lr, wd}, {"roberta", options.lr, wd}};
  return {{"adapter", options.lr, wd}, {kHead, options.head_lr, wd}};
}

void save_trained(RobertaForSequenceClassification& model, const Options& options,
                  const std::string& dir) {
  const std::string& kind = options.adapter;
  if (kind == "fourierft") {
    adapters::save_peft_adapter(model, dir, fourierft_config(options));
  } else if (kind == "lora") {
    adapters::save_peft_adapter(model, dir, lora_config(options));
  } else if (kind == "hartley") {
    std::filesystem::create_directories(dir);
    const nlohmann::json config = {
        {"peft_type", "HARTLEY"},        {"task_type", "SEQ_CLS"},
        {"n_frequency", options.n},      {"scaling", options.alpha},
        {"random_loc_seed", kEntrySeed}, {"target_modules", options.target_modules},
        {"modules_to_save", {kHead}}};
    const auto tensors = adapters::peft_state_dict(model, {kHead});
    io::save_safetensors(dir + "/adapter_model.safetensors", tensors, {{"format", "pt"}});
    write_text_atomically(dir + "/adapter_config.json", config.dump(2));
  } else {
    nn::hf::save_pretrained(model, dir, model.config().to_json("RobertaForSequenceClassification"),
                            RobertaForSequenceClassification::checkpoint_layout());
  }
}

void load_trained(RobertaForSequenceClassification& model, const std::string& dir) {
  namespace fs = std::filesystem;
  if (fs::exists(dir + "/config.json") && !fs::exists(dir + "/adapter_config.json")) {
    nn::hf::load_pretrained(model, dir, RobertaForSequenceClassification::checkpoint_layout());
    return;
  }
  const std::string config_path = dir + "/adapter_config.json";
  const nlohmann::json config = nlohmann::json::parse(read_text(config_path));
  if (config.value("peft_type", "") != "HARTLEY") {
    adapters::load_peft_adapter(model, dir);
    return;
  }
  adapters::HartleyOptions hartley;
  hartley.n_frequency = config.at("n_frequency").get<int64_t>();
  hartley.scaling = config.at("scaling").get<double>();
  hartley.random_loc_seed = config.at("random_loc_seed").get<uint64_t>();
  hartley.init_weights = true;  // the values come from the file
  inject_hartley(model, config.at("target_modules").get<std::vector<std::string>>(), hartley,
                 nullptr);
  const io::SafetensorsFile file = io::load_safetensors(dir + "/adapter_model.safetensors");
  const auto expected = adapters::peft_state_dict(model, {kHead});
  FFTUNE_CHECK(expected.size() == file.tensors.size(), dir, ": adapter_model.safetensors holds ",
               file.tensors.size(), " tensors, the model expects ", expected.size());
  NoGradGuard no_grad;
  for (const auto& [name, tensor] : expected) {
    auto it = file.tensors.find(name);
    FFTUNE_CHECK(it != file.tensors.end(), dir, ": adapter_model.safetensors lacks ", name);
    FFTUNE_CHECK(it->second.shape() == tensor.shape(), dir, ": ", name, " has shape ",
                 it->second.shape(), ", expected ", tensor.shape());
    Tensor target = tensor;
    target.copy_(it->second);
  }
  model.set_requires_grad(false);
}

}  // namespace roberta_glue
