// core/io/safetensors: round trips, zero-copy loading, F16/BF16 and integer conversion, every
// malformed-file case of Note [safetensors validation], and atomic writes.
#include "core/io/safetensors.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune {
namespace {

namespace fs = std::filesystem;
using io::load_safetensors;
using io::save_safetensors;

// Each test gets a fresh directory, removed afterwards.
class Safetensors : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.path(); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Files in the test directory (to see that nothing was left behind).
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  testing::TempDir tmp_{"fftune_safetensors"};  // removed with the fixture
  fs::path dir_;
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file: the 8-byte little-endian `length` (the header's own by default), header, data.
std::string file_bytes(const std::string& header, const std::string& data,
                       uint64_t length = UINT64_MAX) {
  if (length == UINT64_MAX) length = header.size();
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return bytes + header + data;
}

// Little-endian bytes of the values.
template <typename T>
std::string le_bytes(std::initializer_list<T> values) {
  std::string bytes;
  for (T v : values) bytes.append(reinterpret_cast<const char*>(&v), sizeof(T));
  return bytes;
}

// Whether [p, p + n) lies inside a mapping of `file` (read from /proc/self/maps).
bool in_mapping_of(const void* p, size_t n, const std::string& file) {
  const std::string target = fs::canonical(file).string();
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const size_t slash = line.find('/');
    if (slash == std::string::npos || line.substr(slash) != target) continue;
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream(line) >> std::hex >> begin >> dash >> end;
    if (addr >= begin && addr + n <= end) return true;
  }
  return false;
}
bool is_mapped(const std::string& file) {
  const std::string target = fs::canonical(file).string();
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.size() >= target.size() && line.ends_with(target)) return true;
  }
  return false;
}

// Expects load_safetensors(path) to fail with a message holding every one of `parts`.
void expect_load_error(const std::string& path, std::initializer_list<std::string> parts) {
  try {
    load_safetensors(path);
    ADD_FAILURE() << "expected fftune::Error loading " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << "no file name in: " << message;
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "no '" << part << "' in: " << message;
    }
  }
}

// ---- round trips ---------------------------------------------------------------------------

TEST_F(Safetensors, RoundTripsEveryDtype) {
  Generator gen(7);
  const Tensor f32 = randn({2, 3}, DType::f32, Device::cpu(), &gen);
  const Tensor f64 = randn({4, 1, 5}, DType::f64, Device::cpu(), &gen);
  const Tensor i64 = randint(-(int64_t{1} << 40), int64_t{1} << 40, {3, 2}, Device::cpu(), &gen);
  const Tensor c64 = testing::random_tensor({2, 2}, DType::c64, 3, /*requires_grad=*/true);
  save_safetensors(path("a.safetensors"), {{"w.f32", f32}, {"w.f64", f64}, {"i", i64}, {"c", c64}});

  const io::SafetensorsFile file = load_safetensors(path("a.safetensors"));
  ASSERT_EQ(file.tensors.size(), 4u);
  EXPECT_TRUE(file.metadata.empty());
  const Tensor& a = file.tensors.at("w.f32");
  EXPECT_EQ(a.dtype(), DType::f32);
  EXPECT_EQ(a.shape(), (Shape{2, 3}));
  EXPECT_TRUE(a.is_contiguous());
  EXPECT_FALSE(a.requires_grad());
  EXPECT_EQ(to_vector<float>(a), to_vector<float>(f32));
  EXPECT_EQ(file.tensors.at("w.f64").shape(), (Shape{4, 1, 5}));
  EXPECT_EQ(to_vector<double>(file.tensors.at("w.f64")), to_vector<double>(f64));
  EXPECT_EQ(to_vector<int64_t>(file.tensors.at("i")), to_vector<int64_t>(i64));
  EXPECT_EQ(file.tensors.at("c").dtype(), DType::c64);
  EXPECT_FALSE(file.tensors.at("c").requires_grad());
  EXPECT_EQ(to_vector<c64_t>(file.tensors.at("c")), to_vector<c64_t>(c64));
}

