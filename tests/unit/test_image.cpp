// data/image.cpp: decoding each format against Pillow's decode, corrupt and truncated files,
// resize against PIL bit for bit, crops, flips, RandomResizedCrop, normalisation.
#include <gtest/gtest.h>

#include <zlib.h>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/image.h"
#include "examples/vit_dtd/textures.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::data {
namespace {

using vit_dtd::render_texture;
using vit_dtd::texture_classes;

using testing::fixture_path;
using testing::TempDir;

nlohmann::json read_json(const std::string& name) {
  std::ifstream in(fixture_path(name));
  return nlohmann::json::parse(in);
}

// The input pattern of tools/gen_image_fixtures.py.
Image pattern_image(int64_t h, int64_t w) {
  Image img(h, w);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t c = 0; c < 3; ++c)
        img.at(y, x)[c] = static_cast<uint8_t>((x * 7 + y * 13 + c * 29 + (x * y) % 17 * 5) % 256);
  return img;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

TEST(ImageDecode, EachFormatMatchesPillow) {
  const nlohmann::json fixture = read_json("image_decode.json");
  ASSERT_EQ(fixture["files"].size(), 7u);
  for (const auto& [name, expected] : fixture["files"].items()) {
    SCOPED_TRACE(name);
    const Image img = decode_image(fixture_path("images/" + name));
    ASSERT_EQ(img.height, expected["size"][0].get<int64_t>());
    ASSERT_EQ(img.width, expected["size"][1].get<int64_t>());
    const auto pixels = expected["pixels"].get<std::vector<int>>();
    ASSERT_EQ(img.pixels.size(), pixels.size());
    // Exact for JPEG too: both decode with libjpeg(-turbo)'s accurate integer IDCT and smooth
    // chroma upsampling.
    int worst = 0;
    for (size_t i = 0; i < pixels.size(); ++i) {
      worst = std::max(worst, std::abs(static_cast<int>(img.pixels[i]) - pixels[i]));
    }
    EXPECT_EQ(worst, 0);
  }
}

TEST(ImageDecode, PngRoundTripIsExactAtOddSizes) {
  TempDir dir("fftune_image");
  for (auto [h, w] : {std::pair<int64_t, int64_t>{1, 1}, {3, 17}, {31, 2}}) {
    const Image img = pattern_image(h, w);
    write_png(dir / "a.png", img);
    const Image back = decode_image(dir / "a.png");
    EXPECT_EQ(back.height, h);
    EXPECT_EQ(back.width, w);
    EXPECT_EQ(back.pixels, img.pixels);
  }
}

TEST(ImageDecode, JpegRoundTripIsClose) {
  TempDir dir("fftune_image");
  const Image img = render_texture("marbled", 33, 1, 0);
  write_jpeg(dir / "a.jpg", img, 95);
  const Image back = decode_image(dir / "a.jpg");
  ASSERT_EQ(back.height, 33);
  ASSERT_EQ(back.width, 33);
  double err = 0;
  for (size_t i = 0; i < img.pixels.size(); ++i) err += std::abs(img.pixels[i] - back.pixels[i]);
  EXPECT_LT(err / static_cast<double>(img.pixels.size()), 6.0);
}

TEST(ImageDecode, MissingCorruptAndTruncatedFilesNameTheFile) {
  TempDir dir("fftune_image");
  EXPECT_FFTUNE_ERROR(decode_image(dir / "missing.jpg"), "missing.jpg");

  std::vector<uint8_t> garbage(300);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 31 + 7);
  write_bytes(dir / "garbage.jpg", garbage);
  EXPECT_FFTUNE_ERROR(decode_image(dir / "garbage.jpg"), "garbage.jpg");
  write_bytes(dir / "empty.png", {});
  EXPECT_FFTUNE_ERROR(decode_image(dir / "empty.png"), "empty.png");

