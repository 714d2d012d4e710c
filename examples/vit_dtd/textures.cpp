// The procedural texture dataset (examples/vit_dtd/textures.h).
//
// Every pattern is a function t(u, v) ∈ [0, 1] of "pattern coordinates": the pixel position
// relative to the image centre, rotated by a random angle and divided by a random period (in
// pixels), so one unit of u or v is one repetition of the pattern whatever the image size.
// The pixel is then mix(background, foreground, t) plus noise.
#include "examples/vit_dtd/textures.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>

#include "core/error.h"
#include "core/tensor/factory.h"
#include "core/tensor/philox.h"

namespace vit_dtd {

using namespace fftune;
using namespace fftune::data;

namespace {

constexpr double kPi = std::numbers::pi;

// Draws for one image's parameters: Philox(seed, stream of the class, counter of the image).
class ParamRandom {
 public:
  ParamRandom(uint64_t seed, uint64_t class_id, uint64_t index)
      : seed_(seed), stream_(0x5445585455524500ull + class_id), counter_(index * 64) {}
  double uniform(double low, double high) {
    return low + (high - low) * philox_uniform_double(philox4x32(seed_, stream_, counter_++));
  }

 private:
  uint64_t seed_, stream_, counter_;
};

// A 32-bit integer hash (Wellons' "lowbias32") for per-pixel noise and noise lattices: far
// cheaper than Philox, and statistical quality does not matter for a picture.
uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}
double hash_uniform(int64_t a, int64_t b, uint32_t key) {
  const uint32_t h =
      hash32(static_cast<uint32_t>(a) ^ hash32(static_cast<uint32_t>(b) ^ hash32(key)));
  return static_cast<double>(h) * (1.0 / 4294967296.0);
}

// Smooth value noise: random values on the integer lattice, interpolated with smoothstep.
double value_noise(double x, double y, uint32_t key) {
  const double fx = std::floor(x), fy = std::floor(y);
  const auto ix = static_cast<int64_t>(fx), iy = static_cast<int64_t>(fy);
  double tx = x - fx, ty = y - fy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  const double a = hash_uniform(ix, iy, key), b = hash_uniform(ix + 1, iy, key);
  const double c = hash_uniform(ix, iy + 1, key), d = hash_uniform(ix + 1, iy + 1, key);
  return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}
// Fractal noise: four octaves, each twice the frequency and half the amplitude, in [0, 1).
double fbm(double x, double y, uint32_t key) {
  double sum = 0, amplitude = 0.5;
  for (int octave = 0; octave < 4; ++octave) {
    sum += amplitude * value_noise(x, y, key + static_cast<uint32_t>(octave));
    x *= 2, y *= 2, amplitude *= 0.5;
  }
  return sum / 0.9375;
}

// A step from 0 to 1 as the signed distance d (in pattern units) crosses 0, blurred over about
// one pixel (aa = pixel size in pattern units), so edges are antialiased at any size.
double soft_step(double d, double aa) {
  return std::clamp(0.5 + d / aa, 0.0, 1.0);
}

// 1 inside the band [0, duty) of each period of u, 0 outside.
double band(double u, double duty, double aa) {
  const double f = u - std::floor(u);
  const double inside = f < duty ? std::min(f, duty - f) : -std::min(f - duty, 1 - f);
  return soft_step(inside, aa);
}

struct Pattern {
  std::string name;
  int64_t class_id;
  double angle, period_fraction;  // rotation; period as a fraction of the image size
  double p1, p2, p3;              // class-specific shape parameters in [0, 1)
  uint32_t noise_key;
};

// t(u, v) for each class. (x, y) are the unrotated pattern coordinates, used by the swirl.
double pattern_value(const Pattern& p, double u, double v, double x, double y, double aa) {
  const std::string& n = p.name;
  if (n == "banded") return band(u, 0.35 + 0.3 * p.p1, aa);
  if (n == "chequered") {
    const double a = band(u, 0.5, aa), b = band(v, 0.5, aa);
    return a * b + (1 - a) * (1 - b);
  }
  if (n == "dotted") {
    const double du = u - std::floor(u) - 0.5, dv = v - std::floor(v) - 0.5;
    return soft_step(0.14 + 0.14 * p.p1 - std::sqrt(du * du + dv * dv), aa);
  }
  if (n == "zigzagged") {
    const double f = u * 1.5 - std::floor(u * 1.5);
    const double triangle = 2 * std::abs(f - 0.5);  // a sawtooth turned into a zigzag
    return band(v + (0.4 + 0.5 * p.p1) * triangle, 0.5, aa);
  }
  if (n == "marbled") {
    // A sine wave whose phase is pushed around by fractal noise; its zeros become thin veins.
    const double warp = (1.5 + 1.5 * p.p1) * fbm(u * 0.6, v * 0.6, p.noise_key);
    const double s = std::abs(std::sin(kPi * (u * 0.5 + warp)));
    return 1 - std::pow(s, 0.15 + 0.2 * p.p2);
  }
  if (n == "grid") {
    const double w = 0.04 + 0.05 * p.p1;
    const double du = std::abs(u - std::round(u)), dv = std::abs(v - std::round(v));
    return soft_step(w - std::min(du, dv), aa);
  }
  if (n == "honeycombed") {
    // Hexagonal cells: the nearer centre of two offset rectangular lattices (spacing 1 × √3),
    // then the hexagon "radius" of the offset to it; walls where it nears 1/2.
    const double sy = std::sqrt(3.0);
    auto offset = [](double a, double period) {
      return a - period * std::floor(a / period) - period / 2;
    };
    const double ax = offset(u, 1), ay = offset(v, sy);
    const double bx = offset(u - 0.5, 1), by = offset(v - sy / 2, sy);
    const bool use_a = ax * ax + ay * ay < bx * bx + by * by;
    const double gx = std::abs(use_a ? ax : bx), gy = std::abs(use_a ? ay : by);
    const double hex = std::max(gx, (gx + sy * gy) / 2);
    const double wall = 0.05 + 0.05 * p.p1;
    return soft_step(hex - (0.5 - wall), aa);
  }
  if (n == "swirly") {
    // Spiral arms around a centre near the middle of the image, slightly warped by noise.
    const double cx = x - (p.p2 - 0.5) * 1.5, cy = y - (p.p3 - 0.5) * 1.5;
    const double r = std::sqrt(cx * cx + cy * cy), theta = std::atan2(cy, cx);
    const double arms = 2 + std::floor(3 * p.p1);
    const double phase = arms * theta / (2 * kPi) + 1.2 * r + 0.3 * fbm(u, v, p.noise_key);
    return band(phase, 0.5, aa * (1 + arms / (2 * kPi * std::max(r, 0.1))));
  }
  FFTUNE_FAIL("render_texture: unknown texture class '", n, "'");
}

double luminance(const double rgb[3]) {
  return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
}

// Two colours that differ in brightness, not only in hue, so the pattern shows in every image.
void pick_colours(ParamRandom& rng, double bg[3], double fg[3]) {
  for (int attempt = 0;; ++attempt) {
    for (int c = 0; c < 3; ++c) bg[c] = rng.uniform(0, 1), fg[c] = rng.uniform(0, 1);
    if (std::abs(luminance(bg) - luminance(fg)) > 0.25) return;
    if (attempt == 20) {  // unlucky draws: keep the background, make the foreground its opposite
      for (int c = 0; c < 3; ++c) fg[c] = luminance(bg) > 0.5 ? 0.1 * bg[c] : 0.3 + 0.7 * bg[c];
      return;
    }
  }
}

}  // namespace

