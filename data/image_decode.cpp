// Decoding of untrusted image files (data/image.h): JPEG through libjpeg-turbo, PNG through
// libpng, both fuzzed continuously upstream, under a pixel limit checked before any pixel
// buffer is allocated.
//
// Note [decoder errors and longjmp]
// Both libraries report a fatal error by calling an error handler that must not return; the
// documented way out is longjmp back to a setjmp in the caller. longjmp skips C++ destructors,
// so each setjmp sits in a small function whose locals are all trivial (jpeg_read_header_step,
// png_decode_step...): a jump only unwinds library frames and that function. The library state
// and the output buffer live one frame up, owned by RAII objects that the jump never crosses,
// so a failed decode frees everything (libjpeg's jpeg_destroy_decompress, libpng's
// png_destroy_read_struct) and the message becomes an fftune::Error naming the file.
#include <atomic>
#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

// jpeglib.h needs size_t and FILE declared first.
#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

#include "core/error.h"
#include "data/image.h"

namespace fftune::data {

// ---- the pixel limit -------------------------------------------------------------------------

namespace {

std::atomic<int64_t>& max_pixels_setting() {
  static std::atomic<int64_t> setting{kDefaultMaxImagePixels};
  return setting;
}

// FFTUNE_MAX_IMAGE_PIXELS, when set, replaces the default once, at the first read.
int64_t max_pixels_from_environment() {
  static const int64_t from_env = [] {
    const char* text = std::getenv("FFTUNE_MAX_IMAGE_PIXELS");
    if (text == nullptr || *text == '\0') return int64_t{-1};
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(text, &end, 10);
    FFTUNE_CHECK(errno == 0 && *end == '\0' && n > 0, "FFTUNE_MAX_IMAGE_PIXELS must be a positive ",
                 "integer, got '", text, "'");
    return static_cast<int64_t>(n);
  }();
  return from_env;
}

void check_pixel_limit(const std::string& name, int64_t height, int64_t width, int64_t limit) {
  FFTUNE_CHECK(height > 0 && width > 0, "decode_image: '", name, "' has an empty size ", width, "x",
               height);
  FFTUNE_CHECK(height <= limit / width, "decode_image: '", name, "' is ", width, "x", height, " = ",
               height * width, " pixels, over the limit of ", limit,
               " (a decompression bomb? raise the limit with FFTUNE_MAX_IMAGE_PIXELS or "
               "data::set_max_image_pixels)");
}

}  // namespace

int64_t max_image_pixels() {
  const int64_t from_env = max_pixels_from_environment();
  const int64_t set = max_pixels_setting().load();
  return set == kDefaultMaxImagePixels && from_env > 0 ? from_env : set;
}

void set_max_image_pixels(int64_t pixels) {
  FFTUNE_CHECK(pixels > 0, "set_max_image_pixels: the limit must be positive, got ", pixels);
  max_pixels_setting().store(pixels);
}

// ---- JPEG (libjpeg-turbo) --------------------------------------------------------------------

namespace {

// More scans than any real progressive JPEG has (libjpeg-turbo's tools stop at 500): a tiny
// file with thousands of scans would otherwise cost minutes of CPU.
constexpr int kMaxJpegScans = 500;

struct JpegErrorManager {
  jpeg_error_mgr pub;  // first, so that libjpeg's cinfo->err points at the whole struct
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jpeg_fail(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings (level -1) are corrupt-data notices that libjpeg recovers from, ignored as PIL does,
// except a premature end of file: libjpeg would pad the image with grey, PIL refuses it
// ("image file is truncated"), and so do we. Trace messages (level >= 0) are dropped.
void jpeg_message(j_common_ptr cinfo, int level) {
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_fail(cinfo);
}

void jpeg_count_scans(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxJpegScans) {
    auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
    std::snprintf(err->message, sizeof(err->message), "more than %d progressive scans",
                  kMaxJpegScans);
    std::longjmp(err->jump, 1);
  }
}

// Owns libjpeg's decompressor; destroying it frees everything libjpeg allocated.
struct JpegDecoder {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err;
  jpeg_progress_mgr progress{};
  bool created = false;

