// Parameter groups by name pattern: what FourierFT training needs, where the spectral
// coefficients learn at a rate 10–100× the head's (Note [name patterns] in nn/module.h).
//
//   auto groups = param_groups_by_pattern(model, {{"fourierft_spectrum", 5e-2, 0.0},
//                                                 {"classifier", 5e-4, 0.01}});
//   AdamW optimizer(groups);  // betas and eps from AdamWOptions, lr/weight decay per group
#pragma once

#include <string>
#include <vector>

#include "nn/module.h"
#include "nn/optimizer.h"

namespace fftune::nn {

struct GroupSpec {
  std::string pattern;  // Note [name patterns]
  double lr = 1e-3;
  double weight_decay = 0.0;
};

// One group per spec, in the order given, holding the trainable parameters (requires_grad) of
// `model` whose names match it; a parameter matching several specs goes to the first. Errors,
// naming the culprits: a spec that gets no parameter; a trainable parameter that matches no spec
// (freeze it, or add a spec such as {"re:.*", lr, wd} last to catch the rest).
std::vector<ParamGroup> param_groups_by_pattern(const Module& model,
                                                const std::vector<GroupSpec>& specs);

}  // namespace fftune::nn
