#include "core/io/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace fftune::io {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

std::string parent_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FFTUNE_CHECK(in.good(), "cannot open ", path, ": ", errno_text());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  FFTUNE_CHECK(!in.bad(), "cannot read ", path, ": read error");
  return bytes.str();
}

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

void fsync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  FFTUNE_CHECK(fd >= 0, "cannot open directory ", dir, " to sync it: ", errno_text());
  const bool ok = ::fsync(fd) == 0;
  const std::string reason = ok ? "" : errno_text();
  ::close(fd);
  FFTUNE_CHECK(ok, "cannot sync directory ", dir, ": ", reason);
}

}  // namespace fftune::io
