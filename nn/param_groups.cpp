#include "nn/param_groups.h"

#include <sstream>

namespace fftune::nn {

std::vector<ParamGroup> param_groups_by_pattern(const Module& model,
                                                const std::vector<GroupSpec>& specs) {
  FFTUNE_CHECK(!specs.empty(), "param_groups_by_pattern: no group specs");
  std::vector<ParamGroup> groups;
  for (const GroupSpec& s : specs) groups.push_back({{}, s.lr, s.weight_decay});
  std::vector<std::string> unmatched;
  for (const auto& [name, p] : model.named_parameters()) {
    if (!p.requires_grad()) continue;
    size_t g = 0;
    while (g < specs.size() && !name_matches(name, specs[g].pattern)) ++g;
    if (g == specs.size())
      unmatched.push_back(name);
    else
      groups[g].params.push_back(p);
  }
  if (!unmatched.empty()) {
    std::ostringstream os;
    for (const std::string& n : unmatched) os << "\n  " << n;
    FFTUNE_FAIL(
        "param_groups_by_pattern: ", unmatched.size(),
        " trainable parameter(s) match no group pattern (freeze them or add a group):", os.str());
  }
  for (size_t g = 0; g < specs.size(); ++g)
    FFTUNE_CHECK(!groups[g].params.empty(), "param_groups_by_pattern: pattern '", specs[g].pattern,
                 "' (group ", g, ") matches no trainable parameter");
  return groups;
}

}  // namespace fftune::nn
