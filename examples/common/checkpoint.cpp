#include "examples/common/checkpoint.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include "core/autograd/grad_mode.h"
#include "core/error.h"
#include "core/io/safetensors.h"
#include "examples/common/atomic_file.h"

namespace fftune::examples {
namespace {

constexpr const char* kFormatKey = "fftune_checkpoint";
constexpr const char* kFormatVersion = "1";

// "%.17g" round-trips every double exactly.
std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

template <typename T>
T parse_number(const std::map<std::string, std::string>& metadata, const std::string& key,
               const std::string& path) {
  auto it = metadata.find(key);
  FFTUNE_CHECK(it != metadata.end(), "checkpoint ", path, ": metadata '", key, "' is missing");
  const std::string& s = it->second;
  T value{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  FFTUNE_CHECK(ec == std::errc() && ptr == s.data() + s.size() && !s.empty(), "checkpoint ", path,
               ": metadata '", key, "' is not a number: '", s, "'");
  return value;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// The entries of `tensors` under `prefix`, with the prefix removed.
std::map<std::string, Tensor> with_prefix(const std::map<std::string, Tensor>& tensors,
                                          const std::string& prefix) {
  std::map<std::string, Tensor> out;
  for (const auto& [key, t] : tensors)
    if (starts_with(key, prefix)) out[key.substr(prefix.size())] = t;
  return out;
}

std::vector<std::pair<std::string, Tensor>> trainable_parameters(const nn::Module& model) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [name, p] : model.named_parameters())
    if (p.requires_grad()) out.emplace_back(name, p);
  return out;
}

void check_parts(const CheckpointParts& parts, const char* op) {
  FFTUNE_CHECK(parts.model && parts.optimizer, op, ": the model and the optimizer are required");
  std::set<std::string> names;
  for (const auto& [name, gen] : parts.generators) {
    FFTUNE_CHECK(gen, op, ": generator '", name, "' is null");
    FFTUNE_CHECK(names.insert(name).second, op, ": generator '", name, "' is listed twice");
  }
}

}  // namespace

std::string checkpoint_path(const std::string& out_dir) {
  return (std::filesystem::path(out_dir) / "checkpoint.safetensors").string();
}

void save_checkpoint(const std::string& path, const CheckpointParts& parts,
                     const TrainingProgress& progress, const RunIdentity& identity) {
  check_parts(parts, "save_checkpoint");
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& [name, p] : trainable_parameters(*parts.model))
    tensors.emplace_back("model." + name, p.detach());
  for (const auto& [key, t] : parts.optimizer->state_dict())
    tensors.emplace_back("optimizer." + key, t);
  if (parts.scheduler)
    for (const auto& [key, t] : parts.scheduler->state_dict())
      tensors.emplace_back("scheduler." + key, t);

  std::map<std::string, std::string> metadata = {
      {kFormatKey, kFormatVersion},
      {"epoch", std::to_string(progress.epoch)},
      {"batch_in_epoch", std::to_string(progress.batch_in_epoch)},
      {"step", std::to_string(progress.step)},
      {"best_metric", std::isnan(progress.best_metric) ? "none" : exact(progress.best_metric)},
      {"best_epoch", std::to_string(progress.best_epoch)},
      {"loss_sum", exact(progress.loss_sum)},
      {"loss_batches", std::to_string(progress.loss_batches)},
      {"elapsed_s", exact(progress.elapsed_s)},
      {"program", identity.program},
  };
  for (const auto& [name, value] : progress.best_metrics) metadata["best." + name] = exact(value);
  for (const auto& [name, gen] : parts.generators) {
    metadata["rng." + name + ".seed"] = std::to_string(gen->seed());
    metadata["rng." + name + ".stream"] = std::to_string(gen->stream_position());
  }
  for (const auto& [key, value] : identity.flags) metadata["flag." + key] = value;
  for (const auto& [key, value] : identity.fingerprints) metadata["fingerprint." + key] = value;
  for (const auto& [key, value] : identity.paths) metadata["path." + key] = value;
  io::save_safetensors(path, tensors, metadata);
  fsync_directory(std::filesystem::path(path).parent_path().empty()
                      ? std::string(".")
                      : std::filesystem::path(path).parent_path().string());
}

