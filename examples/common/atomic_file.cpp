#include "examples/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>

#include "core/error.h"

namespace fftune::examples {

namespace fs = std::filesystem;

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

void write_json_atomically(const std::string& path, const nlohmann::json& value) {
  write_file_atomically(path, value.dump(2) + "\n");
}

int remove_stale_temp_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  static const std::regex temp_name(R"(.+\.tmp(\.[0-9]+\.[0-9]+)?)");
  int removed = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (!std::regex_match(entry.path().filename().string(), temp_name)) continue;
    fs::remove(entry.path(), ec);
    FFTUNE_CHECK(!ec, "cannot remove the stale temporary file ", entry.path().string(), ": ",
                 ec.message());
    ++removed;
  }
  return removed;
}

void ensure_writable_directory(const std::string& dir, const std::string& flag) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  FFTUNE_CHECK(!ec && fs::is_directory(dir), flag, " ", dir, ": cannot create the directory",
               ec ? ": " + ec.message() : std::string(" (a file has that name)"));
  const std::string probe =
      (fs::path(dir) / (".fftune_write_test." + std::to_string(::getpid()))).string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  FFTUNE_CHECK(fd >= 0, flag, " ", dir, ": cannot write in the directory: ", errno_text());
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace fftune::examples
