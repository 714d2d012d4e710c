#include "core/threading.h"

#include <omp.h>

#include <cstdlib>
#include <string>

#include "core/error.h"

namespace fftune {
namespace {

int initial_threads() {
  if (const char* env = std::getenv("FFTUNE_NUM_THREADS")) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    FFTUNE_CHECK(end != env && *end == '\0' && n > 0,
                 "FFTUNE_NUM_THREADS must be a positive integer, got '", env, "'");
    omp_set_num_threads(static_cast<int>(n));
    return static_cast<int>(n);
  }
  return omp_get_max_threads();
}

int& thread_setting() {
  static int n = initial_threads();
  return n;
}

}  // namespace

int num_threads() {
  return thread_setting();
}

void set_num_threads(int n) {
  FFTUNE_CHECK(n > 0, "set_num_threads: expected a positive count, got ", n);
  thread_setting() = n;
  omp_set_num_threads(n);
}

}  // namespace fftune
