// A multi-threaded image loader with prefetch: worker threads decode and transform whole
// batches ahead of the consumer, into a bounded set of ready batches.
//
// Deterministic per seed (Note [loader determinism] in loader.cpp): the epoch's order is a
// seeded permutation and each sample's augmentation is keyed by (seed, epoch, sample index), so
// the batches are bit-identical whatever the number of workers or their scheduling.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/tensor/tensor.h"
#include "data/dtd.h"
#include "data/image.h"

namespace fftune::data {

struct LoaderOptions {
  int64_t batch_size = 32;
  bool shuffle = true;     // a new seeded permutation each epoch; false: dataset order
  bool drop_last = false;  // drop a last, smaller batch
  int num_workers = 2;     // decoding threads (at least 1)
  int prefetch = 4;        // batches ready or in progress ahead of the consumer
  uint64_t seed = 0;
  TransformOptions transform;
};

struct Batch {
  Tensor images;                 // (B, 3, H, W) f32, normalised
  Tensor labels;                 // (B) i64
  std::vector<int64_t> indices;  // (B) positions in the dataset's sample list
};

class ImageLoader {
 public:
  ImageLoader(std::vector<LabeledImage> samples, LoaderOptions options);
  // Stops the workers (an epoch in progress is abandoned) and joins them.
  ~ImageLoader();
  ImageLoader(const ImageLoader&) = delete;
  ImageLoader& operator=(const ImageLoader&) = delete;

  // Starts (or restarts) epoch `epoch`: batches of the previous epoch not yet taken are dropped.
  void start_epoch(int64_t epoch);
  // The next batch of the current epoch, or nothing at its end. A sample that failed to load
  // throws here, in the consumer, as fftune::Error naming the file.
  std::optional<Batch> next();

  int64_t batches_per_epoch() const;
  int64_t size() const { return static_cast<int64_t>(samples_.size()); }

 private:
  // What a worker needs to build batch `index` of the current epoch.
  struct EpochPlan {
    int64_t epoch = 0;
    std::vector<int64_t> order;  // (N) sample indices in visiting order
  };
  struct Result {
    Batch batch;
    std::exception_ptr error;
  };

  void worker_loop();
  Result build_batch(const EpochPlan& plan, int64_t batch_index) const;

  const std::vector<LabeledImage> samples_;
  const LoaderOptions options_;

  std::mutex mutex_;
  std::condition_variable work_ready_;   // workers wait for a batch to build
  std::condition_variable batch_ready_;  // the consumer waits for the next batch
  bool stop_ = false;
  uint64_t generation_ = 0;  // bumped by start_epoch; results of older generations are dropped
  std::shared_ptr<const EpochPlan> plan_;  // null before the first start_epoch
  int64_t next_to_build_ = 0;
  int64_t next_to_take_ = 0;
  std::map<int64_t, Result> ready_;  // batch index -> finished batch
  std::vector<std::thread> workers_;
};

}  // namespace fftune::data
