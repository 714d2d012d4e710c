#include "core/io/safetensors_header.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace fftune::io::detail {
namespace {

using nlohmann::json;

struct FileDTypeInfo {
  FileDType dtype;
  const char* name;
  size_t size;
};

constexpr FileDTypeInfo kFileDTypes[] = {
    {FileDType::BOOL, "BOOL", 1}, {FileDType::U8, "U8", 1},     {FileDType::I8, "I8", 1},
    {FileDType::I16, "I16", 2},   {FileDType::I32, "I32", 4},   {FileDType::I64, "I64", 8},
    {FileDType::F16, "F16", 2},   {FileDType::BF16, "BF16", 2}, {FileDType::F32, "F32", 4},
    {FileDType::F64, "F64", 8},   {FileDType::C64, "C64", 8},
};

const FileDTypeInfo& info_of(FileDType t) {
  for (const FileDTypeInfo& info : kFileDTypes) {
    if (info.dtype == t) return info;
  }
  FFTUNE_FAIL("safetensors: unknown FileDType ", static_cast<int>(t));
}

std::string known_dtype_names() {
  std::string names;
  for (const FileDTypeInfo& info : kFileDTypes)
    names += std::string(names.empty() ? "" : ", ") + info.name;
  return names;
}

// JSON parsing keeps the last of duplicate keys silently; this records the first duplicate
// instead (the parser reports every key with its nesting depth: 1 = a top-level key).
class DuplicateKeyFinder {
 public:
  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_objects_.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      open_objects_.pop_back();
    } else if (event == json::parse_event_t::key) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (depth == 1) top_level_key_ = key;
      if (!open_objects_.back().insert(key).second && duplicate_.empty()) {
        duplicate_ = depth == 1 ? "duplicate key '" + key + "'"
                                : "duplicate key '" + key + "' in '" + top_level_key_ + "'";
      }
    }
    return true;  // keep everything
  }
  const std::string& duplicate() const { return duplicate_; }

 private:
  std::vector<std::set<std::string>> open_objects_;
  std::string top_level_key_;
  std::string duplicate_;
};

json parse_json_object(std::string_view text, const std::string& context) {
  // The reference refuses a header that does not start with '{' (so no leading whitespace).
  FFTUNE_CHECK(!text.empty() && text.front() == '{', context,
               ": the header must be a JSON object starting with '{'");
  auto finder = std::make_shared<DuplicateKeyFinder>();
  json header;
  try {
    header = json::parse(text.begin(), text.end(),
                         [finder](int depth, json::parse_event_t event, json& parsed) {
                           return (*finder)(depth, event, parsed);
                         });
  } catch (const json::exception& e) {
    FFTUNE_FAIL(context, ": the header is not valid JSON (", e.what(), ")");
  }
  FFTUNE_CHECK(header.is_object(), context, ": the header must be a JSON object, got ",
               header.type_name());
  FFTUNE_CHECK(finder->duplicate().empty(), context, ": ", finder->duplicate(),
               " in the JSON header");
  return header;
}

std::map<std::string, std::string> parse_metadata(const json& value, const std::string& context) {
  FFTUNE_CHECK(value.is_object(), context, ": '__metadata__' must be an object of strings, got ",
               value.type_name());
  std::map<std::string, std::string> metadata;
  for (const auto& [key, item] : value.items()) {
    FFTUNE_CHECK(item.is_string(), context, ": '__metadata__' entry '", key,
                 "' must be a string, got ", item.type_name());
    metadata[key] = item.get<std::string>();
  }
  return metadata;
}

FileDType parse_dtype(const json& value, const std::string& where) {
  FFTUNE_CHECK(value.is_string(), where, ": 'dtype' must be a string, got ", value.type_name());
  const std::string& name = value.get_ref<const std::string&>();
  for (const FileDTypeInfo& info : kFileDTypes) {
    if (name == info.name) return info.dtype;
  }
  FFTUNE_FAIL(where, ": unsupported dtype '", name, "' (fftune reads ", known_dtype_names(), ")");
}

Shape parse_shape(const json& value, const std::string& where) {
  FFTUNE_CHECK(value.is_array(), where, ": 'shape' must be a list of non-negative integers, got ",
               value.type_name());
  Shape shape;
  for (const json& dim : value) {
    // Non-negative integers parse as unsigned; a negative one or a float does not.
    FFTUNE_CHECK(dim.is_number_unsigned(), where,
                 ": 'shape' must be a list of non-negative integers, got an element ", dim.dump());
    const uint64_t d = dim.get<uint64_t>();
    FFTUNE_CHECK(d <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), where,
                 ": dimension ", d, " is too large");
    shape.push_back(static_cast<int64_t>(d));
  }
  return shape;
}

void parse_offsets(const json& value, HeaderEntry& entry, const std::string& where) {
  FFTUNE_CHECK(value.is_array() && value.size() == 2 && value[0].is_number_unsigned() &&
                   value[1].is_number_unsigned(),
               where, ": 'data_offsets' must be [begin, end] (two non-negative integers), got ",
               value.dump());
  entry.begin = value[0].get<uint64_t>();
  entry.end = value[1].get<uint64_t>();
}

