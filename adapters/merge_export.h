// save_merged: export a fine-tuned model as a plain checkpoint — each adapted Linear's weight
// replaced by W0 + ΔW, the adapters' own parameters left out — so that a loader with no adapter
// code (HF transformers' from_pretrained) reads it as the base architecture.
#pragma once

#include <functional>
#include <string>

#include "nn/module.h"

namespace fftune::adapters {

// Maps a parameter's fftune name ("encoder.layer.0.attention.query.weight") to its name in the
// checkpoint to write; an empty result leaves the parameter out.
using NameMap = std::function<std::string(const std::string&)>;

// Writes every parameter of `model` to `path` (safetensors, atomically), in named_parameters
// order under its own name or name_map's:
//   - the weight of a Linear with an unmerged adapter as W0 + ΔW, computed out of place in the
//     weight's dtype (the live W0 is not modified; a merged layer's weight already holds it);
//   - the adapters' parameters ("….adapter.…") not at all;
//   - every other parameter as it is.
// Metadata {"format": "pt"}, as transformers writes. Two parameters mapped to one name is an
// error.
void save_merged(const nn::Module& model, const std::string& path,
                 const NameMap& name_map = nullptr);

}  // namespace fftune::adapters
