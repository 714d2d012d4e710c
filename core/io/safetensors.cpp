// Reading maps the file and hands out views into it; writing goes through a temporary file and
// an atomic rename. The header itself is parsed and validated in core/io/safetensors_header.cpp.
#include "core/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <system_error>

#include "core/io/safetensors_header.h"
#include "core/tensor/factory.h"

namespace fftune::io {
namespace {

using detail::FileDType;
using detail::HeaderEntry;

// The format is little-endian; tensors are used in place (or memcpy'd), so the host must be too.
static_assert(std::endian::native == std::endian::little, "fftune assumes a little-endian host");

constexpr uint64_t kLengthPrefixBytes = 8;  // the u64 header length at the start of the file

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

// ---- reading -------------------------------------------------------------------------------

// A whole file, memory-mapped. `owner` unmaps it when the last tensor viewing it is gone.
struct MappedFile {
  std::shared_ptr<void> owner;
  const unsigned char* bytes = nullptr;
  uint64_t size = 0;
};

// Closes a file descriptor on every path out of a scope.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

// Note [copy-on-write mapping]: the file is opened read-only but mapped MAP_PRIVATE with write
// permission, so a loaded tensor can be updated in place (an optimizer step on loaded weights):
// the kernel copies a page on its first write and the file never changes. Saving over a loaded
// file is safe too, because save_safetensors replaces the file (a new inode) instead of
// rewriting it; the mapping keeps the old contents. Truncating the file in place while it is
// mapped (another program doing so) would make later reads fault, as with any mmap reader.
MappedFile map_file(const std::string& path, const std::string& context) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  FFTUNE_CHECK(fd >= 0, context, ": cannot open: ", errno_text(errno));
  FdCloser closer{fd};
  struct stat st {};
  FFTUNE_CHECK(::fstat(fd, &st) == 0, context, ": cannot stat: ", errno_text(errno));
  FFTUNE_CHECK(S_ISREG(st.st_mode), context, ": not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  FFTUNE_CHECK(size >= kLengthPrefixBytes, context, ": the file has ", size,
               " bytes; a safetensors file starts with an 8-byte header length");
  void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  FFTUNE_CHECK(base != MAP_FAILED, context, ": cannot map ", size, " bytes: ", errno_text(errno));
  MappedFile file;
  file.owner = std::shared_ptr<void>(base, [size](void* p) { ::munmap(p, size); });
  file.bytes = static_cast<const unsigned char*>(base);
  file.size = size;
  return file;
}

// IEEE half -> float, exactly (every half is a float).
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {  // zero or subnormal: mantissa · 2^-24, exact in a float
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) {  // inf or NaN (the payload is kept)
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  }
  // Normal: rebias the exponent from 15 to 127, widen the mantissa from 10 to 23 bits.
  return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

// bfloat16 is the top half of a float.
float bfloat16_to_float(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

// A tensor of `dtype` over the bytes: a view into the mapping when they are aligned for the
// element type, else a copy.
Tensor view_or_copy(const MappedFile& file, const unsigned char* bytes, uint64_t nbytes,
                    const Shape& shape, DType dtype) {
  std::shared_ptr<Storage> storage;
  if (reinterpret_cast<uintptr_t>(bytes) % dtype_size(dtype) == 0) {
    // Aliasing shared_ptr: points at the tensor's bytes, keeps the whole mapping alive.
    std::shared_ptr<void> data(file.owner, const_cast<unsigned char*>(bytes));
    storage = Storage::wrap(std::move(data), nbytes, Device::cpu());
  } else {
    storage = Storage::allocate(nbytes, Device::cpu());
    if (nbytes) std::memcpy(storage->data.get(), bytes, nbytes);
  }
  return make_tensor(std::move(storage), shape, contiguous_strides(shape), 0, dtype);
}

// A new tensor of `Dst` elements, each convert(the `Src` read from the bytes).
template <typename Src, typename Dst, typename Convert>
Tensor convert(const unsigned char* bytes, const Shape& shape, Convert convert_one) {
  Tensor out = empty(shape, dtype_of<Dst>::value);
  Dst* dst = out.data<Dst>();
  const int64_t n = out.numel();
  for (int64_t i = 0; i < n; ++i) {
    Src value;
    std::memcpy(&value, bytes + i * sizeof(Src), sizeof(Src));  // may be unaligned
    dst[i] = convert_one(value);
  }
  return out;
}

template <typename Src>
Tensor widen_to_i64(const unsigned char* bytes, const Shape& shape) {
  return convert<Src, int64_t>(bytes, shape, [](Src v) { return static_cast<int64_t>(v); });
}

Tensor load_tensor(const MappedFile& file, uint64_t data_start, const HeaderEntry& e) {
  const unsigned char* bytes = file.bytes + data_start + e.begin;
  const uint64_t nbytes = e.end - e.begin;
  switch (e.dtype) {
    case FileDType::F32:
      return view_or_copy(file, bytes, nbytes, e.shape, DType::f32);
    case FileDType::F64:
      return view_or_copy(file, bytes, nbytes, e.shape, DType::f64);
    case FileDType::I64:
      return view_or_copy(file, bytes, nbytes, e.shape, DType::i64);
    case FileDType::C64:
      return view_or_copy(file, bytes, nbytes, e.shape, DType::c64);
    case FileDType::F16:
      return convert<uint16_t, float>(bytes, e.shape, half_to_float);
    case FileDType::BF16:
      return convert<uint16_t, float>(bytes, e.shape, bfloat16_to_float);
    case FileDType::I32:
      return widen_to_i64<int32_t>(bytes, e.shape);
    case FileDType::I16:
      return widen_to_i64<int16_t>(bytes, e.shape);
    case FileDType::I8:
      return widen_to_i64<int8_t>(bytes, e.shape);
    case FileDType::U8:
      return widen_to_i64<uint8_t>(bytes, e.shape);
    case FileDType::BOOL:
      return convert<uint8_t, int64_t>(bytes, e.shape, [](uint8_t v) { return v != 0 ? 1 : 0; });
  }
  FFTUNE_FAIL("load_safetensors: tensor '", e.name, "': unhandled dtype");
}

// ---- writing -------------------------------------------------------------------------------

// A file written under a temporary name beside `path` (same directory, so same file system),
// renamed over `path` by commit(); destroyed without commit, it is removed.
class TempFile {
 public:
  TempFile(const std::string& path, const std::string& context) : path_(path), context_(context) {
    static std::atomic<uint64_t> counter{0};  // distinct names for concurrent saves
    temp_path_ = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    FFTUNE_CHECK(fd_ >= 0, context_, ": cannot create '", temp_path_, "': ", errno_text(errno));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_path_.c_str());
  }

  void write(const void* data, size_t nbytes) {
    const char* p = static_cast<const char*>(data);
    while (nbytes > 0) {
      const ssize_t written = ::write(fd_, p, std::min<size_t>(nbytes, size_t{1} << 30));
      if (written < 0 && errno == EINTR) continue;
      FFTUNE_CHECK(written > 0, context_, ": writing '", temp_path_,
                   "' failed: ", written < 0 ? errno_text(errno) : std::string("no progress"));
      p += written;
      nbytes -= static_cast<size_t>(written);
    }
  }

  // Flushes the data to disk before the rename, so a crash leaves the old file or the new one.
  void commit() {
    FFTUNE_CHECK(::fsync(fd_) == 0, context_, ": fsync of '", temp_path_,
                 "' failed: ", errno_text(errno));
    const int fd = fd_;
    fd_ = -1;
    FFTUNE_CHECK(::close(fd) == 0, context_, ": closing '", temp_path_,
                 "' failed: ", errno_text(errno));
    FFTUNE_CHECK(::rename(temp_path_.c_str(), path_.c_str()) == 0, context_, ": renaming '",
                 temp_path_, "' into place failed: ", errno_text(errno));
    committed_ = true;
  }

 private:
  std::string path_;
  std::string context_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

FileDType file_dtype_of(DType dtype, const std::string& where) {
  switch (dtype) {
    case DType::f32:
      return FileDType::F32;
    case DType::f64:
      return FileDType::F64;
    case DType::i64:
      return FileDType::I64;
    case DType::c64:
      return FileDType::C64;
    case DType::c128:
      break;
  }
  FFTUNE_FAIL(where, ": dtype ", dtype,
              " has no safetensors equivalent (f32, f64, i64 and c64 can be saved)");
}

}  // namespace

SafetensorsFile load_safetensors(const std::string& path) {
  const std::string context = "load_safetensors: '" + path + "'";
  const MappedFile file = map_file(path, context);
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, file.bytes, kLengthPrefixBytes);  // little-endian u64
  // Checked before anything is read or allocated on the strength of the declared length.
  FFTUNE_CHECK(header_bytes <= detail::kMaxHeaderBytes, context, ": the header length ",
               header_bytes, " exceeds the limit of ", detail::kMaxHeaderBytes, " bytes");
  FFTUNE_CHECK(header_bytes <= file.size - kLengthPrefixBytes, context, ": the header length ",
               header_bytes, " runs past the end of the file (", file.size - kLengthPrefixBytes,
               " bytes follow the length)");
  const uint64_t data_start = kLengthPrefixBytes + header_bytes;
  const std::string_view json(reinterpret_cast<const char*>(file.bytes) + kLengthPrefixBytes,
                              header_bytes);
  const detail::Header header = detail::parse_header(json, file.size - data_start, context);