TEST_F(Safetensors, RoundTripsScalarsAndEmptyTensors) {
  save_safetensors(path("s.safetensors"), {{"scalar", scalar_tensor(2.5, DType::f64)},
                                           {"empty", zeros({0}, DType::f32)},
                                           {"empty3", zeros({2, 0, 3}, DType::i64)},
                                           {"after", from_vector<float>({1, 2}, {2})}});
  const io::SafetensorsFile file = load_safetensors(path("s.safetensors"));
  EXPECT_EQ(file.tensors.at("scalar").dim(), 0);
  EXPECT_EQ(file.tensors.at("scalar").item<double>(), 2.5);
  EXPECT_EQ(file.tensors.at("empty").shape(), (Shape{0}));
  EXPECT_EQ(file.tensors.at("empty3").shape(), (Shape{2, 0, 3}));
  EXPECT_EQ(file.tensors.at("empty3").dtype(), DType::i64);
  EXPECT_EQ(to_vector<float>(file.tensors.at("after")), (std::vector<float>{1, 2}));
}

TEST_F(Safetensors, SavesNonContiguousTensorsInRowMajorOrder) {
  const Tensor base = arange(0.0, 24.0, 1.0, DType::f32).reshape({2, 3, 4});
  const Tensor transposed = base.transpose(0, 2);                              // (4, 3, 2)
  const Tensor strided = base.slice(2, 0, 4, 2);                               // (2, 3, 2), step 2
  const Tensor expanded = from_vector<double>({1, 2}, {2, 1}).expand({2, 3});  // stride 0
  ASSERT_FALSE(transposed.is_contiguous());
  ASSERT_FALSE(strided.is_contiguous());
  save_safetensors(path("v.safetensors"), {{"t", transposed}, {"s", strided}, {"e", expanded}});
  const io::SafetensorsFile file = load_safetensors(path("v.safetensors"));
  EXPECT_EQ(file.tensors.at("t").shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(to_vector<float>(file.tensors.at("t")), to_vector<float>(transposed));
  EXPECT_EQ(to_vector<float>(file.tensors.at("s")), to_vector<float>(strided));
  EXPECT_EQ(to_vector<double>(file.tensors.at("e")), (std::vector<double>{1, 1, 1, 2, 2, 2}));
}

TEST_F(Safetensors, RoundTripsMetadata) {
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"}, {"note", "r\u00e9sum\u00e9 \"quoted\"\n"}, {"empty", ""}};
  save_safetensors(path("m.safetensors"), {{"x", ones({2})}}, metadata);
  EXPECT_EQ(load_safetensors(path("m.safetensors")).metadata, metadata);
  // No metadata: no "__metadata__" entry at all, as the reference writes it.
  save_safetensors(path("n.safetensors"), {{"x", ones({2})}});
  EXPECT_EQ(read_bytes(path("n.safetensors")).find("__metadata__"), std::string::npos);
}

