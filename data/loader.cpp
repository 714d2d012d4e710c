// The prefetching image loader (data/loader.h).
#include "data/loader.h"

#include <algorithm>

#include "core/tensor/factory.h"

namespace fftune::data {

// Note [loader determinism]
// A batch is a pure function of (samples, options, epoch, batch index):
//   - the epoch's order is randperm(N) drawn from Generator(seed) at stream 2·epoch (even
//     streams; a sample's augmentation uses the odd ones, Note [sample random streams]);
//   - batch b holds order[b·B, (b+1)·B), each sample transformed with draws keyed by
//     (seed, epoch, its dataset index).
// Workers build whole batches, taking the next batch index under a lock; the consumer takes
// batches strictly in index order. So neither the number of workers nor their timing can change
// what the consumer sees.

ImageLoader::ImageLoader(std::vector<LabeledImage> samples, LoaderOptions options)
    : samples_(std::move(samples)), options_(std::move(options)) {
  FFTUNE_CHECK(!samples_.empty(), "ImageLoader: the dataset is empty");
  FFTUNE_CHECK(options_.batch_size > 0, "ImageLoader: batch_size must be positive, got ",
               options_.batch_size);
  FFTUNE_CHECK(options_.num_workers >= 1, "ImageLoader: num_workers must be at least 1, got ",
               options_.num_workers);
  FFTUNE_CHECK(options_.prefetch >= 1, "ImageLoader: prefetch must be at least 1, got ",
               options_.prefetch);
  FFTUNE_CHECK(options_.transform.size > 0, "ImageLoader: transform size must be positive");
  FFTUNE_CHECK(batches_per_epoch() > 0, "ImageLoader: ", samples_.size(),
               " samples make no full batch of ", options_.batch_size, " with drop_last");
  workers_.reserve(static_cast<size_t>(options_.num_workers));
  for (int i = 0; i < options_.num_workers; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ImageLoader::~ImageLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_ready_.notify_all();
  batch_ready_.notify_all();
  for (auto& w : workers_) w.join();
}

int64_t ImageLoader::batches_per_epoch() const {
  const auto n = static_cast<int64_t>(samples_.size());
  return options_.drop_last ? n / options_.batch_size
                            : (n + options_.batch_size - 1) / options_.batch_size;
}

void ImageLoader::start_epoch(int64_t epoch) {
  FFTUNE_CHECK(epoch >= 0, "ImageLoader::start_epoch: epoch must be non-negative, got ", epoch);
  auto plan = std::make_shared<EpochPlan>();
  plan->epoch = epoch;
  const auto n = static_cast<int64_t>(samples_.size());
  if (options_.shuffle) {
    Generator gen(options_.seed);
    gen.set_stream_position(2 * static_cast<uint64_t>(epoch));
    plan->order = to_vector<int64_t>(randperm(n, Device::cpu(), &gen));
  } else {
    plan->order.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) plan->order[static_cast<size_t>(i)] = i;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    plan_ = std::move(plan);
    next_to_build_ = 0;
    next_to_take_ = 0;
    ready_.clear();
  }
  work_ready_.notify_all();
}

std::optional<Batch> ImageLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  FFTUNE_CHECK(plan_ != nullptr, "ImageLoader::next: call start_epoch first");
  if (next_to_take_ >= batches_per_epoch()) return std::nullopt;
  batch_ready_.wait(lock, [&] { return ready_.count(next_to_take_) > 0; });
  Result result = std::move(ready_.at(next_to_take_));
  ready_.erase(next_to_take_);
  ++next_to_take_;
  lock.unlock();
  work_ready_.notify_all();  // a prefetch slot is free
  if (result.error) std::rethrow_exception(result.error);
  return std::move(result.batch);
}

void ImageLoader::worker_loop() {
  for (;;) {
    std::shared_ptr<const EpochPlan> plan;
    int64_t index = 0;
    uint64_t generation = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [&] {
        return stop_ || (plan_ != nullptr && next_to_build_ < batches_per_epoch() &&
                         next_to_build_ < next_to_take_ + options_.prefetch);
      });
      if (stop_) return;
      plan = plan_;
      index = next_to_build_++;
      generation = generation_;
    }
    Result result;
    try {
      result = build_batch(*plan, index);
    } catch (...) {  // e.g. out of memory for the batch tensor: the consumer must hear of it
      result.error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      if (generation != generation_) continue;  // start_epoch was called meanwhile
      ready_.emplace(index, std::move(result));
    }
    batch_ready_.notify_all();
  }
}

ImageLoader::Result ImageLoader::build_batch(const EpochPlan& plan, int64_t batch_index) const {
  const auto n = static_cast<int64_t>(plan.order.size());
  const int64_t begin = batch_index * options_.batch_size;
  const int64_t count = std::min(options_.batch_size, n - begin);
  const int64_t size = options_.transform.size;
  Result result;
  Batch& batch = result.batch;
  batch.images = empty({count, 3, size, size}, DType::f32);  // (B, 3, H, W)
  batch.labels = empty({count}, DType::i64);                 // (B)
  float* images = batch.images.data<float>();
  int64_t* labels = batch.labels.data<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    const int64_t sample = plan.order[static_cast<size_t>(begin + i)];
    const LabeledImage& item = samples_[static_cast<size_t>(sample)];
    try {
      const Image image =
          apply_transform(decode_image(item.path), options_.transform, options_.seed,
                          static_cast<uint64_t>(plan.epoch), static_cast<uint64_t>(sample));
      normalize_into(image, options_.transform.normalization, images + i * 3 * size * size);
    } catch (const std::exception& e) {
      result.error = std::make_exception_ptr(
          Error(detail::str_cat("ImageLoader: sample ", sample, " ('", item.path, "') of epoch ",
                                plan.epoch, ": ", e.what())));
      return result;
    }
    labels[i] = item.label;
    batch.indices.push_back(sample);
  }
  return result;
}

}  // namespace fftune::data
