// data/dtd.cpp: the DTD release layout and the ImageFolder layout, and every error of the
// label-list parser (missing list, malformed line, unknown class, missing file, empty split).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/dtd.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::data {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A DTD tree with classes banded, dotted, zigzagged (created out of order) and split 1; the
// readers never decode, so the "images" are a few bytes each.
void make_dtd(const fs::path& root) {
  for (const char* f :
       {"zigzagged/zigzagged_0001.jpg", "zigzagged/zigzagged_0002.jpg", "banded/banded_0001.jpg",
        "banded/banded_0002.jpg", "dotted/dotted_0001.jpg", "dotted/dotted_0002.jpg"}) {
    write_text(root / "images" / f, "jpeg");
  }
  write_text(root / "labels/train1.txt",
             "banded/banded_0001.jpg\ndotted/dotted_0002.jpg\nzigzagged/zigzagged_0001.jpg\n");
  // Windows line ends, a blank line and no final newline are accepted.
  write_text(root / "labels/val1.txt", "banded/banded_0002.jpg\r\n\r\ndotted/dotted_0001.jpg");
  write_text(root / "labels/test1.txt", "zigzagged/zigzagged_0002.jpg\n");
}

TEST(Dtd, ReadsClassesSortedAndTheThreeLists) {
  TempDir dir("fftune_dtd");
  make_dtd(dir.path());
  const ImageSplits s = read_dtd(dir.path().string(), 1);
  EXPECT_EQ(s.train.classes, (std::vector<std::string>{"banded", "dotted", "zigzagged"}));
  ASSERT_EQ(s.train.samples.size(), 3u);
  EXPECT_EQ(s.train.samples[0].path, (dir.path() / "images/banded/banded_0001.jpg").string());
  EXPECT_EQ(s.train.samples[0].label, 0);
  EXPECT_EQ(s.train.samples[1].label, 1);
  EXPECT_EQ(s.train.samples[2].label, 2);
  ASSERT_EQ(s.val.samples.size(), 2u);
  EXPECT_EQ(s.val.samples[1].path, (dir.path() / "images/dotted/dotted_0001.jpg").string());
  ASSERT_TRUE(s.test.has_value());
  ASSERT_EQ(s.test->samples.size(), 1u);
  EXPECT_EQ(s.test->samples[0].label, 2);
  EXPECT_EQ(s.test->classes, s.train.classes);
}

TEST(Dtd, MissingListNamesIt) {
  TempDir dir("fftune_dtd");
  make_dtd(dir.path());
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 2), "train2.txt");
  fs::remove(dir.path() / "labels/test1.txt");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "missing label list");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "test1.txt");
}

TEST(Dtd, UnknownClassNamesFileAndLine) {
  TempDir dir("fftune_dtd");
  make_dtd(dir.path());
  write_text(dir.path() / "labels/val1.txt", "banded/banded_0002.jpg\nstriped/striped_0001.jpg\n");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "val1.txt:2: unknown class 'striped'");
}

TEST(Dtd, ListedFileThatDoesNotExistNamesFileAndLine) {
  TempDir dir("fftune_dtd");
  make_dtd(dir.path());
  write_text(dir.path() / "labels/test1.txt", "\ndotted/dotted_0099.jpg\n");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "test1.txt:2: listed image");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "dotted_0099.jpg' does not exist");
}

TEST(Dtd, MalformedLineAndEmptySplit) {
  TempDir dir("fftune_dtd");
  make_dtd(dir.path());
  write_text(dir.path() / "labels/train1.txt", "banded/banded_0001.jpg\nbanded_0002.jpg\n");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "train1.txt:2: expected '<class>/<file>");
  write_text(dir.path() / "labels/train1.txt", "\n  \n");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "empty split");
}

TEST(Dtd, BadRootAndSplit) {
  TempDir dir("fftune_dtd");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "images");
  make_dtd(dir.path());
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 0), "split must be in 1..10");
  EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 11), "split must be in 1..10");
}

void make_folder(const fs::path& root) {
  write_text(root / "train/cat/b.jpg", "x");
  write_text(root / "train/cat/a.PNG", "x");
  write_text(root / "train/cat/notes.txt", "not an image");
  write_text(root / "train/ant/1.jpeg", "x");
  write_text(root / "val/ant/2.jpg", "x");
  write_text(root / "val/cat/3.jpg", "x");
}

TEST(ImageFolder, ReadsTrainValAndOptionalTest) {
  TempDir dir("fftune_folder");
  make_folder(dir.path());
  ImageSplits s = read_image_folder(dir.path().string());
  EXPECT_EQ(s.train.classes, (std::vector<std::string>{"ant", "cat"}));
  ASSERT_EQ(s.train.samples.size(), 3u);  // notes.txt is skipped
  EXPECT_EQ(s.train.samples[0].label, 0);
  EXPECT_EQ(s.train.samples[1].path, (dir.path() / "train/cat/a.PNG").string());
  EXPECT_EQ(s.train.samples[2].label, 1);
  EXPECT_EQ(s.val.samples.size(), 2u);
  EXPECT_FALSE(s.test.has_value());
  write_text(dir.path() / "test/cat/4.jpg", "x");
  s = read_image_folder(dir.path().string());
  ASSERT_TRUE(s.test.has_value());
  EXPECT_EQ(s.test->samples[0].label, 1);
}

TEST(ImageFolder, Errors) {
  TempDir dir("fftune_folder");
  make_folder(dir.path());
  write_text(dir.path() / "val/dog/5.jpg", "x");
  EXPECT_FFTUNE_ERROR(read_image_folder(dir.path().string()), "train/ does not have");
  fs::remove_all(dir.path() / "val");
  EXPECT_FFTUNE_ERROR(read_image_folder(dir.path().string()), "val' is missing");
  write_text(dir.path() / "val/cat/readme.txt", "x");
  EXPECT_FFTUNE_ERROR(read_image_folder(dir.path().string()), "val/cat' holds no");
}

TEST(ImageFolder, AnEmptyClassFolderIsRefusedAsTorchvisionDoes) {
  // It used to add a class with no samples: a wider classifier and skewed metrics.
  TempDir dir("fftune_folder");
  make_folder(dir.path());
  fs::create_directories(dir.path() / "train/dog");
  write_text(dir.path() / "train/dog/notes.txt", "not an image");
  EXPECT_FFTUNE_ERROR(
      read_image_folder(dir.path().string()),
      "class folder '" + (dir.path() / "train/dog").string() + "' holds no .jpg/.jpeg/.png images");
}

TEST(Dtd, ALabelLineCannotLeaveItsClassFolder) {
  // tests/fixtures/hostile/dtd_root: train1.txt line 2 is banded/../../../(...)/etc/hostname.
  const std::string root = testing::fixture_path("hostile/dtd_root");
  EXPECT_FFTUNE_ERROR(read_dtd(root, 1), "train1.txt:2: 'banded/../../../");
  EXPECT_FFTUNE_ERROR(read_dtd(root, 1), "leaves its class folder");
  TempDir dir("fftune_dtd");
  make_dtd(dir.path());
  for (const char* line : {"banded/..", "banded/.", "banded/sub/x.jpg", "banded/..\\x.jpg"}) {
    write_text(dir.path() / "labels/val1.txt", std::string(line) + "\n");
    SCOPED_TRACE(line);
    EXPECT_FFTUNE_ERROR(read_dtd(dir.path().string(), 1), "val1.txt:1:");
  }
}

}  // namespace
}  // namespace fftune::data
