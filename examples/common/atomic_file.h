// Files a run writes whole (results.json, summary.json, config.json, fftune_run.json, ...):
// written under a temporary name beside the target, checked after flush and fsync, renamed into
// place, and the directory fsynced, so that a crash or a full disk leaves the previous file (or
// none), never a truncated one, and a failed write is an error naming the file.
//
// Temporary names are "<target>.tmp.<pid>.<n>" (core/io/safetensors.h uses the same pattern);
// remove_stale_temp_files() deletes those a killed process left behind.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/io/file.h"

namespace fftune::examples {

// The whole-file writer and the directory sync live in the library (core/io/file.h).
using io::fsync_directory;
using io::write_file_atomically;

// `value` as indented JSON and a newline, atomically.
void write_json_atomically(const std::string& path, const nlohmann::json& value);

// Deletes the temporary files "<name>.tmp" and "<name>.tmp.<pid>.<n>" of interrupted atomic
// writes in `dir` (not recursively). Returns how many were removed. A missing `dir` is empty.
int remove_stale_temp_files(const std::string& dir);

// Creates `dir` (and its parents) when missing and checks that a file can be created in it;
// otherwise throws fftune::Error naming `flag` and the path ("--out /x: cannot create ...").
void ensure_writable_directory(const std::string& dir, const std::string& flag);

}  // namespace fftune::examples