  // A JPEG whose header is intact but whose scan data is cut: libjpeg alone would return an
  // image with a grey bottom (a warning); we refuse it, as PIL does.
  const std::vector<uint8_t> jpeg = encode_jpeg(render_texture("grid", 64, 0, 0), 90);
  for (double keep : {0.2, 0.6, 0.95}) {
    const auto n = static_cast<size_t>(keep * static_cast<double>(jpeg.size()));
    write_bytes(dir / "cut.jpg", std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + n));
    EXPECT_FFTUNE_ERROR(decode_image(dir / "cut.jpg"), "cut.jpg");
  }
  // A JPEG cut inside its header.
  write_bytes(dir / "head.jpg", std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + 40));
  EXPECT_FFTUNE_ERROR(decode_image(dir / "head.jpg"), "head.jpg");

  const std::vector<uint8_t> png = encode_png(render_texture("dotted", 48, 0, 0));
  for (double keep : {0.1, 0.5, 0.9}) {
    const auto n = static_cast<size_t>(keep * static_cast<double>(png.size()));
    write_bytes(dir / "cut.png", std::vector<uint8_t>(png.begin(), png.begin() + n));
    EXPECT_FFTUNE_ERROR(decode_image(dir / "cut.png"), "cut.png");
  }
  // Corrupt bytes in the middle of a PNG's compressed data: its CRC and zlib checks catch it.
  std::vector<uint8_t> corrupt = png;
  for (size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 16; ++i) corrupt[i] ^= 0x5A;
  write_bytes(dir / "corrupt.png", corrupt);
  EXPECT_FFTUNE_ERROR(decode_image(dir / "corrupt.png"), "corrupt.png");
}

TEST(ImageDecode, AFullJpegWithTrailingBytesStillDecodes) {
  std::vector<uint8_t> jpeg = encode_jpeg(render_texture("banded", 16, 0, 0), 90);
  jpeg.insert(jpeg.end(), {0, 0, 0, 0});  // some cameras pad after the end marker
  EXPECT_EQ(decode_image_bytes(jpeg, "padded.jpg").width, 16);
}

TEST(ImageResize, MatchesPilBilinear) {
  const nlohmann::json fixture = read_json("image_resize.json");
  ASSERT_EQ(fixture["cases"].size(), 14u);
  for (const auto& c : fixture["cases"]) {
    const int64_t h = c["in"][0], w = c["in"][1], oh = c["out"][0], ow = c["out"][1];
    SCOPED_TRACE(::testing::Message() << h << "x" << w << " -> " << oh << "x" << ow);
    const Image out = resize(pattern_image(h, w), oh, ow);
    ASSERT_EQ(out.height, oh);
    ASSERT_EQ(out.width, ow);
    const auto expected = c["pixels"].get<std::vector<int>>();
    ASSERT_EQ(out.pixels.size(), expected.size());
    // Exact where Pillow ran its passes in our order; otherwise its 8-bit intermediate
    // differs and pixels may be off by one (Note [PIL bilinear]).
    const bool ours_vertical_first = oh < h && ow > w;
    const bool exact = c["vertical_first"].get<bool>() == ours_vertical_first;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_LE(std::abs(static_cast<int>(out.pixels[i]) - expected[i]), exact ? 0 : 1) << i;
    }
  }
}

TEST(ImageResize, HandComputedUpscaleAndIdentity) {
  // 1x2 -> 1x4: output centres at 0.25, 0.75, 1.25, 1.75 of the input; the triangle weights of
  // pixel centres 0.5 and 1.5 give 0, 0.25, 0.75, 1 of the way from a to b (ends clamped).
  Image img(1, 2);
  for (int c = 0; c < 3; ++c) img.at(0, 0)[c] = 0, img.at(0, 1)[c] = 200;
  const Image out = resize(img, 1, 4);
  EXPECT_EQ(out.at(0, 0)[0], 0);
  EXPECT_EQ(out.at(0, 1)[0], 50);
  EXPECT_EQ(out.at(0, 2)[0], 150);
  EXPECT_EQ(out.at(0, 3)[0], 200);
  const Image same = resize(pattern_image(4, 5), 4, 5);
  EXPECT_EQ(same.pixels, pattern_image(4, 5).pixels);
  EXPECT_FFTUNE_ERROR(resize(img, 0, 3), "resize");
}

