// named_linears: every nn::Linear of a model with its path ("encoder.layer.0.attention.query"),
// for the code that works per adapted layer (param_report, merge_export).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nn/linear.h"

namespace fftune::adapters {

// Depth first in registration order, as Module::named_modules. The search does not descend into
// a Linear (its only child is its adapter). `model` itself is included (path "") if it is one.
std::vector<std::pair<std::string, const nn::Linear*>> named_linears(const nn::Module& model);

}  // namespace fftune::adapters
