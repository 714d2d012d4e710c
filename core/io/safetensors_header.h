// The JSON header of a safetensors file: parsing with full validation (for reading) and
// formatting (for writing). No file I/O here: core/io/safetensors.cpp maps and writes files.
//
// Note [safetensors validation]: a header is trusted for nothing. Following the reference
// implementation (huggingface/safetensors, Rust), a header is valid when
//   - it is a well-formed JSON object without duplicate keys;
//   - `__metadata__`, if present, maps strings to strings;
//   - every other key names a tensor {"dtype": known name, "shape": [non-negative ints],
//     "data_offsets": [begin, end]} with begin <= end <= the data section's size and
//     numel(shape) * dtype size == end - begin (computed without overflow);
//   - sorted by offsets, the tensors tile the data section exactly: each begins where the
//     previous one ended (no overlap, no hole) and the last ends at the end of the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor/shape.h"

namespace fftune::io::detail {

// The element types of the format that fftune reads (F8, U16/U32/U64, F4, ... are refused).
enum class FileDType { BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64, C64 };

const char* file_dtype_name(FileDType t);  // "F32", as written in the header
size_t file_dtype_size(FileDType t);       // bytes per element

struct HeaderEntry {
  std::string name;
  FileDType dtype;
  Shape shape;
  uint64_t begin = 0;  // byte offsets into the data section, [begin, end)
  uint64_t end = 0;
};

struct Header {
  std::vector<HeaderEntry> tensors;  // in the order of their offsets
  std::map<std::string, std::string> metadata;
};

// The largest header the reference implementation accepts (its MAX_HEADER_SIZE).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

// Parses and validates (Note [safetensors validation]) the header `json` of a file whose data
// section has `data_size` bytes. Errors start with `context` (e.g. "load_safetensors: 'a.st'").
Header parse_header(std::string_view json, uint64_t data_size, const std::string& context);

// The header bytes for `entries` (offsets already assigned) and `metadata`: JSON padded with
// spaces so that 8 + its length is a multiple of 8, which keeps the data section 8-aligned.
// Names and metadata must be valid UTF-8; errors start with `context`.
std::string format_header(const std::vector<HeaderEntry>& entries,
                          const std::map<std::string, std::string>& metadata,
                          const std::string& context);

}  // namespace fftune::io::detail
