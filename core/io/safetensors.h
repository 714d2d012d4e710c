// safetensors (https://github.com/huggingface/safetensors): the tensor file format fftune reads
// and writes — checkpoints, adapters, golden fixtures.
//
// Layout: 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value"}}
// then the data section; offsets are relative to its start.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune::io {

struct SafetensorsFile {
  std::map<std::string, Tensor> tensors;  // by name
  std::map<std::string, std::string> metadata;
};

// Reads a whole file. F32/F64/I64/C64 map to fftune dtypes (zero-copy views of the memory-mapped
// file where aligned); F16/BF16 are converted to f32; I32/I16/I8/U8/BOOL to i64. A malformed
// file stops with fftune::Error naming the file and the tensor. Loaded tensors may be written in
// place: the mapping is copy-on-write, the file never changes (Note [copy-on-write mapping]).
SafetensorsFile load_safetensors(const std::string& path);

// Writes the tensors (any device/layout) and metadata to a temporary name beside `path`, then
// renames it into place: a crash never leaves a half-written file.
void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace fftune::io