  JpegDecoder() {
    std::memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = jpeg_fail;
    err.pub.emit_message = jpeg_message;
    err.message[0] = '\0';
    progress.progress_monitor = jpeg_count_scans;
  }
  ~JpegDecoder() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;
};

// The two setjmp frames of Note [decoder errors and longjmp]; each returns false with
// d.err.message set when libjpeg fails.
bool jpeg_read_header_step(JpegDecoder& d, const uint8_t* data, size_t size) {
  if (setjmp(d.err.jump)) return false;
  jpeg_create_decompress(&d.cinfo);
  d.created = true;
  d.cinfo.progress = &d.progress;
  jpeg_mem_src(&d.cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&d.cinfo, TRUE);
  // PIL's settings: the accurate integer IDCT and fancy (smooth) chroma upsampling, the
  // libjpeg defaults, with libjpeg converting YCbCr and grayscale to RGB.
  d.cinfo.out_color_space = JCS_RGB;
  d.cinfo.dct_method = JDCT_ISLOW;
  d.cinfo.do_fancy_upsampling = TRUE;
  return true;
}

bool jpeg_decompress_step(JpegDecoder& d, uint8_t* out, size_t row_bytes) {
  if (setjmp(d.err.jump)) return false;
  jpeg_start_decompress(&d.cinfo);
  if (d.cinfo.output_components != 3) {
    std::snprintf(d.err.message, sizeof(d.err.message), "%d output channels, expected 3",
                  d.cinfo.output_components);
    return false;
  }
  while (d.cinfo.output_scanline < d.cinfo.output_height) {
    JSAMPROW row = out + d.cinfo.output_scanline * row_bytes;
    jpeg_read_scanlines(&d.cinfo, &row, 1);
  }
  jpeg_finish_decompress(&d.cinfo);
  return true;
}

Image decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& name, int64_t limit) {
  JpegDecoder d;
  FFTUNE_CHECK(jpeg_read_header_step(d, bytes.data(), bytes.size()),
               "decode_image: cannot decode '", name, "': ", d.err.message);
  check_pixel_limit(name, d.cinfo.image_height, d.cinfo.image_width, limit);
  Image image(d.cinfo.image_height, d.cinfo.image_width);
  FFTUNE_CHECK(jpeg_decompress_step(d, image.pixels.data(), static_cast<size_t>(image.width * 3)),
               "decode_image: cannot decode '", name, "': ", d.err.message);
  return image;
}

// ---- PNG (libpng) ----------------------------------------------------------------------------

struct PngSource {
  const uint8_t* data;
  size_t size;
  size_t offset;
};

struct PngErrorState {
  char message[256];
};

[[noreturn]] void png_fail(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
  std::snprintf(state->message, sizeof(state->message), "%s", message);
  png_longjmp(png, 1);
}

void png_ignore_warning(png_structp, png_const_charp) {}

void png_read_from_memory(png_structp png, png_bytep out, size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > source->size - source->offset) png_error(png, "truncated file");
  std::memcpy(out, source->data + source->offset, length);
  source->offset += length;
}

// Owns libpng's read and info structs.
struct PngDecoder {
  png_structp png = nullptr;
  png_infop info = nullptr;
  PngErrorState error{};
  PngSource source{};

  ~PngDecoder() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

// Setjmp frame 1 of Note [decoder errors and longjmp]: reads the header and sets up the
// transforms that give 8-bit RGB the way PIL's convert("RGB") does: palettes and low bit
// depths expanded, 16 bits cut to their high byte, gray replicated, alpha dropped (not
// composited), gamma and transparency chunks ignored.
bool png_read_header_step(PngDecoder& d) {
  if (setjmp(png_jmpbuf(d.png))) return false;
  png_set_read_fn(d.png, &d.source, png_read_from_memory);
  png_read_info(d.png, d.info);
  const int color = png_get_color_type(d.png, d.info);
  if (png_get_bit_depth(d.png, d.info) == 16) png_set_strip_16(d.png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(d.png);
  if (color == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(d.png, d.info) < 8)
    png_set_expand_gray_1_2_4_to_8(d.png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA)
    png_set_gray_to_rgb(d.png);
  if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(d.png);
  png_set_interlace_handling(d.png);
  png_read_update_info(d.png, d.info);
  if (png_get_channels(d.png, d.info) != 3 || png_get_bit_depth(d.png, d.info) != 8)
    png_error(d.png, "unsupported pixel format");
  return true;
}

// Setjmp frame 2: the rows, into `rows` (one pointer per row of the output image).
bool png_read_rows_step(PngDecoder& d, png_bytepp rows) {
  if (setjmp(png_jmpbuf(d.png))) return false;
  png_read_image(d.png, rows);
  return true;
}

Image decode_png(const std::vector<uint8_t>& bytes, const std::string& name, int64_t limit) {
  PngDecoder d;
  d.source = {bytes.data(), bytes.size(), 0};
  d.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d.error, png_fail, png_ignore_warning);
  FFTUNE_CHECK(d.png != nullptr, "decode_image: '", name, "': cannot create a PNG reader");
  d.info = png_create_info_struct(d.png);
  FFTUNE_CHECK(d.info != nullptr, "decode_image: '", name, "': cannot create a PNG reader");
  FFTUNE_CHECK(png_read_header_step(d), "decode_image: cannot decode '", name,
               "': ", d.error.message);
  const auto height = static_cast<int64_t>(png_get_image_height(d.png, d.info));
  const auto width = static_cast<int64_t>(png_get_image_width(d.png, d.info));
  check_pixel_limit(name, height, width, limit);
  Image image(height, width);
  std::vector<png_bytep> rows(static_cast<size_t>(height));
  for (int64_t y = 0; y < height; ++y) rows[static_cast<size_t>(y)] = image.at(y, 0);
  FFTUNE_CHECK(png_read_rows_step(d, rows.data()), "decode_image: cannot decode '", name,
               "': ", d.error.message);
  return image;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FFTUNE_CHECK(in, "decode_image: cannot open '", path, "': ", std::strerror(errno));
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

Image decode_image_bytes(const std::vector<uint8_t>& bytes, const std::string& name,
                         int64_t max_pixels) {
  FFTUNE_CHECK(!bytes.empty(), "decode_image: '", name, "' is empty");
  const int64_t limit = max_pixels > 0 ? max_pixels : max_image_pixels();
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
    return decode_jpeg(bytes, name, limit);
  static constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngSignature, 8) == 0)
    return decode_png(bytes, name, limit);
  FFTUNE_FAIL("decode_image: cannot decode '", name,
              "': not a JPEG or PNG file (unknown signature)");
}

Image decode_image(const std::string& path, int64_t max_pixels) {
  return decode_image_bytes(read_file(path), path, max_pixels);
}

}  // namespace fftune::data
