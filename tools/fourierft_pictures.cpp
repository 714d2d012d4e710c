// fourierft_pictures: draws the pictures of docs/fourierft.md as PNG files.
//
//   fourierft_pictures --out DIR [--max-px N]
//
// Spectrum pictures (entry sets, band-pass maps) are shown fftshift-ed, as the paper's Figure 3:
// the centre pixel is the zero frequency, and a cell (j, k) of the (d1, d2) spectrum is drawn at
// ((j + ⌊d1/2⌋) mod d1, (k + ⌊d2/2⌋) mod d2). Each picture is computed at its true size (768 × 768,
// a RoBERTa-base/ViT-base weight) and written at most N pixels wide (default 384): spectrum
// pictures are reduced by an integer factor (max over each block for dots, mean for maps); ΔW
// pictures show a top-left block of ΔW, enlarged by an integer zoom and never averaged, since
// averaging would hide its frequencies.
// Each file is written to a temporary name in DIR and renamed into place.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

#include "core/tensor/factory.h"
#include "fourierft/entries.h"
#include "fourierft/spectral_delta.h"

namespace fftune {
namespace {

constexpr int64_t kSize = 768;  // d1 = d2: a 768 × 768 weight
constexpr int64_t kEntries = 1000;
constexpr double kWidth = 200.0;  // W of the band-pass maps (paper Figure 3)

struct Rgb {
  uint8_t r, g, b;
};

// An RGB image, row-major.
struct Image {
  int64_t height = 0, width = 0;
  std::vector<Rgb> pixels;
  Image(int64_t h, int64_t w, Rgb fill = {0, 0, 0}) : height(h), width(w), pixels(h * w, fill) {}
  Rgb& at(int64_t r, int64_t c) { return pixels[r * width + c]; }
  const Rgb& at(int64_t r, int64_t c) const { return pixels[r * width + c]; }
};

// The display row/column of spectrum index i on an axis of size d (numpy's fftshift).
int64_t shifted(int64_t i, int64_t d) {
  return (i + d / 2) % d;
}

Rgb lerp(Rgb a, Rgb b, double t) {
  auto mix = [t](uint8_t x, uint8_t y) {
    return static_cast<uint8_t>(std::lround(x + (static_cast<double>(y) - x) * t));
  };
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

// A sequential colour map for t ∈ [0, 1] (viridis, through five of its colours).
Rgb sequential(double t) {
  static const Rgb stops[] = {
      {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(static_cast<int>(t), 3);
  return lerp(stops[i], stops[i + 1], t - i);
}

// A diverging colour map for t ∈ [−1, 1]: blue, white at 0, red (coolwarm's end colours).
Rgb diverging(double t) {
  t = std::clamp(t, -1.0, 1.0);
  const Rgb blue{59, 76, 192}, white{255, 255, 255}, red{180, 4, 38};
  return t < 0 ? lerp(white, blue, -t) : lerp(white, red, t);
}

// Shrinks by the smallest integer factor that makes both sides ≤ max_px: each output pixel is the
// brightest (keep_max) or the mean colour of its block.
Image reduce(const Image& in, int64_t max_px, bool keep_max) {
  const int64_t f = std::max<int64_t>(1, (std::max(in.height, in.width) + max_px - 1) / max_px);
  Image out(in.height / f, in.width / f);
  for (int64_t r = 0; r < out.height; ++r)
    for (int64_t c = 0; c < out.width; ++c) {
      double sum[3] = {0, 0, 0}, best[3] = {0, 0, 0};
      for (int64_t dr = 0; dr < f; ++dr)
        for (int64_t dc = 0; dc < f; ++dc) {
          const Rgb& p = in.at(r * f + dr, c * f + dc);
          const double v[3] = {static_cast<double>(p.r), static_cast<double>(p.g),
                               static_cast<double>(p.b)};
          for (int k = 0; k < 3; ++k) {
            sum[k] += v[k];
            best[k] = std::max(best[k], v[k]);
          }
        }
      auto pick = [&](int k) {
        return static_cast<uint8_t>(std::lround(keep_max ? best[k] : sum[k] / (f * f)));
      };
      out.at(r, c) = {pick(0), pick(1), pick(2)};
    }
  return out;
}

// Encodes `image` as PNG and writes it to dir/name through a temporary file and a rename, so a
// reader never sees a half-written picture.
void write_png(const std::filesystem::path& dir, const std::string& name, const Image& image) {
  std::vector<unsigned char> bytes;
  auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(context);
    const auto* p = static_cast<const unsigned char*>(data);
    out->insert(out->end(), p, p + size);
  };
  const int ok = stbi_write_png_to_func(append, &bytes, static_cast<int>(image.width),
                                        static_cast<int>(image.height), 3, image.pixels.data(),
                                        static_cast<int>(image.width * 3));
  if (!ok) throw std::runtime_error("could not encode " + name);
  const std::filesystem::path final_path = dir / name;
  const std::filesystem::path tmp_path = dir / ("." + name + ".tmp");
  {
    std::ofstream file(tmp_path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) throw std::runtime_error("could not write " + tmp_path.string());
  }
  std::filesystem::rename(tmp_path, final_path);
  std::printf("wrote %s (%lld x %lld)\n", final_path.c_str(), static_cast<long long>(image.width),
              static_cast<long long>(image.height));
}

// (a) An entry set: each entry a white 3 × 3 dot on black, fftshift-ed.
Image entries_picture(const fourierft::SpectralEntries& e) {
  Image image(e.d1, e.d2);
  for (int64_t l = 0; l < e.size(); ++l) {
    const int64_t r0 = shifted(e.rows[l], e.d1), c0 = shifted(e.cols[l], e.d2);
    for (int64_t r = std::max<int64_t>(r0 - 1, 0); r <= std::min(r0 + 1, e.d1 - 1); ++r)
      for (int64_t c = std::max<int64_t>(c0 - 1, 0); c <= std::min(c0 + 1, e.d2 - 1); ++c)
        image.at(r, c) = {255, 255, 255};
  }
  return image;
}

// (b) The band-pass sampling map of Eq. 5 (frequency_bias_map), fftshift-ed, values in [0, 1].
Image band_picture(double fc) {
  const std::vector<double> p = fourierft::frequency_bias_map(kSize, kSize, fc, kWidth);
  Image image(kSize, kSize);
  for (int64_t u = 0; u < kSize; ++u)
    for (int64_t v = 0; v < kSize; ++v)
      image.at(shifted(u, kSize), shifted(v, kSize)) = sequential(p[u * kSize + v]);
  return image;
}

// (c) ΔW of a random spectrum (coefficients N(0, 1), α = 150) on the given entries: its top-left
// ⌊max_px/zoom⌋² block, each value drawn as a zoom × zoom square, coloured from −3·rms (blue)
// through 0 (white) to +3·rms (red), rms over the whole ΔW, larger values clipped.
Image delta_picture(const fourierft::SpectralEntries& e, uint64_t seed, int64_t max_px,
                    int64_t zoom) {
  Generator gen(seed);
  const Tensor coeffs = randn({e.size()}, DType::f64, Device::cpu(), &gen);
  const std::vector<double> w = to_vector<double>(fourierft::fourierft_delta(coeffs, e, 150.0));
  double sum_sq = 0;
  for (double v : w) sum_sq += v * v;
  const double range = 3.0 * std::sqrt(sum_sq / static_cast<double>(w.size()));
  zoom = std::clamp<int64_t>(zoom, 1, max_px);
  const int64_t h = std::min(e.d1, max_px / zoom), wd = std::min(e.d2, max_px / zoom);
  Image image(h * zoom, wd * zoom);
  for (int64_t r = 0; r < image.height; ++r)
    for (int64_t c = 0; c < image.width; ++c)
      image.at(r, c) = diverging(w[(r / zoom) * e.d2 + c / zoom] / range);
  return image;
}

int run(const std::filesystem::path& out, int64_t max_px) {
  std::filesystem::create_directories(out);
  const auto uniform = fourierft::uniform_entries(kSize, kSize, kEntries, 777);
  const auto biased =
      fourierft::frequency_biased_entries(kSize, kSize, kEntries, 200.0, kWidth, 777);
  write_png(out, "entries_uniform.png", reduce(entries_picture(uniform), max_px, true));
  write_png(out, "entries_biased_fc200.png", reduce(entries_picture(biased), max_px, true));
  for (int fc : {0, 100, 200, 350, 480})
    write_png(out, "band_fc" + std::to_string(fc) + ".png",
              reduce(band_picture(fc), max_px, false));
  write_png(out, "delta_w_uniform.png", delta_picture(uniform, 1, max_px, 4));
  const auto low = fourierft::frequency_biased_entries(kSize, kSize, kEntries, 0.0, 20.0, 777);
  write_png(out, "delta_w_lowfreq.png", delta_picture(low, 1, max_px, 1));
  return 0;
}

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: fourierft_pictures --out DIR [--max-px N]\n"
               "  writes the PNG pictures of docs/fourierft.md into DIR, each at most N pixels\n"
               "  wide (default 384)\n");
}

}  // namespace
}  // namespace fftune

int main(int argc, char** argv) {
  std::string out;
  long long max_px = 384;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      fftune::usage(stdout);
      return 0;
    } else if (arg == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else if (arg == "--max-px" && i + 1 < argc) {
      max_px = std::atoll(argv[++i]);
    } else {
      std::fprintf(stderr, "fourierft_pictures: unknown or incomplete argument '%s'\n", argv[i]);
      fftune::usage(stderr);
      return 2;
    }
  }
  if (out.empty() || max_px < 1) {
    fftune::usage(stderr);
    return 2;
  }
  try {
    return fftune::run(out, max_px);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fourierft_pictures: %s\n", e.what());
    return 1;
  }
}
