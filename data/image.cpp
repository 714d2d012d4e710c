// Decoding, encoding, transforms and normalisation of 8-bit RGB images (data/image.h).
#include "data/image.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "core/tensor/factory.h"
#include "core/tensor/philox.h"

// stb_image_write encodes our own images (demo data, tests); decoding, of files that may come
// from anywhere, is image_decode.cpp's. STATIC keeps stb's symbols private to this file, so a
// program that also compiles stb itself links without clashes.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#pragma GCC diagnostic pop

namespace fftune::data {

// ---- encoding --------------------------------------------------------------------------------

namespace {

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

void check_encodable(const Image& image, const char* what) {
  FFTUNE_CHECK(image.height > 0 && image.width > 0 && image.height < 65536 && image.width < 65536 &&
                   image.pixels.size() == static_cast<size_t>(image.height * image.width * 3),
               what,
               ": image must be a non-empty (H, W, 3) buffer below 65536 pixels a side, got (",
               image.height, ", ", image.width, ") with ", image.pixels.size(), " bytes");
}

}  // namespace

std::vector<uint8_t> encode_jpeg(const Image& image, int quality) {
  check_encodable(image, "encode_jpeg");
  FFTUNE_CHECK(quality >= 1 && quality <= 100, "encode_jpeg: quality must be in [1, 100], got ",
               quality);
  std::vector<uint8_t> out;
  FFTUNE_CHECK(
      stbi_write_jpg_to_func(append_bytes, &out, static_cast<int>(image.width),
                             static_cast<int>(image.height), 3, image.pixels.data(), quality) != 0,
      "encode_jpeg: stb_image_write failed");
  return out;
}

std::vector<uint8_t> encode_png(const Image& image) {
  check_encodable(image, "encode_png");
  std::vector<uint8_t> out;
  FFTUNE_CHECK(stbi_write_png_to_func(append_bytes, &out, static_cast<int>(image.width),
                                      static_cast<int>(image.height), 3, image.pixels.data(),
                                      static_cast<int>(image.width * 3)) != 0,
               "encode_png: stb_image_write failed");
  return out;
}

void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes) {
  static std::atomic<uint64_t> counter{0};  // distinct names for concurrent writers
  const std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    FFTUNE_CHECK(out, "write_file_atomically: cannot create '", temp, "': ", std::strerror(errno));
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::remove(temp.c_str());
      FFTUNE_FAIL("write_file_atomically: writing '", temp, "' failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::remove(temp.c_str());
    FFTUNE_FAIL("write_file_atomically: renaming '", temp, "' to '", path,
                "' failed: ", ec.message());
  }
}

void write_jpeg(const std::string& path, const Image& image, int quality) {
  write_file_atomically(path, encode_jpeg(image, quality));
}

void write_png(const std::string& path, const Image& image) {
  write_file_atomically(path, encode_png(image));
}

// ---- resize ----------------------------------------------------------------------------------

// Note [PIL bilinear]
// PIL's Image.resize(BILINEAR) (libImaging/Resample.c), reproduced bit for bit. It is separable:
// each output column x (then row) is a weighted sum of the inputs around its centre
// c = (x + 0.5)·s, s = in/out, with weights from the triangle 1 − |t|. When downscaling
// (s > 1) the triangle is stretched by s, so every input pixel contributes (this is the
// "antialias" that torchvision's tensor path imitates with antialias=True); when upscaling it
// is plain bilinear interpolation between the two nearest pixel centres. Weights are normalised
// to sum to 1 and rounded to fixed point with 22 fractional bits; each pass rounds its result
// to 8 bits between the passes, so their order matters. libImaging's Resample.c runs the
// horizontal pass first; Pillow 13 runs the vertical pass first for some sizes. Comparing both
// orders with Pillow 13 over random sizes (tools/gen_image_fixtures.py records which one each
// fixture case used): vertical first whenever the image shrinks vertically and grows
// horizontally, horizontal first whenever it grows vertically; when it shrinks both ways the
// order varies by a rule we have not pinned down, and we run horizontal first (Pillow's most
// common choice there), so a few pixels may differ by 1. A one-axis resize is always exact.
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct ResampleCoefficients {
  int64_t taps = 0;             // weights per output pixel (the kernel size)
  std::vector<int64_t> first;   // (out) first input index
  std::vector<int64_t> count;   // (out) number of inputs used
  std::vector<int32_t> weight;  // (out, taps) fixed-point weights
};