TEST(ImageResize, ShorterSideFollowsTorchvision) {
  const Image wide = resize_shorter_side(pattern_image(30, 40), 22);
  EXPECT_EQ(wide.height, 22);
  EXPECT_EQ(wide.width, 29);  // int(22 * 40 / 30) = int(29.33)
  const Image tall = resize_shorter_side(pattern_image(41, 13), 7);
  EXPECT_EQ(tall.width, 7);
  EXPECT_EQ(tall.height, 22);  // int(7 * 41 / 13) = int(22.08)
}

TEST(ImageCrop, CenterCropRoundsHalfToEven) {
  const Image img = pattern_image(5, 6);
  // top = round(1.5) = 2, left = round(1.5) = 2 (Python rounds half to even)
  const Image a = center_crop(img, 2, 3);
  EXPECT_EQ(a.pixels, crop(img, 2, 2, 2, 3).pixels);
  // top = round(0.5) = 0, left = round(2.5) = 2
  const Image b = center_crop(img, 4, 1);
  EXPECT_EQ(b.pixels, crop(img, 0, 2, 4, 1).pixels);
  EXPECT_EQ(crop(img, 1, 4, 1, 1).pixels, (std::vector<uint8_t>(img.at(1, 4), img.at(1, 4) + 3)));
  EXPECT_FFTUNE_ERROR(crop(img, 4, 0, 2, 1), "does not fit");
  EXPECT_FFTUNE_ERROR(center_crop(img, 6, 1), "larger");
}

TEST(ImageFlip, MirrorsColumns) {
  const Image img = pattern_image(3, 4);
  const Image f = horizontal_flip(img);
  for (int64_t y = 0; y < 3; ++y)
    for (int64_t x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) EXPECT_EQ(f.at(y, x)[c], img.at(y, 3 - x)[c]);
  EXPECT_EQ(horizontal_flip(f).pixels, img.pixels);
}

TEST(RandomResizedCrop, BoxesAreInsideAndFollowScaleAndRatio) {
  double area_sum = 0;
  const int draws = 4000;
  for (int i = 0; i < draws; ++i) {
    SampleRandom rng(7, 3, static_cast<uint64_t>(i));
    const CropBox b = random_resized_crop_box(300, 400, rng);
    ASSERT_GE(b.top, 0);
    ASSERT_GE(b.left, 0);
    ASSERT_GT(b.height, 0);
    ASSERT_GT(b.width, 0);
    ASSERT_LE(b.top + b.height, 300);
    ASSERT_LE(b.left + b.width, 400);
    const double ratio = static_cast<double>(b.width) / static_cast<double>(b.height);
    // round() of width and height moves the ratio by at most about 1 pixel's worth.
    EXPECT_GE(ratio, 0.75 * (1 - 2.0 / static_cast<double>(b.height)));
    EXPECT_LE(ratio, 4.0 / 3.0 * (1 + 2.0 / static_cast<double>(b.width)));
    area_sum += static_cast<double>(b.height * b.width) / (300.0 * 400.0);
  }
  // torchvision's algorithm run in Python (random.uniform for torch's draws, 400,000 boxes of a
  // 300x400 image) gives a mean area fraction of 0.4330: below the 0.54 of uniform [0.08, 1]
  // because tall boxes of large area do not fit and are redrawn. 4000 draws: standard error
  // 0.004.
  const double mean = area_sum / draws;
  EXPECT_NEAR(mean, 0.4330, 0.02);
}

TEST(RandomResizedCrop, FallbackIsTheCentredRatioClampedImage) {
  // A 2x100 strip: no box of area >= 0.08 · 200 with ratio <= 4/3 fits in 2 rows, so all ten
  // attempts fail; in_ratio = 50 > 4/3 gives h = 2, w = round(2 · 4/3) = 3, centred.
  SampleRandom rng(0, 0, 0);
  const CropBox b = random_resized_crop_box(2, 100, rng);
  EXPECT_EQ(b.height, 2);
  EXPECT_EQ(b.width, 3);
  EXPECT_EQ(b.top, 0);
  EXPECT_EQ(b.left, 48);
  // A tall strip: w = 2, h = round(2 / 0.75) = 3.
  SampleRandom rng2(0, 0, 0);
  const CropBox t = random_resized_crop_box(100, 2, rng2);
  EXPECT_EQ(t.width, 2);
  EXPECT_EQ(t.height, 3);
  EXPECT_EQ(t.top, 48);
}

