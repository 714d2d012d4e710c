// A run folder (--out): every run, evaluation or demo of the example programs writes into its
// own, and the folder says what it holds in fftune_run.json:
//
//   {"program": "vit_dtd", "kind": "train", "method": {adapter_config.json of the method},
//    "trained": "adapter"}
//
// kind is "train", "eval-only" or "demo"; method is absent for a demo; trained names the
// subfolder where a training run saves what it trained (method.h save_method) and is absent
// for the others. --resume and --eval-only read the method from here (or from the trained
// folder's adapter_config.json), never from the command line.
//
// Runs never mix: a new run refuses a folder that holds anything unless --overwrite is given,
// and --overwrite empties a previous run's folder first (a folder without fftune_run.json is
// never emptied: fftune did not write it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "method.h"

namespace fftune::examples {

inline constexpr const char* kRunFile = "fftune_run.json";

struct RunDescription {
  std::string program;           // "vit_dtd", "roberta_glue"
  std::string kind = "train";    // train | eval-only | demo
  std::optional<Method> method;  // what the run trains (or evaluated)
  std::string trained;           // train: the subfolder of the trained method ("adapter")
};

// Before a new run (not --resume) writes into `dir`: creates it when missing; a folder that
// holds anything is refused (one error naming it and --overwrite) unless `overwrite`, and then
// emptied if it is a run folder (holds fftune_run.json), refused otherwise. Then writes
// `description` as dir/fftune_run.json (atomically).
void start_run_folder(const std::string& dir, bool overwrite, const RunDescription& description);

// Writes dir/fftune_run.json (atomically), replacing the one start_run_folder wrote (an
// evaluation records the method it found once it has read it).
void write_run_description(const std::string& dir, const RunDescription& description);

// dir/fftune_run.json, as written by start_run_folder. A folder without it, or with a
// malformed one, is refused with one error naming the folder and what is missing.
RunDescription read_run_description(const std::string& dir);

// --resume's method: the one dir/fftune_run.json records for a training run of `program`; a
// folder of another program, of an evaluation or without the record is refused.
Method resume_method(const std::string& dir, const std::string& program);

// --eval-only's folder: `path` when it holds adapter_config.json; for a training run's folder
// (fftune_run.json), its trained subfolder. Anything else is refused, naming what is missing.
std::string trained_folder(const std::string& path);

// A method flag and the Method fields it sets (method_differences' names).
struct MethodFlag {
  std::string flag;  // "--n"
  std::vector<std::string> fields;
};

// With --eval-only and --resume the method comes from the folder: a method flag given on the
// command line (`given`, as typed: "--n") whose value differs from the folder's is an error
// naming the flag, both values' field and the folder; flags that the folder's method does not
// use are ignored.
void check_method_flags(const Method& from_folder, const Method& from_flags,
                        const std::vector<std::string>& given, const std::vector<MethodFlag>& flags,
                        const std::string& folder);

}  // namespace fftune::examples
