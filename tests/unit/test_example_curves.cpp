// examples/common/curves: the PNGs are valid, of the asked size, show the series in their
// colours, and bad input is an error naming the file.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_image.h>
#pragma GCC diagnostic pop

#include "examples/common/curves.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

namespace fs = std::filesystem;

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  int64_t count(Rgb c) const {
    int64_t n = 0;
    for (size_t i = 0; i + 2 < rgb.size(); i += 3)
      n += rgb[i] == c.r && rgb[i + 1] == c.g && rgb[i + 2] == c.b;
    return n;
  }
};

Image read_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char signature[8] = {};
  in.read(signature, 8);
  EXPECT_EQ(std::string(signature, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path;
  Image image;
  int channels = 0;
  uint8_t* data = stbi_load(path.c_str(), &image.width, &image.height, &channels, 3);
  EXPECT_NE(data, nullptr) << path << ": " << stbi_failure_reason();
  if (data) {
    image.rgb.assign(data, data + static_cast<size_t>(image.width) * image.height * 3);
    stbi_image_free(data);
  }
  return image;
}

class ExampleCurves : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.path(); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  testing::TempDir tmp_{"fftune_curves"};  // removed with the fixture
  fs::path dir_;
};

TEST_F(ExampleCurves, LinePlotIsAValidPngOfTheAskedSize) {
  CurveSeries a{.label = "train", .color = {200, 30, 30}};
  CurveSeries b{.label = "val", .color = {30, 30, 200}};
  for (int i = 0; i <= 50; ++i) {
    a.x.push_back(i), a.y.push_back(std::exp(-i / 10.0));
    b.x.push_back(i), b.y.push_back(0.5 + 0.3 * std::sin(i / 5.0));
  }
  write_line_plot_png(
      path("plot.png"), {a, b},
      {.title = "two curves", .x_label = "step", .y_label = "value", .width = 640, .height = 360});
  const Image image = read_png(path("plot.png"));
  EXPECT_EQ(image.width, 640);
  EXPECT_EQ(image.height, 360);
  // Both lines are drawn (2 px thick over most of the width), on a white background.
  EXPECT_GT(image.count({200, 30, 30}), 600);
  EXPECT_GT(image.count({30, 30, 200}), 600);
  EXPECT_GT(image.count({255, 255, 255}), 640 * 360 / 2);
  EXPECT_GT(image.count({0, 0, 0}), 200);  // the text
  EXPECT_FALSE(fs::exists(path("plot.png.tmp")));
}

TEST_F(ExampleCurves, CurvesFromMetricsRecords) {
  std::vector<nlohmann::json> records;
  for (int step = 1; step <= 30; ++step)
    records.push_back({{"kind", "train"}, {"step", step}, {"loss", 2.0 / step}});
  for (int epoch = 1; epoch <= 3; ++epoch) {
    records.push_back(
        {{"kind", "eval"}, {"epoch", epoch}, {"split", "val"}, {"accuracy", 0.2 * epoch}});
    records.push_back(
        {{"kind", "eval"}, {"epoch", epoch}, {"split", "test"}, {"accuracy", 0.1 * epoch}});
  }
  write_loss_curve(records, path("loss.png"));
  write_metric_curve(records, "accuracy", path("accuracy.png"));
  const Image loss = read_png(path("loss.png")), accuracy = read_png(path("accuracy.png"));
  EXPECT_EQ(loss.width, 800);
  EXPECT_EQ(loss.height, 500);
  EXPECT_GT(loss.count({31, 119, 180}), 300);      // the moving average
  EXPECT_GT(accuracy.count({31, 119, 180}), 300);  // val, the first split
  EXPECT_GT(accuracy.count({255, 127, 14}), 300);  // test, the second
}

TEST_F(ExampleCurves, EmptyAndDegenerateInputsStillDrawAxes) {
  write_line_plot_png(path("empty.png"), {}, {.title = "nothing yet"});
  CurveSeries flat{.label = "flat", .x = {1, 2, 3}, .y = {0.5, 0.5, NAN}};
  write_line_plot_png(path("flat.png"), {flat}, {});
  CurveSeries one{.label = "", .x = {0}, .y = {0}};
  write_line_plot_png(path("one.png"), {one}, {});
  EXPECT_EQ(read_png(path("empty.png")).width, 800);
  EXPECT_GT(read_png(path("flat.png")).count(flat.color), 20);
  EXPECT_GT(read_png(path("one.png")).count(one.color), 20);
}

TEST_F(ExampleCurves, BadInputNamesTheFile) {
  CurveSeries bad{.label = "bad", .x = {1, 2}, .y = {1}};
  EXPECT_FFTUNE_ERROR(write_line_plot_png(path("bad.png"), {bad}, {}),
                      "series 'bad' has 2 x values but 1 y values");
  EXPECT_FFTUNE_ERROR(write_line_plot_png(path("tiny.png"), {}, {.width = 20, .height = 20}),
                      "at least 200×150 pixels");
  EXPECT_FFTUNE_ERROR(write_line_plot_png(path("no/such/dir/x.png"), {}, {}),
                      "cannot write " + path("no/such/dir/x.png.tmp"));
}

TEST(ExampleCurvesFont, TextWidth) {
  EXPECT_EQ(text_width("", 2), 0);
  EXPECT_EQ(text_width("A", 1), 5);
  EXPECT_EQ(text_width("LOSS", 2), (4 * 6 - 1) * 2);
}

}  // namespace
}  // namespace fftune::examples
