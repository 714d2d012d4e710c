#include "adapters/merge_export.h"

#include <algorithm>
#include <set>

#include "adapters/linear_layers.h"
#include "core/io/safetensors.h"
#include "ops/ops.h"

namespace fftune::adapters {

void save_merged(const nn::Module& model, const std::string& path, const NameMap& name_map) {
  NoGradGuard no_grad;
  std::vector<const TensorImpl*> adapter_params;
  std::vector<std::pair<const TensorImpl*, Tensor>> merged_weights;  // W0 -> W0 + ΔW
  for (const auto& [layer_path, linear] : named_linears(model)) {
    if (!linear->adapter()) continue;
    for (const Tensor& p : linear->adapter()->parameters()) adapter_params.push_back(p.impl());
    if (!linear->merged()) {
      const Tensor& w0 = linear->weight();  // (out, in)
      merged_weights.emplace_back(w0.impl(),
                                  add(w0, linear->adapter()->delta_weight().to(w0.dtype())));
    }
  }

  std::vector<std::pair<std::string, Tensor>> out;
  std::set<std::string> written;
  for (const auto& [name, p] : model.named_parameters()) {
    if (std::find(adapter_params.begin(), adapter_params.end(), p.impl()) != adapter_params.end())
      continue;
    const std::string key = name_map ? name_map(name) : name;
    if (key.empty()) continue;
    FFTUNE_CHECK(written.insert(key).second, "save_merged: two parameters are saved as '", key,
                 "' (the second is '", name, "')");
    const auto* impl = p.impl();  // a lambda may not capture a structured binding (C++20, clang)
    auto merged = std::find_if(merged_weights.begin(), merged_weights.end(),
                               [&](const auto& m) { return m.first == impl; });
    out.emplace_back(key, merged != merged_weights.end() ? merged->second : p);
  }
  io::save_safetensors(path, out, {{"format", "pt"}});
}

}  // namespace fftune::adapters
