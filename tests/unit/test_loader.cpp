// data/loader.cpp: batches equal the transforms applied by hand, identical for any number of
// workers, seeded shuffles per epoch, drop_last, restart and shutdown mid-epoch, and a bad
// file's error re-thrown in the consumer with its name.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "data/loader.h"
#include "examples/vit_dtd/textures.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::data {
namespace {

using vit_dtd::render_texture;
using vit_dtd::texture_classes;

using testing::TempDir;

// 11 JPEGs of odd, different sizes with labels 0..2.
class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& classes = texture_classes();
    for (int64_t i = 0; i < 11; ++i) {
      const std::string path = dir_ / ("img" + std::to_string(i) + ".jpg");
      Image img = render_texture(classes[static_cast<size_t>(i % 3)], 40 + 3 * i, 0, i);
      if (i % 2) img = crop(img, 0, 0, img.height - 7, img.width);  // not square
      write_jpeg(path, img);
      samples_.push_back({path, i % 3});
    }
    options_.batch_size = 4;
    options_.seed = 123;
    options_.transform.size = 24;
  }

  std::vector<Batch> run_epoch(ImageLoader& loader, int64_t epoch) {
    loader.start_epoch(epoch);
    std::vector<Batch> batches;
    while (auto b = loader.next()) batches.push_back(std::move(*b));
    return batches;
  }

  TempDir dir_{"fftune_loader"};
  std::vector<LabeledImage> samples_;
  LoaderOptions options_;
};

TEST_F(LoaderTest, BatchesHoldTheTransformedSamples) {
  ImageLoader loader(samples_, options_);
  EXPECT_EQ(loader.batches_per_epoch(), 3);
  const std::vector<Batch> batches = run_epoch(loader, 2);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].images.shape(), (Shape{4, 3, 24, 24}));
  EXPECT_EQ(batches[2].images.shape(), (Shape{3, 3, 24, 24}));  // the last, smaller batch
  std::set<int64_t> seen;
  for (const Batch& b : batches) {
    const auto labels = to_vector<int64_t>(b.labels);
    for (size_t i = 0; i < b.indices.size(); ++i) {
      const int64_t idx = b.indices[i];
      seen.insert(idx);
      EXPECT_EQ(labels[i], samples_[static_cast<size_t>(idx)].label);
      const Image expected =
          apply_transform(decode_image(samples_[static_cast<size_t>(idx)].path), options_.transform,
                          options_.seed, 2, static_cast<uint64_t>(idx));
      const Tensor want = to_normalized_tensor(expected, options_.transform.normalization);
      EXPECT_EQ(to_vector<float>(b.images.select(0, static_cast<int64_t>(i))),
                to_vector<float>(want))
          << "sample " << idx;
    }
  }
  EXPECT_EQ(seen.size(), 11u);  // every sample once
}

TEST_F(LoaderTest, IdenticalForAnyNumberOfWorkers) {
  std::vector<std::vector<Batch>> runs;
  for (int workers : {1, 2, 5}) {
    options_.num_workers = workers;
    options_.prefetch = workers == 5 ? 1 : 3;
    ImageLoader loader(samples_, options_);
    std::vector<Batch> all = run_epoch(loader, 0);
    for (Batch& b : run_epoch(loader, 1)) all.push_back(std::move(b));
    runs.push_back(std::move(all));
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size());
    for (size_t b = 0; b < runs[0].size(); ++b) {
      EXPECT_EQ(runs[r][b].indices, runs[0][b].indices);
      EXPECT_EQ(to_vector<float>(runs[r][b].images), to_vector<float>(runs[0][b].images));
      EXPECT_EQ(to_vector<int64_t>(runs[r][b].labels), to_vector<int64_t>(runs[0][b].labels));
    }
  }
}

TEST_F(LoaderTest, EachEpochHasItsOwnShuffleAndAugmentation) {
  ImageLoader loader(samples_, options_);
  const auto e0 = run_epoch(loader, 0), e1 = run_epoch(loader, 1), e0_again = run_epoch(loader, 0);
  EXPECT_NE(e0[0].indices, e1[0].indices);
  EXPECT_EQ(e0[0].indices, e0_again[0].indices);
  EXPECT_EQ(to_vector<float>(e0[1].images), to_vector<float>(e0_again[1].images));
  options_.seed = 124;
  ImageLoader other(samples_, options_);
  EXPECT_NE(run_epoch(other, 0)[0].indices, e0[0].indices);
}

TEST_F(LoaderTest, NoShuffleKeepsDatasetOrderAndDropLastDropsTheRest) {
  options_.shuffle = false;
  options_.drop_last = true;
  options_.transform.kind = TransformOptions::Kind::kEval;
  options_.transform.resize_size = 26;
  ImageLoader loader(samples_, options_);
  EXPECT_EQ(loader.batches_per_epoch(), 2);
  const auto batches = run_epoch(loader, 0);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].indices, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(batches[1].indices, (std::vector<int64_t>{4, 5, 6, 7}));
  // Evaluation transforms draw nothing: the epoch does not matter.
  EXPECT_EQ(to_vector<float>(run_epoch(loader, 5)[1].images), to_vector<float>(batches[1].images));
}

TEST_F(LoaderTest, RestartAndDestroyMidEpoch) {
  options_.num_workers = 3;
  options_.prefetch = 2;
  const Tensor first = [&] {
    ImageLoader loader(samples_, options_);
    loader.start_epoch(0);
    return loader.next()->images;
  }();  // destroyed with batches in flight: must join, not hang
  {
    ImageLoader loader(samples_, options_);
    loader.start_epoch(0);
    ASSERT_TRUE(loader.next().has_value());
    ASSERT_TRUE(loader.next().has_value());
    loader.start_epoch(0);  // restart: stale batches are dropped
    EXPECT_EQ(to_vector<float>(loader.next()->images), to_vector<float>(first));
  }
  {
    ImageLoader loader(samples_, options_);  // never started
  }
  {
    ImageLoader loader(samples_, options_);
    loader.start_epoch(3);  // started, nothing taken
  }
}

TEST_F(LoaderTest, AWorkerErrorReachesTheConsumerWithTheFileName) {
  {
    std::ofstream bad(samples_[6].path, std::ios::binary | std::ios::trunc);
    bad << "definitely not a jpeg";
  }
  options_.shuffle = false;
  ImageLoader loader(samples_, options_);
  loader.start_epoch(0);
  EXPECT_TRUE(loader.next().has_value());  // samples 0..3
  EXPECT_FFTUNE_ERROR(loader.next(), "img6.jpg");
  EXPECT_TRUE(loader.next().has_value());  // the loader goes on after an error
  EXPECT_FALSE(loader.next().has_value());
  // A missing file likewise.
  samples_[0].path = dir_ / "gone.jpg";
  ImageLoader missing(samples_, options_);
  missing.start_epoch(0);
  EXPECT_FFTUNE_ERROR(missing.next(), "gone.jpg");
}

TEST_F(LoaderTest, ArgumentErrors) {
  EXPECT_FFTUNE_ERROR(ImageLoader({}, options_), "empty");
  options_.num_workers = 0;
  EXPECT_FFTUNE_ERROR(ImageLoader(samples_, options_), "num_workers");
  options_.num_workers = 1;
  options_.batch_size = 20;
  options_.drop_last = true;
  EXPECT_FFTUNE_ERROR(ImageLoader(samples_, options_), "no full batch");
  options_.drop_last = false;
  ImageLoader loader(samples_, options_);
  EXPECT_FFTUNE_ERROR(loader.next(), "start_epoch first");
}

}  // namespace
}  // namespace fftune::data