TEST(RandomResizedCrop, DrawsAreKeyedBySeedEpochAndSample) {
  auto box = [](uint64_t seed, uint64_t epoch, uint64_t index) {
    SampleRandom rng(seed, epoch, index);
    const CropBox b = random_resized_crop_box(500, 500, rng);
    return std::vector<int64_t>{b.top, b.left, b.height, b.width};
  };
  EXPECT_EQ(box(1, 2, 3), box(1, 2, 3));
  EXPECT_NE(box(1, 2, 3), box(1, 2, 4));
  EXPECT_NE(box(1, 2, 3), box(1, 3, 3));
  EXPECT_NE(box(1, 2, 3), box(2, 2, 3));
}

TEST(ImageNormalize, ChannelsFirstWithMeanAndStd) {
  Image img(1, 2);
  const uint8_t px[6] = {0, 255, 51, 255, 0, 102};
  std::copy(px, px + 6, img.pixels.begin());
  Normalization norm;
  norm.mean = {0.5f, 0.0f, 0.2f};
  norm.std = {0.5f, 1.0f, 0.25f};
  const Tensor t = to_normalized_tensor(img, norm);
  EXPECT_EQ(t.shape(), (Shape{3, 1, 2}));
  const auto v = to_vector<float>(t);
  // channel 0: (0 - .5)/.5, (1 - .5)/.5; channel 1: 1, 0; channel 2: (.2-.2)/.25, (.4-.2)/.25
  const std::vector<float> expected = {-1, 1, 1, 0, 0, 0.8f};
  for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(v[i], expected[i], 1e-6) << i;
}

TEST(ImageNormalize, ReadsPreprocessorConfig) {
  TempDir dir("fftune_image");
  const Normalization absent = read_normalization(dir.path().string());
  EXPECT_EQ(absent.mean, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
  EXPECT_EQ(absent.std, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
  {
    std::ofstream out(dir / "preprocessor_config.json");
    out << R"({"image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225],
               "size": 224})";
  }
  const Normalization imagenet = read_normalization(dir.path().string());
  EXPECT_FLOAT_EQ(imagenet.mean[1], 0.456f);
  EXPECT_FLOAT_EQ(imagenet.std[2], 0.225f);
  {
    std::ofstream out(dir / "preprocessor_config.json");
    out << R"({"image_mean": [0.5, 0.5]})";
  }
  EXPECT_FFTUNE_ERROR(read_normalization(dir.path().string()), "preprocessor_config.json");
  {
    std::ofstream out(dir / "preprocessor_config.json");
    out << "{not json";
  }
  EXPECT_FFTUNE_ERROR(read_normalization(dir.path().string()), "not valid JSON");
}

TEST(ImageTransform, EvalIsResizeThenCenterCrop) {
  const Image img = render_texture("honeycombed", 50, 0, 1);
  TransformOptions eval;
  eval.kind = TransformOptions::Kind::kEval;
  eval.size = 24;
  eval.resize_size = 28;
  const Image out = apply_transform(img, eval, 0, 0, 0);
  EXPECT_EQ(out.pixels, center_crop(resize_shorter_side(img, 28), 24, 24).pixels);
}

TEST(ImageTransform, TrainIsCropResizeAndFlipFromTheSampleDraws) {
  const Image img = render_texture("zigzagged", 60, 0, 2);
  TransformOptions train;
  train.size = 20;
  int flips = 0;
  for (uint64_t i = 0; i < 40; ++i) {
    const Image out = apply_transform(img, train, 5, 1, i);
    SampleRandom rng(5, 1, i);
    const CropBox b = random_resized_crop_box(60, 60, rng);
    Image expected = resize(crop(img, b.top, b.left, b.height, b.width), 20, 20);
    if (rng.uniform() < 0.5) {
      expected = horizontal_flip(expected);
      ++flips;
    }
    ASSERT_EQ(out.pixels, expected.pixels) << i;
  }
  EXPECT_GT(flips, 5);
  EXPECT_LT(flips, 35);
}

