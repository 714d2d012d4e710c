#include "tests/support/test_support.h"

namespace fftune::testing {

std::string fixture_path(const std::string& name) { return std::string(FFTUNE_FIXTURE_DIR) + "/" + name; }

}  // namespace fftune::testing
