// Loading a saved adapter's tensors into the model that describes them: the file must hold
// exactly the tensors the model expects (by name) with their shapes, or the load fails with one
// error listing every missing, mis-shaped and unexpected tensor. Shared by the peft format, the
// adapter registry and the example programs' saved methods.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune::adapters {

// Checks `file_tensors` against `expected` (the model's tensors, by their names in the file),
// then copies each file tensor into its model tensor (onto the model tensor's device). `who`
// starts the error message ("load_peft_adapter"), `weights_path` is the file and `described_by`
// says what the model was built from ("the adapter described by adapter_config.json").
void load_state_exactly(const std::vector<std::pair<std::string, Tensor>>& expected,
                        const std::map<std::string, Tensor>& file_tensors, const std::string& who,
                        const std::string& weights_path, const std::string& described_by);

}  // namespace fftune::adapters