TEST_F(Safetensors, LayoutIsAlignedAndDeterministic) {
  const Tensor a = from_vector<float>({1, 2, 3}, {3});  // 12 bytes: would misalign what follows
  const Tensor b = from_vector<double>({4, 5}, {2});
  const Tensor c = from_vector<int64_t>({6}, {1});
  save_safetensors(path("1.safetensors"), {{"a", a}, {"b", b}, {"c", c}});
  save_safetensors(path("2.safetensors"), {{"c", c}, {"a", a}, {"b", b}});
  const std::string bytes = read_bytes(path("1.safetensors"));
  EXPECT_EQ(bytes, read_bytes(path("2.safetensors")));  // the input order does not matter
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
  const std::string header = bytes.substr(8, n);
  EXPECT_EQ(header.front(), '{');
  const size_t last = header.find_last_not_of(' ');  // JSON, then fewer than 8 spaces
  EXPECT_EQ(header[last], '}');
  EXPECT_LT(n - 1 - last, 8u);
  // 8-byte elements first, then by name: b, c, then a.
  EXPECT_NE(header.find(R"("b":{"dtype":"F64","shape":[2],"data_offsets":[0,16]})"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find(R"("c":{"dtype":"I64","shape":[1],"data_offsets":[16,24]})"),
            std::string::npos);
  EXPECT_NE(header.find(R"("a":{"dtype":"F32","shape":[3],"data_offsets":[24,36]})"),
            std::string::npos);
  EXPECT_EQ(bytes.size(), 8 + n + 36);
}

// ---- zero-copy loading ---------------------------------------------------------------------

TEST_F(Safetensors, AlignedTensorsAreViewsOfTheMappedFile) {
  const std::string p = path("z.safetensors");
  save_safetensors(p, {{"f32", ones({3})},
                       {"f64", ones({5}, DType::f64)},
                       {"i64", arange(4)},
                       {"c64", zeros({2}, DType::c64)}});
  Tensor kept;
  {
    const io::SafetensorsFile file = load_safetensors(p);
    for (const auto& [name, t] : file.tensors) {
      EXPECT_TRUE(in_mapping_of(t.raw_data(), t.numel() * dtype_size(t.dtype()), p)) << name;
    }
    kept = file.tensors.at("i64");
  }
  // The mapping lives as long as one tensor uses it.
  EXPECT_TRUE(is_mapped(p));
  EXPECT_EQ(to_vector<int64_t>(kept), (std::vector<int64_t>{0, 1, 2, 3}));
  kept = Tensor();
  EXPECT_FALSE(is_mapped(p));
}

TEST_F(Safetensors, UnalignedTensorsAreCopied) {
  // 3 bytes of U8 put the F32 tensor at data offset 3: not 4-aligned, so it must be copied.
  const std::string header = R"({"u":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
                             R"("f":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}})";
  const std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  const std::string p = path("u.safetensors");
  write_bytes(p, file_bytes(padded, le_bytes<uint8_t>({1, 2, 3}) + le_bytes<float>({1.5f, -2.f})));
  const io::SafetensorsFile file = load_safetensors(p);
  const Tensor& f = file.tensors.at("f");
  EXPECT_EQ(to_vector<float>(f), (std::vector<float>{1.5f, -2.f}));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f.raw_data()) % alignof(float), 0u);
  EXPECT_FALSE(in_mapping_of(f.raw_data(), 8, p));
  EXPECT_EQ(to_vector<int64_t>(file.tensors.at("u")), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(Safetensors, WritingALoadedTensorLeavesTheFileUnchanged) {
  const std::string p = path("w.safetensors");
  save_safetensors(p, {{"x", from_vector<float>({1, 2, 3}, {3})}});
  Tensor x = load_safetensors(p).tensors.at("x");
  x.fill_(7);  // copy-on-write: only this process's page changes
  EXPECT_EQ(to_vector<float>(x), (std::vector<float>{7, 7, 7}));
  EXPECT_EQ(to_vector<float>(load_safetensors(p).tensors.at("x")), (std::vector<float>{1, 2, 3}));
}

TEST_F(Safetensors, SavingOverALoadedFileKeepsTheLoadedValues) {
  const std::string p = path("o.safetensors");
  save_safetensors(p, {{"x", from_vector<float>({1, 2, 3}, {3})}});
  const Tensor old = load_safetensors(p).tensors.at("x");
  save_safetensors(p, {{"x", from_vector<float>({4, 5, 6}, {3})}});
  EXPECT_EQ(to_vector<float>(old), (std::vector<float>{1, 2, 3}));  // the replaced file's pages
  EXPECT_EQ(to_vector<float>(load_safetensors(p).tensors.at("x")), (std::vector<float>{4, 5, 6}));
}

// ---- conversions ---------------------------------------------------------------------------

uint32_t bits(float f) {
  return std::bit_cast<uint32_t>(f);
}

TEST_F(Safetensors, ConvertsF16AndBF16ToF32Exactly) {
  const std::string header = R"({"h":{"dtype":"F16","shape":[9],"data_offsets":[0,18]},)"
                             R"("b":{"dtype":"BF16","shape":[5],"data_offsets":[18,28]}})";
  const std::string data =
      le_bytes<uint16_t>({0x3C00, 0xC100, 0x7BFF, 0x0400, 0x0001, 0x7C00, 0xFC00, 0x8000, 0x7E00}) +
      le_bytes<uint16_t>({0x3F80, 0xC049, 0x7F7F, 0x0001, 0xFF80});
  write_bytes(path("h.safetensors"), file_bytes(header, data));
  const io::SafetensorsFile file = load_safetensors(path("h.safetensors"));
  const Tensor& h = file.tensors.at("h");
  ASSERT_EQ(h.dtype(), DType::f32);
  const std::vector<float> hv = to_vector<float>(h);
  EXPECT_EQ(hv[0], 1.0f);
  EXPECT_EQ(hv[1], -2.5f);
  EXPECT_EQ(hv[2], 65504.0f);               // largest half
  EXPECT_EQ(hv[3], std::ldexp(1.0f, -14));  // smallest normal half
  EXPECT_EQ(hv[4], std::ldexp(1.0f, -24));  // smallest subnormal half
  EXPECT_EQ(hv[5], INFINITY);
  EXPECT_EQ(hv[6], -INFINITY);
  EXPECT_EQ(bits(hv[7]), 0x80000000u);  // -0
  EXPECT_TRUE(std::isnan(hv[8]));
  const std::vector<float> bv = to_vector<float>(file.tensors.at("b"));
  EXPECT_EQ(bv[0], 1.0f);
  EXPECT_EQ(bv[1], -3.140625f);
  EXPECT_EQ(bits(bv[2]), 0x7F7F0000u);  // ≈ 3.39e38
  EXPECT_EQ(bits(bv[3]), 0x00010000u);  // a float subnormal
  EXPECT_EQ(bv[4], -INFINITY);
}

TEST_F(Safetensors, WidensIntegersAndBoolToI64) {
  const std::string header = R"({"i32":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},)"
                             R"("i16":{"dtype":"I16","shape":[2],"data_offsets":[8,12]},)"
                             R"("i8":{"dtype":"I8","shape":[2],"data_offsets":[12,14]},)"
                             R"("u8":{"dtype":"U8","shape":[2],"data_offsets":[14,16]},)"
                             R"("ok":{"dtype":"BOOL","shape":[1,3],"data_offsets":[16,19]}})";
  const std::string data = le_bytes<int32_t>({INT32_MIN, 7}) + le_bytes<int16_t>({-32768, 32767}) +
                           le_bytes<int8_t>({-128, 127}) + le_bytes<uint8_t>({0, 255}) +
                           le_bytes<uint8_t>({0, 1, 1});
  write_bytes(path("i.safetensors"), file_bytes(header, data));
  const io::SafetensorsFile file = load_safetensors(path("i.safetensors"));
  for (const auto& [name, t] : file.tensors) EXPECT_EQ(t.dtype(), DType::i64) << name;
  EXPECT_EQ(to_vector<int64_t>(file.tensors.at("i32")), (std::vector<int64_t>{INT32_MIN, 7}));
  EXPECT_EQ(to_vector<int64_t>(file.tensors.at("i16")), (std::vector<int64_t>{-32768, 32767}));
  EXPECT_EQ(to_vector<int64_t>(file.tensors.at("i8")), (std::vector<int64_t>{-128, 127}));
  EXPECT_EQ(to_vector<int64_t>(file.tensors.at("u8")), (std::vector<int64_t>{0, 255}));
  EXPECT_EQ(file.tensors.at("ok").shape(), (Shape{1, 3}));
  EXPECT_EQ(to_vector<int64_t>(file.tensors.at("ok")), (std::vector<int64_t>{0, 1, 1}));
}

// ---- malformed files (Note [safetensors validation]) ---------------------------------------

constexpr const char* kEntryA = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

TEST_F(Safetensors, RejectsAMissingFileAndADirectory) {
  expect_load_error(path("missing.safetensors"), {"cannot open", "No such file or directory"});
  fs::create_directory(path("dir"));
  expect_load_error(path("dir"), {"not a regular file"});
}

TEST_F(Safetensors, RejectsAFileShorterThanTheLengthPrefix) {
  write_bytes(path("t.safetensors"), std::string("\x05\x00\x00", 3));
  expect_load_error(path("t.safetensors"), {"the file has 3 bytes", "8-byte header length"});
  write_bytes(path("e.safetensors"), "");
  expect_load_error(path("e.safetensors"), {"the file has 0 bytes"});
}

TEST_F(Safetensors, RejectsAHeaderLengthPastTheEndOfTheFile) {
  write_bytes(path("p.safetensors"), file_bytes("{}", "", 100));
  expect_load_error(path("p.safetensors"), {"header length 100 runs past the end of the file"});
}

TEST_F(Safetensors, RejectsAHugeDeclaredHeaderLength) {
  write_bytes(path("h.safetensors"), file_bytes("{}", "", uint64_t{1} << 62));
  expect_load_error(path("h.safetensors"), {"header length 4611686018427387904 exceeds the limit"});
  write_bytes(path("m.safetensors"), file_bytes("{}", "", UINT64_MAX - 1));
  expect_load_error(path("m.safetensors"), {"exceeds the limit"});
}

TEST_F(Safetensors, RejectsAHeaderThatIsNotJson) {
  write_bytes(path("j.safetensors"), file_bytes(R"({"a": {"dtype": )", ""));
  expect_load_error(path("j.safetensors"), {"not valid JSON"});
  write_bytes(path("z.safetensors"), file_bytes("", ""));
  expect_load_error(path("z.safetensors"), {"must be a JSON object"});
  write_bytes(path("g.safetensors"), file_bytes("{} trailing", ""));
  expect_load_error(path("g.safetensors"), {"not valid JSON"});
  write_bytes(path("u.safetensors"), file_bytes("{\"\xff\": 1}", ""));  // not UTF-8
  expect_load_error(path("u.safetensors"), {"not valid JSON"});
}

TEST_F(Safetensors, RejectsAHeaderThatIsNotAnObject) {
  write_bytes(path("l.safetensors"), file_bytes("[1, 2]", ""));
  expect_load_error(path("l.safetensors"), {"must be a JSON object"});
  write_bytes(path("e.safetensors"), file_bytes(R"({"a": 1})", ""));
  expect_load_error(path("e.safetensors"), {"tensor 'a'", "expected {\"dtype\""});
}

TEST_F(Safetensors, RejectsAnEntryWithAMissingField) {
  write_bytes(path("m.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", std::string(8, '\0')));
  expect_load_error(path("m.safetensors"), {"tensor 'w'", "missing 'shape'"});
}

TEST_F(Safetensors, RejectsFieldsOfTheWrongType) {
  const std::string data(8, '\0');
  write_bytes(path("d.safetensors"),
              file_bytes(R"({"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})", data));
  expect_load_error(path("d.safetensors"), {"tensor 'w'", "'dtype' must be a string"});
  write_bytes(path("s.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})", data));
  expect_load_error(path("s.safetensors"), {"tensor 'w'", "'shape' must be a list"});
  write_bytes(path("f.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", data));
  expect_load_error(path("f.safetensors"), {"tensor 'w'", "non-negative integers"});
  write_bytes(path("o.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8]}})", data));
  expect_load_error(path("o.safetensors"), {"tensor 'w'", "'data_offsets' must be [begin, end]"});
  write_bytes(path("n.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", data));
  expect_load_error(path("n.safetensors"), {"tensor 'w'", "'data_offsets' must be [begin, end]"});
}

TEST_F(Safetensors, RejectsAnUnknownDtype) {
  write_bytes(path("u.safetensors"),
              file_bytes(R"({"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", "ab"));
  expect_load_error(path("u.safetensors"), {"tensor 'w'", "unsupported dtype 'F8_E4M3'", "F32"});
}

TEST_F(Safetensors, RejectsANegativeDimension) {
  write_bytes(path("n.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
                         std::string(8, '\0')));
  expect_load_error(path("n.safetensors"), {"tensor 'w'", "non-negative integers", "-2"});
}

TEST_F(Safetensors, RejectsAShapeWhoseByteSizeOverflows) {
  // 2^32 · 2^32 · 4 bytes wraps to 0 in 64 bits, which would match the empty offsets.
  write_bytes(path("o.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],)"
                         R"("data_offsets":[0,0]}})",
                         ""));
  expect_load_error(path("o.safetensors"), {"tensor 'w'", "overflows"});
}

TEST_F(Safetensors, RejectsAShapeThatDoesNotMatchTheByteLength) {
  write_bytes(path("s.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})",
                         std::string(20, '\0')));
  expect_load_error(
      path("s.safetensors"),
      {"tensor 'w'", "(2, 3) of F32 needs 24 bytes but data_offsets [0, 20] hold 20"});
}

TEST_F(Safetensors, RejectsUnorderedOffsets) {
  write_bytes(path("u.safetensors"),
              file_bytes(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})",
                         std::string(8, '\0')));
  expect_load_error(path("u.safetensors"), {"tensor 'w'", "not ordered"});
}

TEST_F(Safetensors, RejectsOffsetsPastTheEndOfTheFile) {
  write_bytes(path("o.safetensors"), file_bytes(std::string("{") + kEntryA + "}", "1234"));
  expect_load_error(path("o.safetensors"),
                    {"tensor 'a'", "extend past the end of the file (the data section has 4"});
}

TEST_F(Safetensors, RejectsOverlappingTensors) {
  write_bytes(path("o.safetensors"),
              file_bytes(std::string("{") + kEntryA +
                             R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                         std::string(12, '\0')));
  expect_load_error(path("o.safetensors"), {"tensor 'b'", "overlaps tensor 'a'"});
}

TEST_F(Safetensors, RejectsAHoleInTheData) {
  write_bytes(path("h.safetensors"),
              file_bytes(std::string("{") + kEntryA +
                             R"(,"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})",
                         std::string(16, '\0')));
  expect_load_error(path("h.safetensors"), {"tensor 'b'", "hole of 4 bytes after tensor 'a'"});
  write_bytes(path("t.safetensors"), file_bytes(std::string("{") + kEntryA + "}", "0123456789"));
  expect_load_error(path("t.safetensors"), {"has 10 bytes but the tensors cover only 8"});
}

