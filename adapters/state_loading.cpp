#include "adapters/state_loading.h"

#include <set>
#include <sstream>

#include "core/autograd/grad_mode.h"
#include "core/error.h"

namespace fftune::adapters {

void load_state_exactly(const std::vector<std::pair<std::string, Tensor>>& expected,
                        const std::map<std::string, Tensor>& file_tensors, const std::string& who,
                        const std::string& weights_path, const std::string& described_by) {
  std::ostringstream problems;
  int64_t count = 0;
  std::set<std::string> expected_names;
  for (const auto& [name, t] : expected) {
    expected_names.insert(name);
    auto it = file_tensors.find(name);
    if (it == file_tensors.end()) {
      problems << "\n  missing tensor " << name << " (expected shape " << t.shape() << ")";
      ++count;
    } else if (it->second.shape() != t.shape()) {
      problems << "\n  shape mismatch for " << name << ": the file has " << it->second.shape()
               << ", the model expects " << t.shape();
      ++count;
    }
  }
  for (const auto& [name, t] : file_tensors)
    if (expected_names.count(name) == 0) {
      problems << "\n  unexpected tensor " << name << " " << t.shape()
               << " (no such adapter or module to save in the model)";
      ++count;
    }
  FFTUNE_CHECK(count == 0, who, ": ", weights_path, " does not fit ", described_by, " (", count,
               " problem", count == 1 ? "" : "s", "):", problems.str());
  NoGradGuard no_grad;
  for (const auto& [name, t] : expected) {
    Tensor target = t;
    target.copy_(file_tensors.at(name).to(t.device()));
  }
}

}  // namespace fftune::adapters