ResampleCoefficients bilinear_coefficients(int64_t in_size, int64_t out_size) {
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;  // the triangle's support is 1
  ResampleCoefficients c;
  c.taps = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  c.first.resize(static_cast<size_t>(out_size));
  c.count.resize(static_cast<size_t>(out_size));
  c.weight.assign(static_cast<size_t>(out_size * c.taps), 0);
  std::vector<double> w(static_cast<size_t>(c.taps));
  for (int64_t x = 0; x < out_size; ++x) {
    const double center = (static_cast<double>(x) + 0.5) * scale;
    // (int) truncation, as in C, then clamped to the image.
    const int64_t lo = std::max<int64_t>(static_cast<int>(center - support + 0.5), 0);
    const int64_t hi = std::min<int64_t>(static_cast<int>(center + support + 0.5), in_size);
    double total = 0;
    for (int64_t i = 0; i < hi - lo; ++i) {
      const double t = std::abs((static_cast<double>(i + lo) - center + 0.5) / filter_scale);
      w[static_cast<size_t>(i)] = t < 1.0 ? 1.0 - t : 0.0;
      total += w[static_cast<size_t>(i)];
    }
    for (int64_t i = 0; i < hi - lo; ++i) {
      const double v = total != 0.0 ? w[static_cast<size_t>(i)] / total : w[static_cast<size_t>(i)];
      c.weight[static_cast<size_t>(x * c.taps + i)] = static_cast<int32_t>(
          v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    c.first[static_cast<size_t>(x)] = lo;
    c.count[static_cast<size_t>(x)] = hi - lo;
  }
  return c;
}

inline uint8_t clip8(int32_t v) {
  const int32_t shifted = v >> kPrecisionBits;
  return static_cast<uint8_t>(std::clamp(shifted, 0, 255));
}

// One pass along x or along y: out[o] = Σ_i w_i · in[first_o + i], rounded to 8 bits.
Image resample_horizontal(const Image& in, int64_t out_width) {
  const ResampleCoefficients c = bilinear_coefficients(in.width, out_width);
  Image out(in.height, out_width);
  for (int64_t y = 0; y < in.height; ++y) {
    for (int64_t x = 0; x < out_width; ++x) {
      const int32_t* w = c.weight.data() + x * c.taps;
      const uint8_t* src = in.at(y, c.first[static_cast<size_t>(x)]);
      int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      for (int64_t i = 0; i < c.count[static_cast<size_t>(x)]; ++i) {
        s0 += src[3 * i + 0] * w[i];
        s1 += src[3 * i + 1] * w[i];
        s2 += src[3 * i + 2] * w[i];
      }
      uint8_t* dst = out.at(y, x);
      dst[0] = clip8(s0), dst[1] = clip8(s1), dst[2] = clip8(s2);
    }
  }
  return out;
}

Image resample_vertical(const Image& in, int64_t out_height) {
  const ResampleCoefficients c = bilinear_coefficients(in.height, out_height);
  Image out(out_height, in.width);
  const int64_t row = in.width * 3;
  for (int64_t y = 0; y < out_height; ++y) {
    const int32_t* w = c.weight.data() + y * c.taps;
    const uint8_t* src = in.at(c.first[static_cast<size_t>(y)], 0);
    uint8_t* dst = out.at(y, 0);
    for (int64_t x = 0; x < row; ++x) {
      int32_t s = 1 << (kPrecisionBits - 1);
      for (int64_t i = 0; i < c.count[static_cast<size_t>(y)]; ++i) s += src[i * row + x] * w[i];
      dst[x] = clip8(s);
    }
  }
  return out;
}

void check_image(const Image& image, const char* op) {
  FFTUNE_CHECK(image.height > 0 && image.width > 0 &&
                   image.pixels.size() == static_cast<size_t>(image.height * image.width * 3),
               op, ": image must be a non-empty (H, W, 3) buffer, got (", image.height, ", ",
               image.width, ") with ", image.pixels.size(), " bytes");
}

}  // namespace

Image resize(const Image& image, int64_t height, int64_t width) {
  check_image(image, "resize");
  FFTUNE_CHECK(height > 0 && width > 0, "resize: target size must be positive, got (", height, ", ",
               width, ")");
  const bool horizontal = width != image.width, vertical = height != image.height;
  if (horizontal && vertical) {
    // Pillow's pass order (Note [PIL bilinear]): vertical first when shrinking vertically and
    // growing horizontally, else horizontal first.
    if (height < image.height && width > image.width) {
      return resample_horizontal(resample_vertical(image, height), width);
    }
    return resample_vertical(resample_horizontal(image, width), height);
  }
  if (horizontal) return resample_horizontal(image, width);
  if (vertical) return resample_vertical(image, height);
  return image;
}

Image resize_shorter_side(const Image& image, int64_t size) {
  check_image(image, "resize_shorter_side");
  FFTUNE_CHECK(size > 0, "resize_shorter_side: size must be positive, got ", size);
  const bool wide = image.width > image.height;
  const int64_t shorter = wide ? image.height : image.width;
  const int64_t longer = wide ? image.width : image.height;
  const auto new_longer = static_cast<int64_t>(
      static_cast<double>(size) * static_cast<double>(longer) / static_cast<double>(shorter));
  return wide ? resize(image, size, new_longer) : resize(image, new_longer, size);
}

// ---- crops and flips -------------------------------------------------------------------------

Image crop(const Image& image, int64_t top, int64_t left, int64_t height, int64_t width) {
  check_image(image, "crop");
  FFTUNE_CHECK(top >= 0 && left >= 0 && height > 0 && width > 0 && top + height <= image.height &&
                   left + width <= image.width,
               "crop: box (top ", top, ", left ", left, ", height ", height, ", width ", width,
               ") does not fit in a ", image.height, "x", image.width, " image");
  Image out(height, width);
  for (int64_t y = 0; y < height; ++y) {
    std::memcpy(out.at(y, 0), image.at(top + y, left), static_cast<size_t>(width * 3));
  }
  return out;
}

Image center_crop(const Image& image, int64_t height, int64_t width) {
  check_image(image, "center_crop");
  FFTUNE_CHECK(height <= image.height && width <= image.width, "center_crop: ", height, "x", width,
               " is larger than the ", image.height, "x", image.width, " image");
  // Python's round (half to even) is std::nearbyint in the default rounding mode.
  const auto top = static_cast<int64_t>(std::nearbyint((image.height - height) / 2.0));
  const auto left = static_cast<int64_t>(std::nearbyint((image.width - width) / 2.0));
  return crop(image, top, left, height, width);
}

Image horizontal_flip(const Image& image) {
  check_image(image, "horizontal_flip");
  Image out(image.height, image.width);
  for (int64_t y = 0; y < image.height; ++y) {
    for (int64_t x = 0; x < image.width; ++x) {
      std::memcpy(out.at(y, image.width - 1 - x), image.at(y, x), 3);
    }
  }
  return out;
}

// ---- random draws ----------------------------------------------------------------------------

// Note [sample random streams]
// Draw d of sample i in epoch e under seed k is Philox(k, stream 2e + 1, counter i·256 + d).
// Even streams are left to the loader's per-epoch shuffle (data/loader.cpp), so the two never
// share bits. A sample uses at most 41 draws (10 crop attempts of 4, one flip).
namespace {
constexpr uint64_t kDrawsPerSample = 256;
}

SampleRandom::SampleRandom(uint64_t seed, uint64_t epoch, uint64_t sample_index)
    : seed_(seed), stream_(2 * epoch + 1), counter_(sample_index * kDrawsPerSample) {}

double SampleRandom::uniform() {
  return philox_uniform_double(philox4x32(seed_, stream_, counter_++));
}

double SampleRandom::uniform(double low, double high) {
  return low + (high - low) * uniform();
}

int64_t SampleRandom::randint(int64_t low, int64_t high) {
  const auto n = static_cast<double>(high - low + 1);
  return low + std::min(static_cast<int64_t>(uniform() * n), high - low);
}

CropBox random_resized_crop_box(int64_t height, int64_t width, SampleRandom& rng,
                                std::array<double, 2> scale, std::array<double, 2> ratio) {
  FFTUNE_CHECK(height > 0 && width > 0, "random_resized_crop: empty image");
  FFTUNE_CHECK(0 < scale[0] && scale[0] <= scale[1] && 0 < ratio[0] && ratio[0] <= ratio[1],
               "random_resized_crop: need 0 < scale[0] <= scale[1] and 0 < ratio[0] <= ratio[1]");
  const double area = static_cast<double>(height * width);
  const double log_lo = std::log(ratio[0]), log_hi = std::log(ratio[1]);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * rng.uniform(scale[0], scale[1]);
    const double aspect = std::exp(rng.uniform(log_lo, log_hi));
    const auto w = static_cast<int64_t>(std::nearbyint(std::sqrt(target_area * aspect)));
    const auto h = static_cast<int64_t>(std::nearbyint(std::sqrt(target_area / aspect)));
    if (0 < w && w <= width && 0 < h && h <= height) {
      const int64_t top = rng.randint(0, height - h);
      const int64_t left = rng.randint(0, width - w);
      return {top, left, h, w};
    }
  }
  // Fallback: the whole image, cut to the nearest allowed aspect ratio, centred.
  const double in_ratio = static_cast<double>(width) / static_cast<double>(height);
  int64_t w = width, h = height;
  if (in_ratio < ratio[0]) {
    h = static_cast<int64_t>(std::nearbyint(static_cast<double>(w) / ratio[0]));
  } else if (in_ratio > ratio[1]) {
    w = static_cast<int64_t>(std::nearbyint(static_cast<double>(h) * ratio[1]));
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

// ---- normalisation ---------------------------------------------------------------------------

Normalization read_normalization(const std::string& model_dir) {
  Normalization norm;
  const std::string path = model_dir + "/preprocessor_config.json";
  if (!std::filesystem::exists(path)) return norm;
  std::ifstream in(path);
  FFTUNE_CHECK(in, "read_normalization: cannot open '", path, "'");
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    FFTUNE_FAIL("read_normalization: '", path, "' is not valid JSON: ", e.what());
  }
  auto read3 = [&](const char* key, std::array<float, 3>& out) {
    if (!config.contains(key)) return;
    const auto& v = config[key];
    FFTUNE_CHECK(v.is_array() && v.size() == 3, "read_normalization: '", path, "': ", key,
                 " must be a list of 3 numbers");
    for (size_t c = 0; c < 3; ++c) {
      FFTUNE_CHECK(v[c].is_number(), "read_normalization: '", path, "': ", key,
                   " must be a list of 3 numbers");
      out[c] = v[c].get<float>();
    }
  };
  read3("image_mean", norm.mean);
  read3("image_std", norm.std);
  for (float s : norm.std) {
    FFTUNE_CHECK(s > 0, "read_normalization: '", path, "': image_std must be positive");
  }
  return norm;
}

void normalize_into(const Image& image, const Normalization& norm, float* out) {
  check_image(image, "normalize");
  const int64_t plane = image.height * image.width;
  for (int64_t c = 0; c < 3; ++c) {
    // (p / 255 − mean) / std, in the order torchvision computes it.
    const float mean = norm.mean[static_cast<size_t>(c)], std = norm.std[static_cast<size_t>(c)];
    float* dst = out + c * plane;
    const uint8_t* src = image.pixels.data() + c;
    for (int64_t i = 0; i < plane; ++i)
      dst[i] = (static_cast<float>(src[3 * i]) / 255.0f - mean) / std;
  }
}

Tensor to_normalized_tensor(const Image& image, const Normalization& norm) {
  Tensor out = empty({3, image.height, image.width}, DType::f32);  // (3, H, W)
  normalize_into(image, norm, out.data<float>());
  return out;
}

// ---- pipelines -------------------------------------------------------------------------------

Image apply_transform(const Image& image, const TransformOptions& options, uint64_t seed,
                      uint64_t epoch, uint64_t sample_index) {
  FFTUNE_CHECK(options.size > 0, "apply_transform: size must be positive, got ", options.size);
  if (options.kind == TransformOptions::Kind::kEval) {
    FFTUNE_CHECK(options.resize_size >= options.size, "apply_transform: resize_size (",
                 options.resize_size, ") must be at least the crop size (", options.size, ")");
    return center_crop(resize_shorter_side(image, options.resize_size), options.size, options.size);
  }
  SampleRandom rng(seed, epoch, sample_index);
  const CropBox box =
      random_resized_crop_box(image.height, image.width, rng, options.scale, options.ratio);
  Image out =
      resize(crop(image, box.top, box.left, box.height, box.width), options.size, options.size);
  if (options.flip && rng.uniform() < 0.5) out = horizontal_flip(out);
  return out;
}

}  // namespace fftune::data
