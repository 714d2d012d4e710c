#include "examples/common/demo_cache.h"

#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "examples/common/atomic_file.h"

namespace fftune::examples {

namespace {

std::string cache_location(const std::string& override_dir, const std::string& program) {
  if (!override_dir.empty()) return override_dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0')
    return std::string(xdg) + "/fftune";
  const char* home = std::getenv("HOME");
  FFTUNE_CHECK(home != nullptr && *home != '\0', program,
               " --demo: neither XDG_CACHE_HOME nor HOME is set; pass --cache-dir DIR");
  return std::string(home) + "/.cache/fftune";
}

}  // namespace

std::string cache_root(const std::string& override_dir, const std::string& program) {
  const std::string root = cache_location(override_dir, program);
  ensure_writable_directory(root, "--cache-dir");
  return root;
}

std::string hash_hex(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace fftune::examples
