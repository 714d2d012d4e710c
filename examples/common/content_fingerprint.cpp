#include "examples/common/content_fingerprint.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/error.h"
#include "examples/common/demo_cache.h"

namespace fftune::examples {

namespace fs = std::filesystem;

namespace {

constexpr std::streamoff kEdgeBytes = 4096;

// "<relative path>\n<size>\n<first bytes><last bytes>\n"
std::string describe_file(const fs::path& file, const std::string& relative) {
  const auto size = static_cast<std::streamoff>(fs::file_size(file));
  std::ifstream in(file, std::ios::binary);
  FFTUNE_CHECK(in.good(), "content_fingerprint: cannot read ", file.string());
  std::string head(static_cast<size_t>(std::min(size, kEdgeBytes)), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  std::string tail;
  if (size > kEdgeBytes) {
    const std::streamoff start = std::max(kEdgeBytes, size - kEdgeBytes);
    tail.resize(static_cast<size_t>(size - start));
    in.seekg(start);
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  }
  FFTUNE_CHECK(in.good(), "content_fingerprint: cannot read ", file.string());
  return relative + "\n" + std::to_string(size) + "\n" + head + tail + "\n";
}

}  // namespace

std::string content_fingerprint(const std::string& path) {
  std::error_code ec;
  FFTUNE_CHECK(fs::exists(path, ec), "content_fingerprint: ", path, " does not exist");
  if (!fs::is_directory(path)) return hash_hex(describe_file(path, fs::path(path).filename()));
  std::vector<std::string> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(path))
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), path).generic_string());
  std::sort(files.begin(), files.end());
  std::string text;
  for (const std::string& f : files) text += hash_hex(describe_file(fs::path(path) / f, f));
  return hash_hex(text);
}

}  // namespace fftune::examples
