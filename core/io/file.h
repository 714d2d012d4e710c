// Whole files: read one into a string, and write one atomically — under a temporary name beside
// the target ("<target>.tmp.<pid>.<n>", as core/io/safetensors.h), checked after write and fsync,
// renamed into place and the directory fsynced, so that a crash or a full disk leaves the previous
// file (or none), never a truncated one. Every failure is an fftune::Error naming the file and the
// system's reason.
#pragma once

#include <string>

namespace fftune::io {

// The bytes of `path`.
std::string read_file(const std::string& path);

// Writes `bytes` to `path` atomically; on failure `path` is left as it was.
void write_file_atomically(const std::string& path, const std::string& bytes);

// fsync of a directory, so that a rename or a new file in it survives a crash.
void fsync_directory(const std::string& dir);

}  // namespace fftune::io