LoadedCheckpoint load_checkpoint(const std::string& path, const CheckpointParts& parts,
                                 const RunIdentity* expected) {
  check_parts(parts, "load_checkpoint");
  FFTUNE_CHECK(std::filesystem::exists(path), "checkpoint ", path,
               " does not exist (nothing to resume: run without --resume)");
  const io::SafetensorsFile file = io::load_safetensors(path);
  const auto& meta = file.metadata;
  auto format = meta.find(kFormatKey);
  FFTUNE_CHECK(format != meta.end(), "checkpoint ", path,
               ": not an fftune training checkpoint (no '", kFormatKey, "' metadata)");
  FFTUNE_CHECK(format->second == kFormatVersion, "checkpoint ", path, ": format version ",
               format->second, ", this build reads version ", kFormatVersion);

  // ---- check everything first: the identity, then the progress record, then the tensors ----
  LoadedCheckpoint out;
  for (const auto& [key, value] : meta) {
    if (key == "program") out.identity.program = value;
    if (starts_with(key, "flag.")) out.identity.flags[key.substr(5)] = value;
    if (starts_with(key, "fingerprint.")) out.identity.fingerprints[key.substr(12)] = value;
    if (starts_with(key, "path.")) out.identity.paths[key.substr(5)] = value;
  }
  if (expected) out.warnings = check_same_run(out.identity, *expected, path);
  TrainingProgress& progress = out.progress;
  progress.epoch = parse_number<int64_t>(meta, "epoch", path);
  progress.batch_in_epoch = parse_number<int64_t>(meta, "batch_in_epoch", path);
  progress.step = parse_number<int64_t>(meta, "step", path);
  progress.best_epoch = parse_number<int64_t>(meta, "best_epoch", path);
  auto best = meta.find("best_metric");
  FFTUNE_CHECK(best != meta.end(), "checkpoint ", path, ": metadata 'best_metric' is missing");
  progress.best_metric = best->second == "none" ? std::numeric_limits<double>::quiet_NaN()
                                                : parse_number<double>(meta, "best_metric", path);
  progress.loss_sum = parse_number<double>(meta, "loss_sum", path);
  progress.loss_batches = parse_number<int64_t>(meta, "loss_batches", path);
  progress.elapsed_s = parse_number<double>(meta, "elapsed_s", path);
  for (const auto& [key, value] : meta)
    if (starts_with(key, "best."))
      progress.best_metrics[key.substr(5)] = parse_number<double>(meta, key, path);
  FFTUNE_CHECK(progress.epoch >= 0 && progress.batch_in_epoch >= 0 && progress.step >= 0,
               "checkpoint ", path, ": negative counters (epoch ", progress.epoch, ", batch ",
               progress.batch_in_epoch, ", step ", progress.step, ")");

  std::vector<std::pair<uint64_t, uint64_t>> rng_states;  // (seed, stream) per parts.generators
  std::set<std::string> rng_names;
  for (const auto& [name, gen] : parts.generators) {
    FFTUNE_CHECK(meta.count("rng." + name + ".seed"), "checkpoint ", path,
                 ": it holds no state for generator '", name, "', which this run has");
    // Two statements: the order of evaluation of function arguments is unspecified.
    const auto seed = parse_number<uint64_t>(meta, "rng." + name + ".seed", path);
    const auto stream = parse_number<uint64_t>(meta, "rng." + name + ".stream", path);
    rng_states.emplace_back(seed, stream);
    rng_names.insert(name);
  }
  for (const auto& [key, value] : meta) {
    if (starts_with(key, "rng.")) {
      const std::string name = key.substr(4, key.rfind('.') - 4);
      FFTUNE_CHECK(rng_names.count(name), "checkpoint ", path, ": it holds generator '", name,
                   "', which this run does not have");
    }
  }

  // Tensors: every key under one of the three prefixes.
  for (const auto& [key, t] : file.tensors)
    FFTUNE_CHECK(starts_with(key, "model.") || starts_with(key, "optimizer.") ||
                     starts_with(key, "scheduler."),
                 "checkpoint ", path, ": unexpected tensor '", key, "'");
  const std::map<std::string, Tensor> model_state = with_prefix(file.tensors, "model.");
  const auto params = trainable_parameters(*parts.model);
  std::set<std::string> param_names;
  for (const auto& [name, p] : params) {
    param_names.insert(name);
    auto it = model_state.find(name);
    FFTUNE_CHECK(it != model_state.end(), "checkpoint ", path, ": trainable parameter '", name,
                 "' is missing (a checkpoint of another adapter or model?)");
    FFTUNE_CHECK(it->second.shape() == p.shape() && it->second.dtype() == p.dtype(), "checkpoint ",
                 path, ": parameter '", name, "' is ", it->second.dtype(), " ", it->second.shape(),
                 " in the file but ", p.dtype(), " ", p.shape(), " in the model");
  }
  for (const auto& [name, t] : model_state)
    FFTUNE_CHECK(param_names.count(name), "checkpoint ", path, ": parameter '", name,
                 "' is not a trainable parameter of this model (a checkpoint of another adapter "
                 "or other target modules?)");
  const std::map<std::string, Tensor> scheduler_state = with_prefix(file.tensors, "scheduler.");
  FFTUNE_CHECK(parts.scheduler || scheduler_state.empty(), "checkpoint ", path,
               ": it holds a learning-rate scheduler's state but this run has no scheduler");
  FFTUNE_CHECK(!parts.scheduler || !scheduler_state.empty(), "checkpoint ", path,
               ": this run has a learning-rate scheduler but the checkpoint holds no state for it");

  // ---- restore. The optimizer and the scheduler check their own state; should the second
  // refuse after the first has loaded, both are put back as they were, and the model has not
  // been touched yet. ----
  const std::map<std::string, Tensor> optimizer_before = parts.optimizer->state_dict();
  std::map<std::string, Tensor> scheduler_before;
  if (parts.scheduler) scheduler_before = parts.scheduler->state_dict();
  try {
    parts.optimizer->load_state_dict(with_prefix(file.tensors, "optimizer."));
    if (parts.scheduler) parts.scheduler->load_state_dict(scheduler_state);
  } catch (const Error& e) {
    parts.optimizer->load_state_dict(optimizer_before);
    if (parts.scheduler) parts.scheduler->load_state_dict(scheduler_before);
    FFTUNE_FAIL("checkpoint ", path, ": ", e.what());
  }
  {
    NoGradGuard no_grad;
    for (const auto& [name, p] : params) {
      Tensor target = p;  // a handle to the parameter's storage
      target.copy_(model_state.at(name).to(p.device()));
    }
  }
  for (size_t i = 0; i < parts.generators.size(); ++i) {
    Generator* gen = parts.generators[i].second;
    gen->manual_seed(rng_states[i].first);
    gen->set_stream_position(rng_states[i].second);
  }
  return out;
}

