#include "trained_model.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "adapters/linear_layers.h"
#include "adapters/merge_export.h"
#include "adapters/param_report.h"
#include "core/error.h"
#include "core/io/file.h"

namespace fftune::examples {

std::string parameter_table(const nn::Module& model, const Method& method) {
  bool attached = false;
  int64_t smallest = 0;  // the smallest spectrum (out · in) among the Linear layers
  for (const auto& [path, linear] : adapters::named_linears(model)) {
    attached = attached || linear->adapter() != nullptr;
    const int64_t size = linear->out_features() * linear->in_features();
    smallest = smallest == 0 ? size : std::min(smallest, size);
  }
  adapters::ParamReportSettings settings;  // the paper's n = 1000, where the layers hold it
  settings.fourierft_n = {std::min<int64_t>(1000, smallest)};
  const adapters::ParamReport report =
      attached ? adapters::param_report(model, settings)
               : adapters::param_report(model, method.target_modules, settings);
  return adapters::to_markdown(report);
}

void export_merged(const nn::Module& model, const std::string& dir, const nlohmann::json& config,
                   const nn::hf::CheckpointLayout& layout) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  FFTUNE_CHECK(!ec, "--export-merged: cannot create ", dir, ": ", ec.message());
  adapters::save_merged(model, dir + "/model.safetensors", [&](const std::string& name) {
    const bool tied = std::any_of(layout.tied.begin(), layout.tied.end(),
                                  [&](const std::string& t) { return nn::name_matches(name, t); });
    return tied ? std::string() : name;
  });
  io::write_file_atomically(dir + "/config.json", config.dump(2) + "\n");
}

}  // namespace fftune::examples
