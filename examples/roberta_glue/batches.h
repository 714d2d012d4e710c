// Tokenised GLUE examples and length-bucketed batches with dynamic padding: each batch is padded
// only to its own longest sequence, and batches are made of sequences of similar length, so
// little compute goes to <pad> tokens.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor/tensor.h"
#include "data/bpe_tokenizer.h"
#include "data/glue.h"

namespace roberta_glue {

struct EncodedExample {
  std::vector<int64_t> ids;  // <s> A </s>[</s> B </s>], at most max_len
  int64_t label = -1;        // class id
  double score = 0;          // STS-B
};

std::vector<EncodedExample> encode_examples(const std::vector<fftune::data::GlueExample>& examples,
                                            const fftune::data::BpeTokenizer& tokenizer,
                                            int64_t max_len);

// Training order for one epoch, a function of (seed, epoch) only (so a resumed run sees the same
// batches): shuffle, cut into pools of 50 batches, sort each pool by length, cut the pools into
// batches, shuffle the batches. Each batch is a list of example indices.
std::vector<std::vector<int64_t>> training_batches(const std::vector<EncodedExample>& examples,
                                                   int64_t batch_size, uint64_t seed,
                                                   int64_t epoch);

// Evaluation order: examples sorted by length, cut into batches (indices refer to `examples`).
std::vector<std::vector<int64_t>> evaluation_batches(const std::vector<EncodedExample>& examples,
                                                     int64_t batch_size);

struct Batch {
  fftune::Tensor ids;             // i64 (B, T), T = the longest sequence of the batch
  fftune::Tensor attention_mask;  // i64 (B, T)
  fftune::Tensor labels;          // i64 (B) for classes, f32 (B) for STS-B scores
};

Batch make_batch(const std::vector<EncodedExample>& examples, const std::vector<int64_t>& indices,
                 int64_t pad_id, bool regression);

}  // namespace roberta_glue