std::string check_same_run(const RunIdentity& saved, const RunIdentity& expected,
                           const std::string& path) {
  FFTUNE_CHECK(saved.program == expected.program, "checkpoint ", path, " was written by ",
               saved.program.empty() ? std::string("an unknown program") : saved.program,
               ", not by ", expected.program, ": it cannot be resumed here");
  std::string differences;
  const auto compare = [&](const char* what, const std::map<std::string, std::string>& was,
                           const std::map<std::string, std::string>& now) {
    std::set<std::string> keys;
    for (const auto& [key, value] : was) keys.insert(key);
    for (const auto& [key, value] : now) keys.insert(key);
    for (const std::string& key : keys) {
      auto a = was.find(key), b = now.find(key);
      const std::string before = a == was.end() ? "(absent)" : a->second;
      const std::string after = b == now.end() ? "(absent)" : b->second;
      if (before != after)
        differences +=
            "\n  " + std::string(what) + key + ": checkpoint " + before + ", now " + after;
    }
  };
  compare("--", saved.flags, expected.flags);
  // Another input names its paths too: "content of the data: checkpoint 1f.. (/a), now 9c.. (/b)".
  const auto described = [](const RunIdentity& id, const std::string& key) {
    auto f = id.fingerprints.find(key);
    if (f == id.fingerprints.end()) return std::string("(absent)");
    auto p = id.paths.find(key);
    return f->second + (p == id.paths.end() ? "" : " (" + p->second + ")");
  };
  std::set<std::string> inputs;
  for (const auto& [key, value] : saved.fingerprints) inputs.insert(key);
  for (const auto& [key, value] : expected.fingerprints) inputs.insert(key);
  for (const std::string& key : inputs) {
    auto a = saved.fingerprints.find(key), b = expected.fingerprints.find(key);
    const bool same =
        a != saved.fingerprints.end() && b != expected.fingerprints.end() && a->second == b->second;
    if (!same)
      differences += "\n  content of the " + key + ": checkpoint " + described(saved, key) +
                     ", now " + described(expected, key);
  }
  std::string warnings;
  for (const auto& [key, now] : expected.paths) {
    auto it = saved.paths.find(key);
    const std::string before = it == saved.paths.end() ? "(absent)" : it->second;
    if (before == now) continue;
    auto a = saved.fingerprints.find(key), b = expected.fingerprints.find(key);
    if (a != saved.fingerprints.end() && b != expected.fingerprints.end() && a->second != b->second)
      continue;  // named above
    if (a != saved.fingerprints.end() && b != expected.fingerprints.end())
      warnings += "warning: the " + key + " moved: checkpoint " + before + ", now " + now +
                  " (same content)\n";
    else
      differences += "\n  path of the " + key + ": checkpoint " + before + ", now " + now;
  }
  FFTUNE_CHECK(differences.empty(), "checkpoint ", path,
               " was made with other settings or inputs; resume with the same ones, or start "
               "afresh in another --out:",
               differences);
  return warnings;
}

}  // namespace fftune::examples