// ---- hostile files (issue 14; tests/fixtures/hostile) ----

TEST(ImageDecode, HostileJpegsAreErrorsNamingTheFile) {
  // A 9-byte JPEG whose Huffman table defines more than 256 codes (an out-of-bounds write in
  // stb_image), and a progressive JPEG with no Huffman table (reads of uninitialised tables;
  // run under ASan with ASAN_OPTIONS=malloc_fill_byte=255 to see them).
  for (const char* name : {"jpeg_dht_overflow.jpg", "jpeg_prog_uninit_huffman.jpg"}) {
    const std::string path = fixture_path(std::string("hostile/") + name);
    EXPECT_FFTUNE_ERROR(decode_image(path), "decode_image: cannot decode '" + path + "'");
  }
}

// A PNG signature, an IHDR chunk declaring height × width 8-bit RGB and an empty IDAT: enough
// for a decoder to size its buffers (what the 389 KB 20000 × 20000 reproducer does).
std::vector<uint8_t> png_header(uint32_t height, uint32_t width) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};
  const size_t chunk = b.size();
  for (char c : std::string("IHDR")) b.push_back(static_cast<uint8_t>(c));
  for (uint32_t v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(v >> shift));
  for (uint8_t v : {8, 2, 0, 0, 0}) b.push_back(v);  // depth, RGB, deflate, filter, no interlace
  const uLong crc = crc32(0, b.data() + chunk, static_cast<uInt>(b.size() - chunk));
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(crc >> shift));
  // An empty IDAT chunk (its CRC is that of the bytes "IDAT"): the header reader stops there.
  b.insert(b.end(), {0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x35, 0xAF, 0x06, 0x1E});
  return b;
}

TEST(ImageDecode, PixelLimitRefusesDecompressionBombsBeforeAllocating) {
  EXPECT_FFTUNE_ERROR(decode_image_bytes(png_header(20000, 20000), "bomb.png"),
                      "decode_image: 'bomb.png' is 20000x20000 = 400000000 pixels, over the limit "
                      "of 178956970");
  // The same header under the limit gets as far as the (missing) pixel data.
  EXPECT_FFTUNE_ERROR(decode_image_bytes(png_header(20, 20), "small.png"),
                      "cannot decode 'small.png'");
  // Per call, and process-wide, for both formats.
  const std::vector<uint8_t> jpeg = encode_jpeg(render_texture("grid", 64, 0, 0), 90);
  const std::vector<uint8_t> png = encode_png(render_texture("grid", 64, 0, 0));
  EXPECT_EQ(decode_image_bytes(jpeg, "a.jpg", 64 * 64).width, 64);
  EXPECT_FFTUNE_ERROR(decode_image_bytes(jpeg, "a.jpg", 64 * 64 - 1), "over the limit of 4095");
  EXPECT_FFTUNE_ERROR(decode_image_bytes(png, "a.png", 100), "'a.png' is 64x64");
  EXPECT_EQ(max_image_pixels(), kDefaultMaxImagePixels);
  set_max_image_pixels(1000);
  EXPECT_FFTUNE_ERROR(decode_image_bytes(png, "a.png"), "over the limit of 1000");
  set_max_image_pixels(kDefaultMaxImagePixels);
  EXPECT_EQ(decode_image_bytes(png, "a.png").height, 64);
  EXPECT_FFTUNE_ERROR(set_max_image_pixels(0), "must be positive");
}

TEST(ImageDecode, UnknownFormatsAreRefused) {
  EXPECT_FFTUNE_ERROR(decode_image_bytes({'G', 'I', 'F', '8', '9', 'a', 0, 0}, "x.gif"),
                      "'x.gif': not a JPEG or PNG file");
}

}  // namespace
}  // namespace fftune::data
