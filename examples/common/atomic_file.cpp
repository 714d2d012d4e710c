#include "examples/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
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

std::string parent_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  FFTUNE_CHECK(fd >= 0, "cannot write ", path, ": creating ", tmp, ": ", errno_text());
  std::string failure;
  size_t done = 0;
  while (done < bytes.size() && failure.empty()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      failure = n < 0 ? errno_text() : "no progress";
    else
      done += static_cast<size_t>(n);
  }
  if (failure.empty() && ::fsync(fd) != 0) failure = "fsync: " + errno_text();
  if (::close(fd) != 0 && failure.empty()) failure = "close: " + errno_text();
  if (failure.empty() && ::rename(tmp.c_str(), path.c_str()) != 0)
    failure = "rename: " + errno_text();
  if (!failure.empty()) {
    ::unlink(tmp.c_str());
    FFTUNE_FAIL("cannot write ", path, ": ", failure);
  }
  fsync_directory(parent_of(path));
}

void write_json_atomically(const std::string& path, const nlohmann::json& value) {
  write_file_atomically(path, value.dump(2) + "\n");
}

void fsync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  FFTUNE_CHECK(fd >= 0, "cannot open directory ", dir, " to sync it: ", errno_text());
  const bool ok = ::fsync(fd) == 0;
  const std::string reason = ok ? "" : errno_text();
  ::close(fd);
  FFTUNE_CHECK(ok, "cannot sync directory ", dir, ": ", reason);
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
