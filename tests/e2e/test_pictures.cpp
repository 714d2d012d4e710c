// tools/fourierft_pictures: runs the binary into a fresh folder and checks that every picture
// exists, is a PNG (signature and IHDR chunk) of the expected size, and that no temporary file
// is left behind.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Reads a big-endian 32-bit integer.
uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

struct PngHeader {
  bool valid = false;
  uint32_t width = 0, height = 0;
};

PngHeader read_png_header(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::array<unsigned char, 24> head{};
  file.read(reinterpret_cast<char*>(head.data()), head.size());
  PngHeader h;
  const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (!file || !std::equal(signature, signature + 8, head.begin())) return h;
  // The first chunk must be IHDR (length 13): width and height follow its type.
  if (be32(&head[8]) != 13 || std::string(head.begin() + 12, head.begin() + 16) != "IHDR") return h;
  h.valid = true;
  h.width = be32(&head[16]);
  h.height = be32(&head[20]);
  return h;
}

class PicturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fftune_pictures_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    fs::remove(dir_.string() + ".log");
  }
  int run(const std::string& args) {
    const std::string command =
        std::string(FFTUNE_PICTURES_BIN) + " " + args + " > " + dir_.string() + ".log";
    return std::system(command.c_str());
  }
  fs::path dir_;
};

TEST_F(PicturesTest, WritesEveryPictureAsAValidPng) {
  ASSERT_EQ(run("--out " + dir_.string()), 0);
  const std::vector<std::string> names = {
      "entries_uniform.png", "entries_biased_fc200.png", "band_fc0.png",
      "band_fc100.png",      "band_fc200.png",           "band_fc350.png",
      "band_fc480.png",      "delta_w_uniform.png",      "delta_w_lowfreq.png"};
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const fs::path path = dir_ / name;
    ASSERT_TRUE(fs::exists(path));
    const PngHeader h = read_png_header(path);
    EXPECT_TRUE(h.valid);
    // 768 × 768 reduced by 2, or a block of ΔW enlarged to 384 × 384.
    EXPECT_EQ(h.width, 384u);
    EXPECT_EQ(h.height, 384u);
    EXPECT_GT(fs::file_size(path), 100u);
  }
  // Nothing but the pictures: the temporary files were renamed away.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()),
            static_cast<std::ptrdiff_t>(names.size()));
}

TEST_F(PicturesTest, MaxPxSetsTheSize) {
  ASSERT_EQ(run("--out " + dir_.string() + " --max-px 200"), 0);
  // 768 reduced by the smallest integer factor that fits in 200 px: 4, so 192.
  const PngHeader band = read_png_header(dir_ / "band_fc200.png");
  EXPECT_TRUE(band.valid);
  EXPECT_EQ(band.width, 192u);
  // A 50 × 50 block of ΔW enlarged 4×, and a 200 × 200 block at 1×.
  EXPECT_EQ(read_png_header(dir_ / "delta_w_uniform.png").width, 200u);
  EXPECT_EQ(read_png_header(dir_ / "delta_w_lowfreq.png").width, 200u);
}

TEST_F(PicturesTest, RejectsBadArguments) {
  EXPECT_NE(run("2>/dev/null"), 0);
  EXPECT_NE(run("--out " + dir_.string() + " --bogus 2>/dev/null"), 0);
  EXPECT_FALSE(fs::exists(dir_));
}

}  // namespace