// Byte length of the shape's elements, or false when the shape cannot be indexed with int64:
// the product of max(size, 1) times the element size must fit, so that a shape such as
// (0, 2^62, 4) — no bytes, but contiguous strides past int64 — is refused here, naming the
// file and the tensor (Note [shape overflow] in core/tensor/shape.cpp).
bool byte_length(const Shape& shape, size_t element_size, uint64_t& bytes) {
  int64_t layout = static_cast<int64_t>(element_size);
  bool empty = false;
  for (int64_t d : shape) {
    if (__builtin_mul_overflow(layout, std::max<int64_t>(d, 1), &layout)) return false;
    empty = empty || d == 0;
  }
  bytes = empty ? 0 : static_cast<uint64_t>(layout);
  return true;
}

HeaderEntry parse_entry(const std::string& name, const json& value, uint64_t data_size,
                        const std::string& context) {
  const std::string where = context + ": tensor '" + name + "'";
  FFTUNE_CHECK(value.is_object(), where,
               ": expected {\"dtype\", \"shape\", \"data_offsets\"}, got ", value.type_name());
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    FFTUNE_CHECK(value.contains(field), where, ": missing '", field, "'");
  }
  HeaderEntry entry;
  entry.name = name;
  entry.dtype = parse_dtype(value.at("dtype"), where);
  entry.shape = parse_shape(value.at("shape"), where);
  parse_offsets(value.at("data_offsets"), entry, where);
  FFTUNE_CHECK(entry.begin <= entry.end, where, ": data_offsets [", entry.begin, ", ", entry.end,
               "] are not ordered (begin > end)");
  FFTUNE_CHECK(entry.end <= data_size, where, ": data_offsets [", entry.begin, ", ", entry.end,
               "] extend past the end of the file (the data section has ", data_size, " bytes)");
  uint64_t bytes = 0;
  FFTUNE_CHECK(byte_length(entry.shape, file_dtype_size(entry.dtype), bytes), where, ": shape ",
               entry.shape, " of ", file_dtype_name(entry.dtype),
               " is too large (the product of its sizes overflows 64-bit indexing)");
  FFTUNE_CHECK(bytes == entry.end - entry.begin, where, ": shape ", entry.shape, " of ",
               file_dtype_name(entry.dtype), " needs ", bytes, " bytes but data_offsets [",
               entry.begin, ", ", entry.end, "] hold ", entry.end - entry.begin);
  return entry;
}

// Sorted by offsets, the tensors must tile [0, data_size) exactly (Note [safetensors validation]).
void check_tiling(std::vector<HeaderEntry>& tensors, uint64_t data_size,
                  const std::string& context) {
  std::sort(tensors.begin(), tensors.end(), [](const HeaderEntry& a, const HeaderEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t covered = 0;  // end of the previous tensor
  const HeaderEntry* previous = nullptr;
  for (const HeaderEntry& t : tensors) {
    const std::string after =
        previous ? "tensor '" + previous->name + "'" : std::string("the start of the data");
    FFTUNE_CHECK(t.begin >= covered, context, ": tensor '", t.name, "' (data_offsets [", t.begin,
                 ", ", t.end, "]) overlaps ", after, " (which ends at ", covered, ")");
    FFTUNE_CHECK(t.begin == covered, context, ": tensor '", t.name, "' (data_offsets [", t.begin,
                 ", ", t.end, "]) leaves a hole of ", t.begin - covered, " bytes after ", after);
    covered = t.end;
    previous = &t;
  }
  FFTUNE_CHECK(covered == data_size, context, ": the data section has ", data_size,
               " bytes but the tensors cover only ", covered, " (trailing bytes)");
}

}  // namespace

const char* file_dtype_name(FileDType t) {
  return info_of(t).name;
}
size_t file_dtype_size(FileDType t) {
  return info_of(t).size;
}

Header parse_header(std::string_view text, uint64_t data_size, const std::string& context) {
  const json header = parse_json_object(text, context);
  Header result;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      result.metadata = parse_metadata(value, context);
    } else {
      result.tensors.push_back(parse_entry(key, value, data_size, context));
    }
  }
  check_tiling(result.tensors, data_size, context);
  return result;
}

std::string format_header(const std::vector<HeaderEntry>& entries,
                          const std::map<std::string, std::string>& metadata,
                          const std::string& context) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();  // keeps the layout order
  if (!metadata.empty()) header["__metadata__"] = metadata;
  for (const HeaderEntry& e : entries) {
    header[e.name] = {{"dtype", file_dtype_name(e.dtype)},
                      {"shape", e.shape},
                      {"data_offsets", {e.begin, e.end}}};
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::ordered_json::exception& e) {
    FFTUNE_FAIL(context, ": tensor names and metadata must be valid UTF-8 (", e.what(), ")");
  }
  text.resize((text.size() + 7) / 8 * 8, ' ');  // 8 + N stays a multiple of 8
  return text;
}

}  // namespace fftune::io::detail