  SafetensorsFile result;
  result.metadata = header.metadata;
  for (const HeaderEntry& entry : header.tensors) {
    result.tensors.emplace(entry.name, load_tensor(file, data_start, entry));
  }
  return result;
}

void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string context = "save_safetensors: '" + path + "'";
  // Everything is checked and laid out before the disk is touched.
  struct Item {
    HeaderEntry entry;
    Tensor host;  // contiguous, on the CPU
  };
  std::vector<Item> items;
  std::set<std::string> names;
  for (const auto& [name, tensor] : tensors) {
    const std::string where = context + ": tensor '" + name + "'";
    FFTUNE_CHECK(name != "__metadata__", where, ": the name is reserved for the metadata");
    FFTUNE_CHECK(names.insert(name).second, where, ": duplicate name");
    FFTUNE_CHECK(tensor.defined(), where, ": the tensor is undefined");
    Item item;
    item.entry.name = name;
    item.entry.dtype = file_dtype_of(tensor.dtype(), where);
    item.entry.shape = tensor.shape();
    item.host = tensor.detach().to(Device::cpu()).contiguous();
    items.push_back(std::move(item));
  }
  // The reference's layout: larger elements first, then by name. With the data section
  // 8-aligned, every tensor then starts at a multiple of its element size, so it loads zero-copy.
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    const size_t sa = detail::file_dtype_size(a.entry.dtype);
    const size_t sb = detail::file_dtype_size(b.entry.dtype);
    return sa != sb ? sa > sb : a.entry.name < b.entry.name;
  });
  std::vector<HeaderEntry> entries;
  uint64_t offset = 0;
  for (Item& item : items) {
    item.entry.begin = offset;
    offset += static_cast<uint64_t>(item.host.numel()) * dtype_size(item.host.dtype());
    item.entry.end = offset;
    entries.push_back(item.entry);
  }
  const std::string header = detail::format_header(entries, metadata, context);

  TempFile file(path, context);
  const uint64_t header_bytes = header.size();
  file.write(&header_bytes, kLengthPrefixBytes);  // little-endian u64
  file.write(header.data(), header.size());
  for (const Item& item : items) {
    if (item.entry.end > item.entry.begin) {
      file.write(item.host.raw_data(), item.entry.end - item.entry.begin);
    }
  }
  file.commit();
}

}  // namespace fftune::io
