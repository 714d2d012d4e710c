#include "core/determinism.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace fftune {
namespace {

bool from_environment() {
  const char* value = std::getenv("FFTUNE_DETERMINISTIC");
  return value != nullptr && std::strcmp(value, "") != 0 && std::strcmp(value, "0") != 0;
}

std::atomic<bool>& flag() {
  static std::atomic<bool> on{from_environment()};
  return on;
}

}  // namespace

bool deterministic_algorithms() {
  return flag().load(std::memory_order_relaxed);
}

void set_deterministic_algorithms(bool on) {
  flag().store(on, std::memory_order_relaxed);
}

}  // namespace fftune