TEST_F(Safetensors, RejectsMetadataThatIsNotStringToString) {
  const std::string data(8, '\0');
  write_bytes(path("m.safetensors"),
              file_bytes(std::string(R"({"__metadata__":{"k":1},)") + kEntryA + "}", data));
  expect_load_error(path("m.safetensors"), {"'__metadata__' entry 'k' must be a string"});
  write_bytes(path("l.safetensors"),
              file_bytes(std::string(R"({"__metadata__":["k"],)") + kEntryA + "}", data));
  expect_load_error(path("l.safetensors"), {"'__metadata__' must be an object of strings"});
}

TEST_F(Safetensors, RejectsDuplicateKeys) {
  // JSON parsers keep the last duplicate silently; the loader refuses the ambiguity.
  const std::string data(8, '\0');
  write_bytes(path("d.safetensors"),
              file_bytes(std::string("{") + kEntryA + "," + kEntryA + "}", data));
  expect_load_error(path("d.safetensors"), {"duplicate key 'a'"});
  write_bytes(
      path("n.safetensors"),
      file_bytes(R"({"a":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}})", data));
  expect_load_error(path("n.safetensors"), {"duplicate key 'dtype' in 'a'"});
}

TEST_F(Safetensors, AcceptsAHandWrittenMinimalFile) {
  // The cases above fail for the reason they name: the same file, well-formed, loads.
  write_bytes(path("ok.safetensors"),
              file_bytes(std::string("{") + kEntryA + "}  ", le_bytes<float>({1.f, 2.f})));
  EXPECT_EQ(to_vector<float>(load_safetensors(path("ok.safetensors")).tensors.at("a")),
            (std::vector<float>{1.f, 2.f}));
  write_bytes(path("none.safetensors"), file_bytes("{}", ""));
  EXPECT_TRUE(load_safetensors(path("none.safetensors")).tensors.empty());
}

