// Images for the vision pipeline: decoding (libjpeg-turbo, libpng), the torchvision transforms a
// ViT fine-tuning run uses (resize, center crop, RandomResizedCrop, horizontal flip) and
// normalisation into a float (3, H, W) tensor.
//
// Pixels stay 8-bit RGB until normalisation, as in PIL: resize reproduces PIL's
// Image.resize(BILINEAR) — antialiased, the resize torchvision's transforms and HF's
// ViTImageProcessor run on PIL images — bit for bit in most cases and within 1 otherwise
// (Note [PIL bilinear] in image.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor/tensor.h"

namespace fftune::data {

// An 8-bit RGB image, row-major (H, W, 3).
struct Image {
  int64_t height = 0;
  int64_t width = 0;
  std::vector<uint8_t> pixels;  // (H, W, 3)

  Image() = default;
  Image(int64_t h, int64_t w) : height(h), width(w), pixels(static_cast<size_t>(h * w * 3), 0) {}
  uint8_t* at(int64_t y, int64_t x) { return pixels.data() + (y * width + x) * 3; }
  const uint8_t* at(int64_t y, int64_t x) const { return pixels.data() + (y * width + x) * 3; }
};

// ---- decoding and encoding ----
// Decoding (image_decode.cpp) reads files that may come from anywhere: JPEG with libjpeg-turbo,
// PNG with libpng — decoders fuzzed continuously upstream — never stb_image, whose authors do
// not mean it for untrusted input. The result is what PIL's Image.open(path).convert("RGB")
// gives: gray, gray+alpha, palette and RGBA converted to RGB (alpha dropped, not composited);
// JPEG with libjpeg's accurate integer IDCT and smooth chroma upsampling, as PIL decodes it.
// A missing, corrupt, truncated or unsupported file is an fftune::Error naming the file and the
// decoder's reason.
//
// The pixel limit: an image of more than max_pixels (width × height) is refused from its
// header, before anything is allocated (a 389 KB PNG can declare 20000 × 20000 pixels = 1.2 GB
// of RGB). max_pixels <= 0 means max_image_pixels().
Image decode_image(const std::string& path, int64_t max_pixels = 0);
// The same from bytes in memory; `name` is used in error messages.
Image decode_image_bytes(const std::vector<uint8_t>& bytes, const std::string& name,
                         int64_t max_pixels = 0);
// PIL's decompression-bomb threshold (2 × Image.MAX_IMAGE_PIXELS, where PIL raises).
constexpr int64_t kDefaultMaxImagePixels = 178956970;
// The process-wide limit: set_max_image_pixels' value, else the environment variable
// FFTUNE_MAX_IMAGE_PIXELS (a positive integer), else kDefaultMaxImagePixels.
int64_t max_image_pixels();
void set_max_image_pixels(int64_t pixels);

// Encoded files, written atomically (a temporary name, then a rename).
std::vector<uint8_t> encode_jpeg(const Image& image, int quality = 90);
std::vector<uint8_t> encode_png(const Image& image);
void write_jpeg(const std::string& path, const Image& image, int quality = 90);
void write_png(const std::string& path, const Image& image);
// Writes `bytes` to a temporary name beside `path` and renames it into place.
void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes);

// ---- geometric transforms ----
// PIL's Image.resize((width, height), BILINEAR): a triangle filter whose support widens with
// the downscale factor (antialias), 8-bit fixed-point arithmetic, two separable passes.
Image resize(const Image& image, int64_t height, int64_t width);
// torchvision Resize(size) with an int size: the shorter side becomes `size`, the longer one
// int(size · long / short) (truncated, as torchvision does).
Image resize_shorter_side(const Image& image, int64_t size);
// The rectangle [top, top + height) × [left, left + width); must lie inside the image.
Image crop(const Image& image, int64_t top, int64_t left, int64_t height, int64_t width);
// torchvision CenterCrop: top = round((H − h) / 2), left = round((W − w) / 2), half to even.
Image center_crop(const Image& image, int64_t height, int64_t width);
Image horizontal_flip(const Image& image);

// The random draws of one sample's augmentation: Philox keyed by (seed, stream, counter), so a
// sample's crop and flip are a pure function of (seed, epoch, sample index), whichever thread
// computes them and in whatever order.
class SampleRandom {
 public:
  SampleRandom(uint64_t seed, uint64_t epoch, uint64_t sample_index);
  double uniform();                            // [0, 1)
  double uniform(double low, double high);     // [low, high)
  int64_t randint(int64_t low, int64_t high);  // [low, high]

 private:
  uint64_t seed_, stream_, counter_;
};

struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
};
// torchvision RandomResizedCrop.get_params: up to 10 tries of an area fraction in `scale` and a
// log-uniform aspect ratio in `ratio`; if none fits, the whole image clamped to the ratio range,
// centred.
CropBox random_resized_crop_box(int64_t height, int64_t width, SampleRandom& rng,
                                std::array<double, 2> scale = {0.08, 1.0},
                                std::array<double, 2> ratio = {3.0 / 4.0, 4.0 / 3.0});

// ---- normalisation ----
struct Normalization {
  std::array<float, 3> mean{0.5f, 0.5f, 0.5f};
  std::array<float, 3> std{0.5f, 0.5f, 0.5f};
};
// image_mean / image_std of a HF checkpoint directory's preprocessor_config.json; 0.5 / 0.5
// (google/vit-base-patch16-224-in21k's values) when the file is absent.
Normalization read_normalization(const std::string& model_dir);

// (pixel / 255 − mean) / std written as (3, H, W) floats at `out` (torchvision ToTensor +
// Normalize).
void normalize_into(const Image& image, const Normalization& norm, float* out);
// The same as a new f32 tensor of shape (3, H, W).
Tensor to_normalized_tensor(const Image& image, const Normalization& norm);

// ---- the two pipelines of an image-classification run ----
struct TransformOptions {
  enum class Kind { kTrain, kEval };
  Kind kind = Kind::kTrain;
  int64_t size = 224;         // output is size × size
  int64_t resize_size = 224;  // eval: the shorter side is resized to this before the crop
  std::array<double, 2> scale{0.08, 1.0};
  std::array<double, 2> ratio{3.0 / 4.0, 4.0 / 3.0};
  bool flip = true;  // train: horizontal flip with probability 1/2
  Normalization normalization;
};
// Train: RandomResizedCrop(size) then RandomHorizontalFlip. Eval: Resize(resize_size) then
// CenterCrop(size). Random draws come from (seed, epoch, sample_index).
Image apply_transform(const Image& image, const TransformOptions& options, uint64_t seed,
                      uint64_t epoch, uint64_t sample_index);

}  // namespace fftune::data
