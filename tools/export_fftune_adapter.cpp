// Writes adapters saved by fftune into tests/fixtures/peft/fftune_saved/<method>/ for the
// fftune -> peft check of tools/gen_fourierft_fixtures.py (which loads them with
// PeftModel.from_pretrained and compares peft's ΔW with the one recorded here), and for
// tests/fixture/test_peft_adapters.cpp.
//
//   build/tools/export_fftune_adapter [fixture dir, default tests/fixtures]
//
// The model is tests/fixtures/peft/base.safetensors as a tree of Linear layers. Each adapter uses
// settings peft's golden adapters do not (FourierFT: a regex target, exclude_modules, other
// seeds and sizes; LoRA: layers_to_transform, rank/alpha patterns, rsLoRA), with values drawn by
// fftune, and the classifier (a module to save) perturbed.
// Next to adapter_config.json and adapter_model.safetensors it writes delta_weights.safetensors:
// fftune's ΔW (out, in) per adapted layer, named by the layer.
#include <cstdio>
#include <string>

#include "adapters/peft_format.h"
#include "core/autograd/grad_mode.h"
#include "core/io/safetensors.h"
#include "nn/module_tree.h"

namespace fftune::adapters {
namespace {

void perturb_classifier(nn::Module& model, Generator& gen) {
  NoGradGuard no_grad;
  for (const auto& [name, p] : model.named_parameters())
    if (name.rfind("classifier.", 0) == 0) {
      Tensor t = p;
      add_(t, mul(randn(t.shape(), t.dtype(), t.device(), &gen), 0.01));
    }
}

void write_deltas(nn::Module& model, const std::vector<std::string>& adapted,
                  const std::string& path) {
  std::vector<std::pair<std::string, Tensor>> deltas;
  NoGradGuard no_grad;
  for (const auto& [name, m] : model.named_modules())
    for (const std::string& a : adapted)
      if (name == a)
        deltas.emplace_back(name, dynamic_cast<nn::Linear&>(*m).adapter()->delta_weight());
  io::save_safetensors(path, deltas, {{"generator", "tools/export_fftune_adapter.cpp"}});
}

void export_fourierft(const std::string& fixtures) {
  auto model = nn::linear_tree(fixtures + "/peft/base.safetensors");
  FourierFTConfig config;
  config.task_type = "SEQ_CLS";
  config.target_modules = ModulePatterns::full_match(R"(.*\.attention\.self\.(query|value))");
  config.exclude_modules = ModulePatterns::list({"layer.0.attention.self.value"});
  config.n_frequency = 40;
  config.scaling = 150.0;
  config.random_loc_seed = 2024;
  config.n_frequency_pattern = {{"query", 25}};
  Generator gen(11);
  const auto adapted = inject_fourierft(*model, config, &gen);
  perturb_classifier(*model, gen);
  const std::string dir = fixtures + "/peft/fftune_saved/fourierft";
  save_peft_adapter(*model, dir, config);
  write_deltas(*model, adapted, dir + "/delta_weights.safetensors");
  std::printf("fourierft: %zu layers -> %s\n", adapted.size(), dir.c_str());
}

void export_lora(const std::string& fixtures) {
  auto model = nn::linear_tree(fixtures + "/peft/base.safetensors");
  LoRAConfig config;
  config.task_type = "SEQ_CLS";
  config.target_modules = ModulePatterns::list({"value", "dense"});
  config.layers_to_transform = {1};
  config.r = 4;
  config.lora_alpha = 8.0;
  config.use_rslora = true;
  config.init_lora_weights = false;  // B random too, so that ΔW is not zero
  config.rank_pattern = {{"intermediate.dense", 2}};
  config.alpha_pattern = {{"value", 16.0}};
  Generator gen(12);
  const auto adapted = inject_lora(*model, config, &gen);
  perturb_classifier(*model, gen);
  const std::string dir = fixtures + "/peft/fftune_saved/lora";
  save_peft_adapter(*model, dir, config);
  write_deltas(*model, adapted, dir + "/delta_weights.safetensors");
  std::printf("lora: %zu layers -> %s\n", adapted.size(), dir.c_str());
}

}  // namespace
}  // namespace fftune::adapters

int main(int argc, char** argv) {
  const std::string fixtures = argc > 1 ? argv[1] : "tests/fixtures";
  try {
    fftune::adapters::export_fourierft(fixtures);
    fftune::adapters::export_lora(fixtures);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "export_fftune_adapter: %s\n", e.what());
    return 1;
  }
  return 0;
}
