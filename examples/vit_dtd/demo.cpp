#include "demo.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "examples/common/atomic_file.h"
#include "examples/common/demo_cache.h"
#include "examples/common/run_folder.h"
#include "examples/vit_dtd/textures.h"
#include "train.h"

namespace vit_dtd {

using namespace fftune;
using nlohmann::json;

namespace {

// Everything that decides the demo's data and backbone (the cache key) and its fine-tuning.
struct DemoSettings {
  int64_t image_size, pretrain_images_per_class, finetune_images_per_class;
  int64_t hidden, layers, heads, intermediate, patch;
  int64_t pretrain_epochs, finetune_epochs, batch_size;
  double pretrain_lr;
  int64_t n;  // FourierFT coefficients per adapted layer
  double alpha, fourierft_lr, lora_lr, head_lr;
  int64_t lora_r;

  json cache_key() const {  // the settings the cached backbone depends on
    return {{"image_size", image_size},
            {"pretrain_images_per_class", pretrain_images_per_class},
            {"hidden", hidden},
            {"layers", layers},
            {"heads", heads},
            {"intermediate", intermediate},
            {"patch", patch},
            {"pretrain_epochs", pretrain_epochs},
            {"batch_size", batch_size},
            {"pretrain_lr", pretrain_lr},
            {"version", 1}};
  }
};

DemoSettings settings_for(const std::string& size) {
  DemoSettings s{};
  s.image_size = 32, s.patch = 8, s.hidden = 64, s.layers = 3, s.heads = 4, s.intermediate = 128;
  // Fine-tuning data as DTD's splits: 40 train, 40 val, 40 test images per class.
  s.pretrain_images_per_class = 300, s.finetune_images_per_class = 120;
  s.pretrain_epochs = 100, s.finetune_epochs = 40, s.batch_size = 32;
  s.pretrain_lr = 3e-3;
  // α keeps ΔW's initial size (coefficients ~ N(0, 1): std α/(d1·d2)·√(n/2)) near the paper's
  // ViT-B setting (α = 300, n = 3000, 768 × 768: 0.02); at hidden 64 and n = 400 that is α ≈ 6.
  s.n = 400, s.alpha = 8.0, s.fourierft_lr = 2e-1, s.lora_lr = 5e-3, s.head_lr = 5e-3;
  s.lora_r = 4;
  if (size == "small") {  // the end-to-end test's: about a third of the work
    s.layers = 2;
    s.pretrain_images_per_class = 210, s.finetune_images_per_class = 90;
    s.pretrain_epochs = 60, s.finetune_epochs = 30;
  }
  return s;
}

// Writes the texture dataset once: <root>/done marks a finished one.
void ensure_textures(const std::string& root, const std::vector<std::string>& classes,
                     int64_t image_size, int64_t images_per_class, uint64_t seed,
                     std::ostream& log) {
  if (std::filesystem::exists(root + "/done")) return;
  log << "generating " << classes.size() * images_per_class << " texture images in " << root
      << "\n";
  vit_dtd::TextureDatasetOptions options;
  options.root = root;
  options.classes = classes;
  options.image_size = image_size;
  options.images_per_class = images_per_class;
  options.num_splits = 1;
  options.seed = seed;
  vit_dtd::write_texture_dataset(options);
  examples::write_file_atomically(root + "/done", "ok\n");
}

}  // namespace

std::vector<RunSummary> run_demo(const Config& config, std::ostream& log) {
  const DemoSettings s = settings_for(config.demo_size);
  const std::string key = examples::hash_hex(s.cache_key().dump());
  const std::string cache =
      examples::cache_root(config.cache_dir, "vit_dtd") + "/vit_dtd_demo-" + key;
  // The demo's folder holds one run folder per method (refused when it holds anything, unless
  // --overwrite).
  examples::start_run_folder(config.out, config.overwrite, {"vit_dtd", "demo", {}, ""});

  // 1. Data: alternate classes go to pre-training and fine-tuning.
  const std::vector<std::string>& all = vit_dtd::texture_classes();
  std::vector<std::string> pretrain_classes, finetune_classes;
  for (size_t i = 0; i < all.size(); ++i)
    (i % 2 == 0 ? pretrain_classes : finetune_classes).push_back(all[i]);
  ensure_textures(cache + "/pretrain_data", pretrain_classes, s.image_size,
                  s.pretrain_images_per_class, 1, log);
  const std::string finetune_data =
      cache + "/finetune_data_" + std::to_string(s.finetune_images_per_class) + "_per_class";
  ensure_textures(finetune_data, finetune_classes, s.image_size, s.finetune_images_per_class, 2,
                  log);

  Config base = config;
  base.demo = false;
  base.split = 1;
  base.batch_size = s.batch_size;
  base.image_size = s.image_size;
  base.crop_scale_min = 0.5;  // 32-pixel textures: torchvision's 0.08 would leave a few pixels
  base.weight_decay = 1e-4;
  base.resume = false;
  base.stop_after_epochs = 0;
  base.stop_after_steps = 0;
  base.overwrite = false;  // each method's run folder is new inside the demo's
  base.given_flags = {};   // the demo sets the methods itself

  // 2. The backbone, pre-trained from scratch on the first half (cached).
  const std::string backbone = cache + "/pretrain_run/adapter/backbone";
  if (std::filesystem::exists(backbone + "/model.safetensors")) {
    log << "backbone: cached in " << backbone << "\n";
  } else {
    nn::ViTConfig vit;
    vit.image_size = s.image_size;
    vit.patch_size = s.patch;
    vit.hidden_size = s.hidden;
    vit.num_hidden_layers = s.layers;
    vit.num_attention_heads = s.heads;
    vit.intermediate_size = s.intermediate;
    Config pre = base;
    pre.scratch_model = vit;
    pre.data_dir = cache + "/pretrain_data";
    pre.adapter = "full";
    pre.lr = s.pretrain_lr;
    pre.head_lr = s.pretrain_lr;
    pre.weight_decay = 0.05;
    pre.epochs = s.pretrain_epochs;
    // 10 warm-up steps: the textures split in equal thirds, so a third of the images train.
    const int64_t train_images =
        static_cast<int64_t>(pretrain_classes.size()) * s.pretrain_images_per_class / 3;
    const int64_t total_steps =
        (train_images + s.batch_size - 1) / s.batch_size * s.pretrain_epochs;
    pre.warmup = 9.5 / static_cast<double>(total_steps);  // ceil(warmup · total_steps) = 10
    pre.seed = 0;
    pre.evaluate_test = false;
    pre.out = cache + "/pretrain_run";
    pre.resume = std::filesystem::exists(pre.out + "/checkpoint.safetensors");
    pre.overwrite = true;  // the cache's own folder: an unfinished pre-training starts afresh
    log << "\n== pre-training a tiny ViT (" << s.layers << " layers, hidden " << s.hidden << ", "
        << s.image_size << "x" << s.image_size << " images, patch " << s.patch
        << ") from scratch on " << pretrain_classes.size() << " texture classes (once; cached)\n";
    const RunSummary r = run_training(pre, log);
    if (r.stopped) return {};
  }

  // 3. Fine-tune on the other half, three ways.
  struct Method {
    std::string adapter;
    double lr;
  };
  const std::vector<Method> methods = {
      {"head", s.head_lr}, {"lora", s.lora_lr}, {"fourierft", s.fourierft_lr}};
  std::vector<RunSummary> rows;
  for (const Method& m : methods) {
    Config fine = base;
    fine.model_dir = backbone;
    fine.data_dir = finetune_data;
    fine.adapter = m.adapter;
    fine.lr = m.lr;
    fine.head_lr = s.head_lr;
    if (m.adapter == "fourierft")
      fine.adapter_options = {{"n_frequency", s.n}, {"scaling", s.alpha}};
    if (m.adapter == "lora")
      fine.adapter_options = {{"r", s.lora_r}, {"lora_alpha", static_cast<double>(s.lora_r)}};
    fine.epochs = s.finetune_epochs;
    fine.out = config.out + "/" + m.adapter;
    log << "\n== fine-tuning on " << finetune_classes.size()
        << " new texture classes: " << m.adapter << "\n";
    rows.push_back(run_training(fine, log));
    if (rows.back().stopped) return rows;
  }

  json results = {
      {"backbone", backbone}, {"finetune_data", finetune_data}, {"runs", json::array()}};
  for (const RunSummary& r : rows)
    results["runs"].push_back({{"method", r.method},
                               {"adapter_params", r.adapter_params},
                               {"adapter_bytes", r.adapter_bytes},
                               {"best_val", r.best_val},
                               {"test_at_best", r.test_at_best},
                               {"wall_s", r.wall_s}});
  examples::write_json_atomically(config.out + "/demo_results.json", results);
  return rows;
}

}  // namespace vit_dtd
