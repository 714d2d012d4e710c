// examples/vit_dtd/textures.cpp: the generated dataset is a valid DTD tree that read_dtd accepts,
// is deterministic per seed, and its images show their pattern (not flat, not noise).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "data/dtd.h"
#include "examples/vit_dtd/textures.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::data {
namespace {

using vit_dtd::render_texture;
using vit_dtd::texture_classes;
using vit_dtd::TextureDatasetOptions;
using vit_dtd::write_texture_dataset;

namespace fs = std::filesystem;
using testing::TempDir;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Textures, DatasetIsAValidDtdTree) {
  TempDir dir("fftune_textures");
  TextureDatasetOptions options;
  options.root = dir.path().string();
  options.image_size = 32;
  options.images_per_class = 7;  // thirds: 2 train, 2 val, 3 test
  options.num_splits = 2;
  write_texture_dataset(options);
  for (int k = 1; k <= 2; ++k) {
    const ImageSplits s = read_dtd(options.root, k);
    EXPECT_EQ(s.train.classes, texture_classes());
    EXPECT_EQ(s.train.samples.size(), 8u * 2);
    EXPECT_EQ(s.val.samples.size(), 8u * 2);
    EXPECT_EQ(s.test->samples.size(), 8u * 3);
    std::set<std::string> all;
    for (const auto* d : {&s.train, &s.val, &*s.test}) {
      for (const auto& item : d->samples) all.insert(item.path);
    }
    EXPECT_EQ(all.size(), 8u * 7);  // the three splits partition the images
    const Image img = decode_image(s.train.samples[0].path);
    EXPECT_EQ(img.height, 32);
    EXPECT_EQ(img.width, 32);
  }
  EXPECT_NE(read_text(dir.path() / "labels/train1.txt"),
            read_text(dir.path() / "labels/train2.txt"));
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  }
  EXPECT_TRUE(fs::exists(dir.path() / "images/honeycombed/honeycombed_0007.jpg"));
}

TEST(Textures, DeterministicPerSeed) {
  TempDir a("fftune_textures"), b("fftune_textures");
  TextureDatasetOptions options;
  options.image_size = 24;
  options.images_per_class = 3;
  options.num_splits = 1;
  options.classes = {"dotted", "swirly"};
  options.seed = 9;
  options.root = a.path().string();
  write_texture_dataset(options);
  options.root = b.path().string();
  write_texture_dataset(options);
  for (const char* f : {"images/dotted/dotted_0002.jpg", "images/swirly/swirly_0003.jpg",
                        "labels/val1.txt", "labels/test1.txt"}) {
    EXPECT_EQ(read_text(a.path() / f), read_text(b.path() / f)) << f;
  }
  EXPECT_EQ(render_texture("grid", 40, 1, 2).pixels, render_texture("grid", 40, 1, 2).pixels);
  EXPECT_NE(render_texture("grid", 40, 1, 2).pixels, render_texture("grid", 40, 2, 2).pixels);
  EXPECT_NE(render_texture("grid", 40, 1, 2).pixels, render_texture("grid", 40, 1, 3).pixels);
}

// The luminance standard deviation of the image, and of the image minus a one-pixel shift:
// a pattern has large overall contrast but is smooth from pixel to pixel, unlike pure noise.
std::pair<double, double> contrast_and_roughness(const Image& img) {
  auto lum = [&](int64_t y, int64_t x) {
    const uint8_t* p = img.at(y, x);
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
  };
  double sum = 0, sum2 = 0, diff2 = 0;
  const double n = static_cast<double>(img.height * img.width);
  for (int64_t y = 0; y < img.height; ++y) {
    for (int64_t x = 0; x < img.width; ++x) {
      sum += lum(y, x);
      sum2 += lum(y, x) * lum(y, x);
      if (x > 0) diff2 += (lum(y, x) - lum(y, x - 1)) * (lum(y, x) - lum(y, x - 1));
    }
  }
  const double mean = sum / n;
  return {std::sqrt(sum2 / n - mean * mean), std::sqrt(diff2 / n)};
}

TEST(Textures, EveryClassDrawsAStructuredPattern) {
  for (const std::string& cls : texture_classes()) {
    for (int64_t i = 0; i < 4; ++i) {
      const auto [contrast, roughness] = contrast_and_roughness(render_texture(cls, 64, 3, i));
      EXPECT_GT(contrast, 12.0) << cls << " " << i;
      EXPECT_LT(roughness, contrast) << cls << " " << i;
    }
  }
}

TEST(Textures, Errors) {
  EXPECT_FFTUNE_ERROR(render_texture("paisley", 32, 0, 0), "unknown texture class 'paisley'");
  EXPECT_FFTUNE_ERROR(render_texture("grid", 4, 0, 0), "size");
  TextureDatasetOptions options;
  options.root = "/tmp/unused";
  options.images_per_class = 2;
  EXPECT_FFTUNE_ERROR(write_texture_dataset(options), "images_per_class");
}

}  // namespace
}  // namespace fftune::data