const std::vector<std::string>& texture_classes() {
  static const std::vector<std::string> names = {"banded",      "chequered", "dotted", "grid",
                                                 "honeycombed", "marbled",   "swirly", "zigzagged"};
  return names;
}

Image render_texture(const std::string& texture_class, int64_t size, uint64_t seed, int64_t index) {
  const auto& names = texture_classes();
  const auto it = std::find(names.begin(), names.end(), texture_class);
  FFTUNE_CHECK(it != names.end(), "render_texture: unknown texture class '", texture_class, "'");
  FFTUNE_CHECK(size >= 8 && size <= 4096, "render_texture: size must be in [8, 4096], got ", size);
  FFTUNE_CHECK(index >= 0, "render_texture: index must be non-negative, got ", index);
  const int64_t class_id = it - names.begin();
  ParamRandom rng(seed, static_cast<uint64_t>(class_id), static_cast<uint64_t>(index));
  Pattern p;
  p.name = texture_class;
  p.class_id = class_id;
  p.angle = rng.uniform(0, 2 * kPi);
  p.period_fraction = rng.uniform(0.14, 0.3);
  p.p1 = rng.uniform(0, 1), p.p2 = rng.uniform(0, 1), p.p3 = rng.uniform(0, 1);
  p.noise_key = static_cast<uint32_t>(rng.uniform(0, 4294967296.0));
  double bg[3], fg[3];
  pick_colours(rng, bg, fg);
  const double noise = rng.uniform(0.02, 0.06);  // pixel noise amplitude
  const uint32_t pixel_key = static_cast<uint32_t>(rng.uniform(0, 4294967296.0));

  const double period = p.period_fraction * static_cast<double>(size);  // in pixels
  const double aa = 1.0 / period;  // one pixel in pattern units
  const double cs = std::cos(p.angle), sn = std::sin(p.angle);
  Image image(size, size);
  for (int64_t py = 0; py < size; ++py) {
    for (int64_t px = 0; px < size; ++px) {
      const double x = (static_cast<double>(px) + 0.5 - static_cast<double>(size) / 2) / period;
      const double y = (static_cast<double>(py) + 0.5 - static_cast<double>(size) / 2) / period;
      const double u = cs * x + sn * y, v = -sn * x + cs * y;
      const double t = pattern_value(p, u, v, x, y, aa);
      uint8_t* out = image.at(py, px);
      for (int64_t c = 0; c < 3; ++c) {
        const double n = noise * (2 * hash_uniform(py * size + px, c, pixel_key) - 1);
        const double value = bg[c] * (1 - t) + fg[c] * t + n;
        out[c] = static_cast<uint8_t>(std::lround(255 * std::clamp(value, 0.0, 1.0)));
      }
    }
  }
  return image;
}

