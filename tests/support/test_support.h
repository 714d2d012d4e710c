// Shared helpers for the GoogleTest suite.
#pragma once

#include <string>

namespace fftune::testing {

// Absolute path of a file under tests/fixtures/.
std::string fixture_path(const std::string& name);

}  // namespace fftune::testing
