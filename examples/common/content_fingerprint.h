// A cheap content fingerprint of a run's input (a data folder, a model directory), so that
// --resume can tell the same data copied elsewhere (same fingerprint, another path: a warning)
// from other data (another fingerprint: an error), without reading every byte.
//
// The fingerprint hashes (FNV-1a, 16 hex digits), for every regular file under the path in
// sorted order: its path relative to the root, its size, and its first and last 4 KiB. Editing
// the middle of a large file without changing its size goes unnoticed; adding, removing,
// renaming, resizing a file or changing a header does not.
#pragma once

#include <string>

namespace fftune::examples {

// The fingerprint of a file or a directory (recursively). A missing path is an error naming it.
std::string content_fingerprint(const std::string& path);

}  // namespace fftune::examples