void write_texture_dataset(const TextureDatasetOptions& options) {
  namespace fs = std::filesystem;
  const std::vector<std::string> classes =
      options.classes.empty() ? texture_classes() : options.classes;
  FFTUNE_CHECK(!options.root.empty(), "write_texture_dataset: root is empty");
  FFTUNE_CHECK(
      options.images_per_class >= 3,
      "write_texture_dataset: images_per_class must be at least 3 (train, val, test), got ",
      options.images_per_class);
  FFTUNE_CHECK(options.num_splits >= 1 && options.num_splits <= 10,
               "write_texture_dataset: num_splits must be in 1..10, got ", options.num_splits);
  const fs::path root(options.root);
  fs::create_directories(root / "labels");
  const int64_t n = options.images_per_class;
  auto file_name = [](const std::string& cls, int64_t i) {
    std::string digits = std::to_string(i + 1);
    return cls + "_" + std::string(digits.size() < 4 ? 4 - digits.size() : 0, '0') + digits +
           ".jpg";
  };
  for (const std::string& cls : classes) {
    fs::create_directories(root / "images" / cls);
    for (int64_t i = 0; i < n; ++i) {
      const fs::path path = root / "images" / cls / file_name(cls, i);
      write_jpeg(path.string(), render_texture(cls, options.image_size, options.seed, i),
                 options.jpeg_quality);
    }
  }
  // Split k: a seeded shuffle of each class's images, cut into thirds (the remainder goes to
  // test). Lines are sorted, as in DTD's lists.
  const int64_t n_train = n / 3, n_val = n / 3;
  for (int k = 1; k <= options.num_splits; ++k) {
    std::vector<std::string> lists[3];  // train, val, test
    for (size_t c = 0; c < classes.size(); ++c) {
      Generator gen(options.seed);
      gen.set_stream_position(static_cast<uint64_t>(k) * 1000 + c);
      const std::vector<int64_t> order = to_vector<int64_t>(randperm(n, Device::cpu(), &gen));
      for (int64_t j = 0; j < n; ++j) {
        const int which = j < n_train ? 0 : j < n_train + n_val ? 1 : 2;
        lists[which].push_back(classes[c] + "/" +
                               file_name(classes[c], order[static_cast<size_t>(j)]));
      }
    }
    const char* names[3] = {"train", "val", "test"};
    for (int s = 0; s < 3; ++s) {
      std::sort(lists[s].begin(), lists[s].end());
      std::string text;
      for (const auto& line : lists[s]) text += line + "\n";
      write_file_atomically((root / "labels" / (names[s] + std::to_string(k) + ".txt")).string(),
                            std::vector<uint8_t>(text.begin(), text.end()));
    }
  }
}

}  // namespace vit_dtd
