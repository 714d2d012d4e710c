#include "checkpoint.h"

#include <filesystem>
#include <map>
#include <utility>
#include <vector>

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/safetensors.h"

namespace roberta_glue {

using namespace fftune;

namespace {

Tensor scalar_i64(int64_t v) {
  return from_vector(std::vector<int64_t>{v}, {1});
}
Tensor scalar_f64(double v) {
  return from_vector(std::vector<double>{v}, {1});
}

// The entries of `all` whose names start with `prefix`, with the prefix removed.
std::map<std::string, Tensor> with_prefix(const std::map<std::string, Tensor>& all,
                                          const std::string& prefix) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, t] : all)
    if (name.rfind(prefix, 0) == 0) out.emplace(name.substr(prefix.size()), t);
  return out;
}

const Tensor& required(const std::map<std::string, Tensor>& all, const std::string& name,
                       const std::string& path) {
  auto it = all.find(name);
  FFTUNE_CHECK(it != all.end(), path, ": checkpoint lacks ", name);
  return it->second;
}

}  // namespace

void save_checkpoint(const std::string& path, const nn::Module& model,
                     const nn::Optimizer& optimizer, const nn::LRScheduler& scheduler,
                     const Progress& progress) {
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& [name, t] : model.named_parameters())
    if (t.requires_grad()) tensors.emplace_back("model." + name, t.contiguous());
  for (const auto& [name, t] : optimizer.state_dict()) tensors.emplace_back("optimizer." + name, t);
  for (const auto& [name, t] : scheduler.state_dict()) tensors.emplace_back("scheduler." + name, t);
  tensors.emplace_back("progress.epoch", scalar_i64(progress.epoch));
  tensors.emplace_back("progress.next_batch", scalar_i64(progress.next_batch));
  tensors.emplace_back("progress.step", scalar_i64(progress.step));
  tensors.emplace_back("progress.loss_sum", scalar_f64(progress.loss_sum));
  tensors.emplace_back("progress.loss_batches", scalar_i64(progress.loss_batches));
  tensors.emplace_back("progress.best_metric", scalar_f64(progress.best_metric));
  tensors.emplace_back("progress.best_epoch", scalar_i64(progress.best_epoch));
  tensors.emplace_back("progress.dropout_stream",
                       scalar_i64(static_cast<int64_t>(progress.dropout_stream)));
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const std::string tmp = path + ".tmp";
  io::save_safetensors(tmp, tensors);
  std::filesystem::rename(tmp, path);
}

Progress load_checkpoint(const std::string& path, nn::Module& model, nn::Optimizer& optimizer,
                         nn::LRScheduler& scheduler) {
  FFTUNE_CHECK(std::filesystem::exists(path), "--resume: no checkpoint at ", path);
  const io::SafetensorsFile file = io::load_safetensors(path);
  const std::map<std::string, Tensor> params = with_prefix(file.tensors, "model.");
  {
    NoGradGuard no_grad;
    for (const auto& [name, t] : model.named_parameters()) {
      if (!t.requires_grad()) continue;
      const Tensor& saved = required(params, name, path);
      FFTUNE_CHECK(saved.shape() == t.shape(), path, ": ", name, " has shape ", saved.shape(),
                   ", the model's is ", t.shape(), " (same --adapter and options?)");
      Tensor target = t;
      target.copy_(saved);
    }
  }
  optimizer.load_state_dict(with_prefix(file.tensors, "optimizer."));
  scheduler.load_state_dict(with_prefix(file.tensors, "scheduler."));
  const auto i64 = [&](const std::string& name) {
    return to_vector<int64_t>(required(file.tensors, "progress." + name, path))[0];
  };
  const auto f64 = [&](const std::string& name) {
    return to_vector<double>(required(file.tensors, "progress." + name, path))[0];
  };
  Progress p;
  p.epoch = i64("epoch");
  p.next_batch = i64("next_batch");
  p.step = i64("step");
  p.loss_sum = f64("loss_sum");
  p.loss_batches = i64("loss_batches");
  p.best_metric = f64("best_metric");
  p.best_epoch = i64("best_epoch");
  p.dropout_stream = static_cast<uint64_t>(i64("dropout_stream"));
  return p;
}

}  // namespace roberta_glue
