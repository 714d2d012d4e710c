#include "program.h"

#include <cstdio>
#include <iostream>

#include "adapters.h"
#include "batches.h"
#include "core/threading.h"
#include "demo.h"
#include "examples/common/atomic_file.h"
#include "examples/common/interrupt.h"
#include "examples/common/trained_model.h"
#include "options.h"
#include "predict.h"
#include "train.h"

namespace {

using namespace fftune;
using namespace roberta_glue;

// --predict: the best epoch's weights on test.tsv.
void write_predictions(const Options& o, const std::string& trained_dir,
                       const data::BpeTokenizer& tokenizer) {
  const data::GlueTaskInfo& info = data::glue_task_info(o.task);
  Generator gen(o.seed);
  auto model = load_model(o, &gen, nullptr);
  load_trained(*model, trained_dir);
  model->eval();
  const auto test = data::read_glue_split(o.task, data::GlueSplit::kTest, o.glue_dir);
  const auto encoded = encode_examples(test, tokenizer, o.max_len);
  const Predictions predictions =
      predict(*model, encoded, o.batch_size, tokenizer.pad_id(), info.is_regression);
  write_submission(o.out + "/predictions", o.task, test, predictions);
  std::printf("wrote %s/predictions/%s.tsv (%zu test examples)\n", o.out.c_str(), info.directory,
              test.size());
}

// --export-merged: the trained method of `trained_dir` merged into the model of --model.
void export_merged_model(const Options& o, const std::string& trained_dir) {
  if (o.export_merged.empty()) return;
  Generator gen(o.seed);
  auto model = load_model(o, &gen, nullptr);
  load_trained(*model, trained_dir);
  examples::export_merged(*model, o.export_merged,
                          model->config().to_json("RobertaForSequenceClassification"),
                          nn::RobertaForSequenceClassification::checkpoint_layout());
  std::printf("merged model written to %s\n", o.export_merged.c_str());
}

int evaluate_only(const Options& o, const data::BpeTokenizer& tokenizer,
                  const std::vector<EncodedExample>& dev) {
  const data::GlueTaskInfo& info = data::glue_task_info(o.task);
  Generator gen(o.seed);
  auto model = load_model(o, &gen, &std::cout);
  const examples::LoadedMethod loaded = load_trained(*model, o.adapter_path);
  examples::check_method_flags(loaded.method, method_of(o), o.given_flags, method_flags(),
                               o.adapter_path);
  examples::write_run_description(o.out, {"roberta_glue", "eval-only", loaded.method, ""});
  std::printf("eval-only: %s (%s)\n", o.adapter_path.c_str(),
              examples::peft_type(loaded.method).c_str());
  model->eval();
  const auto metrics = dev_metrics(
      o.task, predict(*model, dev, o.batch_size, tokenizer.pad_id(), info.is_regression), dev);
  std::printf("%s dev: %s\n", info.name, describe(metrics).c_str());
  examples::write_json_atomically(o.out + "/eval.json", metrics_json(metrics, "dev_"));
  if (o.predict) write_predictions(o, o.adapter_path, tokenizer);
  export_merged_model(o, o.adapter_path);
  return 0;
}

// --demo: the three runs and their table.
int run_demo_and_report(const Options& o) {
  const std::vector<examples::SummaryRow> rows = run_demo(o);
  if (rows.size() < 3) {
    std::printf("(the demo was interrupted; run it again to start the fine-tuning afresh)\n");
    return examples::kInterruptedExitCode;
  }
  examples::SummaryOptions table;
  table.metric_name = "dev accuracy";
  std::printf("\n%s", examples::summary_text(rows, table).c_str());
  std::printf(
      "\nBest-epoch dev accuracy on generated sentences whose sentiment hangs on negation and "
      "contrast;\nthe trainable parameters include the classifier (%lld of them in every row).\n"
      "Runs, metrics.jsonl and curves: %s/<head|lora|fourierft>/\n",
      static_cast<long long>(rows.front().trainable_params), o.out.c_str());
  return 0;
}

// The run folder (examples/common/run_folder.h): --resume takes the method from it; anything
// else starts a new one (refused when --out holds anything, unless --overwrite).
void prepare_run_folder(Options& o) {
  examples::ensure_writable_directory(o.out, "--out");
  if (o.resume) {
    const examples::Method method = examples::resume_method(o.out, "roberta_glue");
    examples::check_method_flags(method, method_of(o), o.given_flags, method_flags(), o.out);
    apply_method(o, method);
  } else if (o.demo || o.eval_only) {
    examples::start_run_folder(o.out, o.overwrite,
                               {"roberta_glue", o.demo ? "demo" : "eval-only", {}, ""});
  } else {
    examples::start_run_folder(o.out, o.overwrite, {"roberta_glue", "train", method_of(o), "best"});
  }
}

}  // namespace

namespace roberta_glue {

int run_program(int argc, char** argv) try {
  Options o = parse_options(argc, argv);
  if (o.print_config) {
    std::printf("%s\n", to_json(o).dump(2).c_str());
    return 0;
  }
  if (o.threads > 0) set_num_threads(o.threads);
  prepare_run_folder(o);
  if (o.demo) return run_demo_and_report(o);
  examples::write_json_atomically(o.out + "/config.json", to_json(o));

  const auto tokenizer = data::BpeTokenizer::from_directory(o.model_dir);
  const auto train_examples = data::read_glue_split(o.task, data::GlueSplit::kTrain, o.glue_dir);
  const auto dev_examples = data::read_glue_split(o.task, data::GlueSplit::kDev, o.glue_dir);
  const auto dev = encode_examples(dev_examples, tokenizer, o.max_len);
  std::printf("%s: %zu train, %zu dev examples\n", data::glue_task_info(o.task).name,
              train_examples.size(), dev_examples.size());
  if (o.eval_only) return evaluate_only(o, tokenizer, dev);
  const RunResult result =
      run_training(o, tokenizer, encode_examples(train_examples, tokenizer, o.max_len), dev);
  if (result.interrupted) return examples::kInterruptedExitCode;
  if (!result.stopped && o.predict) write_predictions(o, o.out + "/best", tokenizer);
  if (!result.stopped) export_merged_model(o, o.out + "/best");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "roberta_glue: %s\n", e.what());
  return 1;
}

}  // namespace roberta_glue
