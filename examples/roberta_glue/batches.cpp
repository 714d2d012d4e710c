#include "batches.h"

#include <algorithm>
#include <numeric>

#include "core/tensor/factory.h"

namespace roberta_glue {

using namespace fftune;

std::vector<EncodedExample> encode_examples(const std::vector<data::GlueExample>& examples,
                                            const data::BpeTokenizer& tokenizer, int64_t max_len) {
  std::vector<EncodedExample> out(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) {
    const data::GlueExample& e = examples[i];
    out[i].ids = e.text_b.empty() ? tokenizer.encode(e.text_a, max_len).ids
                                  : tokenizer.encode_pair(e.text_a, e.text_b, max_len).ids;
    out[i].label = e.label;
    out[i].score = e.score;
  }
  return out;
}

namespace {

// A permutation of 0..n-1 drawn from `gen`.
std::vector<int64_t> permutation(int64_t n, Generator& gen) {
  return to_vector<int64_t>(randperm(n, Device::cpu(), &gen));
}

std::vector<std::vector<int64_t>> cut(const std::vector<int64_t>& order, int64_t batch_size) {
  std::vector<std::vector<int64_t>> batches;
  for (size_t start = 0; start < order.size(); start += batch_size) {
    const size_t end = std::min(order.size(), start + static_cast<size_t>(batch_size));
    batches.emplace_back(order.begin() + start, order.begin() + end);
  }
  return batches;
}

}  // namespace

std::vector<std::vector<int64_t>> training_batches(const std::vector<EncodedExample>& examples,
                                                   int64_t batch_size, uint64_t seed,
                                                   int64_t epoch) {
  constexpr int64_t kBatchesPerPool = 50;
  Generator gen(seed * 1000003 + static_cast<uint64_t>(epoch) + 17);
  const int64_t n = static_cast<int64_t>(examples.size());
  std::vector<int64_t> order = permutation(n, gen);
  const auto by_length = [&](int64_t a, int64_t b) {
    return examples[a].ids.size() < examples[b].ids.size();
  };
  const int64_t pool = batch_size * kBatchesPerPool;
  for (int64_t start = 0; start < n; start += pool)
    std::stable_sort(order.begin() + start, order.begin() + std::min(n, start + pool), by_length);
  std::vector<std::vector<int64_t>> batches = cut(order, batch_size);
  const std::vector<int64_t> batch_order = permutation(static_cast<int64_t>(batches.size()), gen);
  std::vector<std::vector<int64_t>> shuffled;
  shuffled.reserve(batches.size());
  for (int64_t b : batch_order) shuffled.push_back(std::move(batches[b]));
  return shuffled;
}

std::vector<std::vector<int64_t>> evaluation_batches(const std::vector<EncodedExample>& examples,
                                                     int64_t batch_size) {
  std::vector<int64_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return examples[a].ids.size() < examples[b].ids.size();
  });
  return cut(order, batch_size);
}

Batch make_batch(const std::vector<EncodedExample>& examples, const std::vector<int64_t>& indices,
                 int64_t pad_id, bool regression) {
  const int64_t b = static_cast<int64_t>(indices.size());
  size_t t = 0;
  for (int64_t i : indices) t = std::max(t, examples[i].ids.size());
  const int64_t width = static_cast<int64_t>(t);
  std::vector<int64_t> ids(b * width, pad_id), mask(b * width, 0), labels(b);
  std::vector<float> scores(b);
  for (int64_t row = 0; row < b; ++row) {
    const EncodedExample& e = examples[indices[row]];
    std::copy(e.ids.begin(), e.ids.end(), ids.begin() + row * width);
    std::fill_n(mask.begin() + row * width, e.ids.size(), 1);
    labels[row] = e.label;
    scores[row] = static_cast<float>(e.score);
  }
  Batch batch;
  batch.ids = from_vector(ids, {b, width});
  batch.attention_mask = from_vector(mask, {b, width});
  batch.labels = regression ? from_vector(scores, {b}) : from_vector(labels, {b});
  return batch;
}

}  // namespace roberta_glue