// ---- writing: errors and atomicity ---------------------------------------------------------

TEST_F(Safetensors, AFailedWriteLeavesNoFile) {
  const std::string missing_dir = path("no/such/dir/x.safetensors");
  try {
    save_safetensors(missing_dir, {{"x", ones({2})}});
    ADD_FAILURE() << "expected fftune::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(missing_dir), std::string::npos) << message;
    EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
  }
  EXPECT_FFTUNE_ERROR(save_safetensors(path("c.safetensors"), {{"z", zeros({2}, DType::c128)}}),
                      "tensor 'z': dtype c128 has no safetensors equivalent");
  EXPECT_FFTUNE_ERROR(save_safetensors(path("d.safetensors"), {{"x", ones({1})}, {"x", ones({1})}}),
                      "tensor 'x': duplicate name");
  EXPECT_FFTUNE_ERROR(save_safetensors(path("u.safetensors"), {{"x", Tensor()}}),
                      "tensor 'x': the tensor is undefined");
  EXPECT_FFTUNE_ERROR(save_safetensors(path("r.safetensors"), {{"__metadata__", ones({1})}}),
                      "reserved");
  EXPECT_FFTUNE_ERROR(save_safetensors(path("b.safetensors"), {{"\xff", ones({1})}}),
                      "valid UTF-8");
  EXPECT_TRUE(listing().empty()) << listing().front();
}

