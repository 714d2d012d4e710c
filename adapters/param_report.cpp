#include "adapters/param_report.h"

#include "adapters/inject.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "adapters/linear_layers.h"
#include "adapters/lora_linear.h"
#include "fourierft/fourierft_linear.h"

namespace fftune::adapters {
namespace {

using Layers = std::vector<std::pair<std::string, const nn::Linear*>>;

// peft's rule for a list of target_modules, as the injector applies it (adapters/inject.h).
bool matches_target(const std::string& path, const std::string& target) {
  InjectOptions options;
  options.target_modules = ModulePatterns::list({target});
  return match_target(options, path) == TargetMatch::kYes;
}

int64_t numel_sum(const std::vector<Tensor>& tensors) {
  int64_t total = 0;
  for (const Tensor& t : tensors) total += t.numel();
  return total;
}

// Every parameter of the model except the adapters' (a tied tensor counted once).
int64_t base_param_count(const nn::Module& model, const Layers& linears) {
  std::vector<const TensorImpl*> adapter_params;
  for (const auto& [path, linear] : linears)
    if (linear->adapter())
      for (const Tensor& p : linear->adapter()->parameters()) adapter_params.push_back(p.impl());
  int64_t total = 0;
  for (const auto& [name, p] : model.named_parameters())
    if (std::find(adapter_params.begin(), adapter_params.end(), p.impl()) == adapter_params.end())
      total += p.numel();
  return total;
}

std::string with_commas(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

// Bytes in binary units, as the paper's Table 1 (1.13 MB for 294,912 f32 values).
std::string human_bytes(int64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

// The formula rows for the target layers.
ParamReport formula_report(const nn::Module& model, const Layers& linears, const Layers& targets,
                           const ParamReportSettings& settings) {
  ParamReport report;
  report.base_params = base_param_count(model, linears);
  for (const auto& [path, linear] : targets) report.targets.push_back(path);
  for (int64_t n : settings.fourierft_n) {
    FFTUNE_CHECK(n > 0, "param_report: FourierFT n must be positive, got ", n);
    for (const auto& [path, linear] : targets)
      FFTUNE_CHECK(n <= linear->out_features() * linear->in_features(), "param_report: n = ", n,
                   " exceeds the ", linear->out_features(), " x ", linear->in_features(),
                   " spectrum of '", path, "'");
    const int64_t count = n * static_cast<int64_t>(targets.size());
    report.rows.push_back({"FourierFT", "n = " + std::to_string(n), count, count * kBytesPerParam});
  }
  for (int64_t r : settings.lora_r) {
    FFTUNE_CHECK(r > 0, "param_report: LoRA r must be positive, got ", r);
    int64_t count = 0;
    for (const auto& [path, linear] : targets)
      count += r * (linear->in_features() + linear->out_features());
    report.rows.push_back({"LoRA", "r = " + std::to_string(r), count, count * kBytesPerParam});
  }
  if (settings.full_fine_tuning)
    report.rows.push_back(
        {"full fine-tuning", "", report.base_params, report.base_params * kBytesPerParam});
  return report;
}

// "n = 1000" / "r = 8" for the adapters fftune knows, "" for others.
std::string adapter_setting(const nn::LinearAdapter& adapter) {
  if (const auto* f = dynamic_cast<const fourierft::FourierFTLinear*>(&adapter))
    return "n = " + std::to_string(f->options().n_frequency);
  if (const auto* l = dynamic_cast<const LoRALinear*>(&adapter))
    return "r = " + std::to_string(l->options().r);
  return "";
}

}  // namespace

ParamReport param_report(const nn::Module& model, const std::vector<std::string>& target_modules,
                         const ParamReportSettings& settings) {
  const Layers linears = named_linears(model);
  Layers targets;
  for (const auto& layer : linears)
    if (std::any_of(target_modules.begin(), target_modules.end(),
                    [&](const std::string& t) { return matches_target(layer.first, t); }))
      targets.push_back(layer);
  for (const std::string& t : target_modules)
    FFTUNE_CHECK(std::any_of(linears.begin(), linears.end(),
                             [&](const auto& l) { return matches_target(l.first, t); }),
                 "param_report: target '", t, "' matches no Linear layer of the model");
  return formula_report(model, linears, targets, settings);
}

ParamReport param_report(const nn::Module& model, const ParamReportSettings& settings) {
  const Layers linears = named_linears(model);
  Layers targets;
  for (const auto& [path, linear] : linears)
    if (linear->adapter()) targets.emplace_back(path, linear);
  FFTUNE_CHECK(!targets.empty(), "param_report: the model has no adapters attached");
  ParamReport report = formula_report(model, linears, targets, settings);
  // One measured row per method, in order of first appearance; the settings seen, joined.
  std::vector<MethodCost> attached;
  for (const auto& [path, linear] : targets) {
    const nn::LinearAdapter& adapter = *linear->adapter();
    auto row = std::find_if(attached.begin(), attached.end(),
                            [&](const MethodCost& c) { return c.method == adapter.method(); });
    if (row == attached.end()) {
      attached.push_back({adapter.method(), "", 0, 0, true});
      row = attached.end() - 1;
    }
    const std::string setting = adapter_setting(adapter);
    if (!setting.empty() && row->setting.find(setting) == std::string::npos)
      row->setting += (row->setting.empty() ? "" : ", ") + setting;
    row->trainable_params += numel_sum(adapter.parameters(/*trainable_only=*/true));
    row->storage_bytes += numel_sum(adapter.parameters()) * kBytesPerParam;
  }
  report.rows.insert(report.rows.end(), attached.begin(), attached.end());
  return report;
}

std::string to_markdown(const ParamReport& report) {
  std::ostringstream out;
  out << report.targets.size() << " target Linear layers; base model "
      << with_commas(report.base_params) << " parameters; storage at f32 (" << kBytesPerParam
      << " bytes per parameter).\n\n";
  out << "| method | setting | trainable params | storage (bytes) | storage |\n";
  out << "|---|---|---:|---:|---:|\n";
  for (const MethodCost& row : report.rows) {
    out << "| " << row.method << (row.attached ? " (attached)" : "") << " | " << row.setting
        << " | " << with_commas(row.trainable_params) << " | " << with_commas(row.storage_bytes)
        << " | " << human_bytes(row.storage_bytes) << " |\n";
  }
  return out.str();
}

}  // namespace fftune::adapters
