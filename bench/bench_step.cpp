// One training step at full size with random weights (issue 6, part 6): forward, cross-entropy,
// backward, AdamW on the trainable parameters — and forward-only inference — for
//   ViT-B/16 (google/vit-base-patch16-224-in21k's shape) at batch 8 × 224², dropout 0 (its config)
//   RoBERTa-base at batch 8 × 128 tokens, dropout 0.1
// each with FourierFT on query/value (n = 1000 and 3000), LoRA r = 8 on query/value, full
// fine-tuning, and inference. bench/reference/step_torch.py builds the same models with
// transformers and peft; scripts/bench-compare step prints the ratios.
//
// One benchmark iteration is one step; run with --benchmark_repetitions=N for the median of N
// steps. The model of a configuration is built (and warmed up with one step) once, before its
// first timed step, and kept until the next configuration. The counter peak_rss_mib is the
// process's peak resident set so far: meaningful for one configuration per process
// (--benchmark_filter=<name>).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "adapters/lora_linear.h"
#include "core/autograd/grad_mode.h"
#include "fourierft/fourierft_linear.h"
#include "nn/adamw.h"
#include "nn/models/roberta.h"
#include "nn/models/vit.h"
#include "ops/ops.h"

namespace fftune {
namespace {

constexpr int64_t kBatch = 8;
constexpr int64_t kTokens = 128;

enum class Mode { kFourierFT1000, kFourierFT3000, kLoRA8, kFull, kInference };

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kFourierFT1000:
      return "fourierft_n1000";
    case Mode::kFourierFT3000:
      return "fourierft_n3000";
    case Mode::kLoRA8:
      return "lora_r8";
    case Mode::kFull:
      return "full";
    case Mode::kInference:
      return "inference";
  }
  return "?";
}

// Freezes the model, attaches the mode's adapter to every query/value Linear, and unfreezes the
// adapters and `head` (peft's modules_to_save). Full fine-tuning and inference change nothing.
void prepare(nn::Module& model, Mode mode, const std::string& head, double fourierft_scaling,
             Generator* gen) {
  if (mode == Mode::kFull || mode == Mode::kInference) return;
  model.set_requires_grad(false);
  // One row spectrum share per attention block, as adapters::inject_fourierft hands them.
  std::map<std::string, std::shared_ptr<fourierft::RowSpectrumShare>> shares;
  for (const auto& [name, m] : model.named_modules()) {
    auto* linear = dynamic_cast<nn::Linear*>(m);
    if (!linear || !(nn::name_matches(name, "query") || nn::name_matches(name, "value"))) continue;
    const int64_t out = linear->out_features(), in = linear->in_features();
    if (mode == Mode::kLoRA8) {
      adapters::LoRAOptions options;
      options.r = 8;
      options.lora_alpha = 8.0;
      linear->attach_adapter(std::make_shared<adapters::LoRALinear>(out, in, options, gen));
    } else {
      fourierft::FourierFTOptions options;
      options.n_frequency = mode == Mode::kFourierFT1000 ? 1000 : 3000;
      options.scaling = fourierft_scaling;
      auto adapter = std::make_shared<fourierft::FourierFTLinear>(out, in, options, gen);
      auto& share = shares[name.substr(0, name.rfind('.'))];
      if (!share) share = std::make_shared<fourierft::RowSpectrumShare>();
      adapter->share_row_spectrum(share);
      linear->attach_adapter(adapter);
    }
  }
  model.set_requires_grad({head}, true);
}

// A model with its inputs and one step of work.
struct Workload {
  std::unique_ptr<Generator> gen;
  std::shared_ptr<nn::Module> model;
  std::unique_ptr<nn::AdamW> optimizer;
  std::function<Tensor()> forward;  // -> logits (B, num_labels)
  Tensor labels;
};

std::unique_ptr<Workload> make_vit(Mode mode) {
  auto w = std::make_unique<Workload>();
  w->gen = std::make_unique<Generator>(0);
  nn::ViTConfig config;    // ViT-B/16 at 224², hidden dropout 0 (google's in21k config)
  config.num_labels = 47;  // DTD's classes
  config.gen = w->gen.get();
  auto model = std::make_shared<nn::ViTForImageClassification>(config);
  prepare(*model, mode, "classifier", 300.0, w->gen.get());
  const Tensor pixels = randn({kBatch, 3, 224, 224}, DType::f32, Device::cpu(), w->gen.get());
  w->forward = [model, pixels] { return model->forward(pixels); };
  w->labels = randint(0, config.num_labels, {kBatch}, Device::cpu(), w->gen.get());
  w->model = model;
  return w;
}

std::unique_ptr<Workload> make_roberta(Mode mode) {
  auto w = std::make_unique<Workload>();
  w->gen = std::make_unique<Generator>(0);
  nn::RobertaConfig config;  // roberta-base, dropout 0.1
  config.gen = w->gen.get();
  auto model = std::make_shared<nn::RobertaForSequenceClassification>(config);
  prepare(*model, mode, "classifier", 29.0, w->gen.get());
  // Token ids in [3, V) (no pad or special ids), all attended.
  const Tensor ids = randint(3, config.vocab_size, {kBatch, kTokens}, Device::cpu(), w->gen.get());
  const Tensor mask = ones({kBatch, kTokens}, DType::i64);
  w->forward = [model, ids, mask] { return model->forward(ids, mask); };
  w->labels = randint(0, config.num_labels, {kBatch}, Device::cpu(), w->gen.get());
  w->model = model;
  return w;
}

void step(Workload& w, Mode mode) {
  if (mode == Mode::kInference) {
    NoGradGuard no_grad;
    benchmark::DoNotOptimize(w.forward().raw_data());
    return;
  }
  const Tensor loss = cross_entropy(w.forward(), w.labels);
  loss.backward();
  w.optimizer->step();
  w.optimizer->zero_grad();
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void bench_step(benchmark::State& state, const std::string& model_name, Mode mode) {
  // The current configuration's workload, built on first use and replaced by the next one's.
  static std::string current;
  static std::unique_ptr<Workload> workload;
  const std::string key = model_name + "/" + mode_name(mode);
  if (current != key) {
    workload.reset();
    workload = model_name == "vit" ? make_vit(mode) : make_roberta(mode);
    if (mode == Mode::kInference) {
      workload->model->eval();
    } else {
      workload->model->train();
      workload->optimizer = std::make_unique<nn::AdamW>(workload->model->parameters(true),
                                                        nn::AdamWOptions{.lr = 1e-4});
    }
    step(*workload, mode);  // warm-up: allocations, optimizer state
    current = key;
  }
  for (auto _ : state) step(*workload, mode);
  state.counters["trainable_params"] =
      static_cast<double>(mode == Mode::kInference ? 0 : workload->model->num_parameters(true));
  state.counters["peak_rss_mib"] = peak_rss_mib();
}

void register_all() {
  // The names are shared with bench/reference/step_torch.py.
  for (const char* model : {"vit", "roberta"}) {
    for (Mode mode : {Mode::kFourierFT1000, Mode::kFourierFT3000, Mode::kLoRA8, Mode::kFull,
                      Mode::kInference}) {
      const std::string name = std::string("step/") + model + "/" + mode_name(mode);
      benchmark::RegisterBenchmark(name.c_str(), bench_step, std::string(model), mode)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->Iterations(1);
    }
  }
}

}  // namespace
}  // namespace fftune

int main(int argc, char** argv) {
  fftune::register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