TEST_F(Safetensors, ReplacesAnExistingFileAtomically) {
  const std::string p = path("r.safetensors");
  save_safetensors(p, {{"x", from_vector<float>({1, 2}, {2})}});
  const std::string before = read_bytes(p);
  // A failed save leaves the old file as it was.
  EXPECT_FFTUNE_ERROR(save_safetensors(p, {{"y", ones({3})}, {"z", zeros({1}, DType::c128)}}),
                      "c128");
  EXPECT_EQ(read_bytes(p), before);
  // A successful one replaces it; no temporary file remains.
  save_safetensors(p, {{"y", from_vector<int64_t>({3}, {1})}}, {{"k", "v"}});
  const io::SafetensorsFile file = load_safetensors(p);
  EXPECT_EQ(file.tensors.count("x"), 0u);
  EXPECT_EQ(to_vector<int64_t>(file.tensors.at("y")), (std::vector<int64_t>{3}));
  EXPECT_EQ(listing(), (std::vector<std::string>{"r.safetensors"}));
}

TEST_F(Safetensors, ShapesWithAZeroAndHugeSizesAreRefused) {
  // tests/fixtures/hostile: (2^62, 3, 0) of U8 and (0, 2^62, 4) of F32 hold no bytes, so they
  // passed the length check, then overflowed int64 in the element count and the strides.
  EXPECT_FFTUNE_ERROR(
      load_safetensors(testing::fixture_path("hostile/st_numel_overflow.safetensors")),
      "tensor 't': shape (4611686018427387904, 3, 0) of U8 is too large");
  EXPECT_FFTUNE_ERROR(
      load_safetensors(testing::fixture_path("hostile/st_strides_overflow.safetensors")),
      "tensor 't': shape (0, 4611686018427387904, 4) of F32 is too large");
}

TEST(Shape, ProductsOfSizesAreChecked) {
  EXPECT_EQ(numel_of({2, 3, 0}), 0);
  EXPECT_EQ(numel_of({}), 1);
  EXPECT_EQ(contiguous_strides({2, 0, 5}), (Shape{5, 5, 1}));
  const int64_t huge = int64_t{1} << 62;
  EXPECT_FFTUNE_ERROR(numel_of({huge, 3, 0}), "is too large");
  EXPECT_FFTUNE_ERROR(contiguous_strides({0, huge, 4}), "is too large");
  EXPECT_FFTUNE_ERROR(numel_of({2, -1}), "sizes must be non-negative");
  EXPECT_FFTUNE_ERROR(empty({huge / 2}, DType::f32), "byte size overflows");
}

}  // namespace
}  // namespace fftune
