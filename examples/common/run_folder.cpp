#include "run_folder.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/file.h"
#include "examples/common/atomic_file.h"

namespace fftune::examples {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kAdapterConfig = "adapter_config.json";

bool is_empty_folder(const fs::path& dir) {
  return fs::directory_iterator(dir) == fs::directory_iterator();
}

}  // namespace

void start_run_folder(const std::string& dir, bool overwrite, const RunDescription& d) {
  const fs::path path(dir);
  std::error_code ec;
  if (fs::exists(path)) {
    FFTUNE_CHECK(fs::is_directory(path), "--out ", dir, " exists and is not a folder");
    if (!is_empty_folder(path)) {
      const bool run_folder = fs::exists(path / kRunFile);
      FFTUNE_CHECK(overwrite, "--out ", dir, " is not empty (",
                   run_folder ? "it holds another run" : "it holds files of no fftune run",
                   "): choose another --out, or give --overwrite to replace ",
                   run_folder ? "that run" : "them", " (--resume continues a run)");
      FFTUNE_CHECK(run_folder, "--out ", dir, " holds files but no ", kRunFile,
                   ": --overwrite empties only a folder a run wrote; choose another --out");
      // Nothing of the earlier run may survive into this one.
      for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
        fs::remove_all(entry.path(), ec);
        FFTUNE_CHECK(!ec, "--overwrite: cannot remove ", entry.path().string(), ": ", ec.message());
      }
    }
  }
  fs::create_directories(path, ec);
  FFTUNE_CHECK(!ec, "--out: cannot create ", dir, ": ", ec.message());
  write_run_description(dir, d);
}

void write_run_description(const std::string& dir, const RunDescription& d) {
  json j = {{"program", d.program}, {"kind", d.kind}};
  if (d.method) j["method"] = json::parse(to_json(*d.method));
  if (!d.trained.empty()) j["trained"] = d.trained;
  write_file_atomically((fs::path(dir) / kRunFile).string(), j.dump(2) + "\n");
}

RunDescription read_run_description(const std::string& dir) {
  const std::string path = (fs::path(dir) / kRunFile).string();
  FFTUNE_CHECK(fs::exists(path), dir, " holds no ", kRunFile,
               ": it is not a run folder of vit_dtd or roberta_glue (or was written before run "
               "folders described their method), so its method is unknown");
  json j;
  try {
    j = json::parse(io::read_file(path));
  } catch (const json::exception& e) {
    FFTUNE_CHECK(false, path, ": not valid JSON: ", e.what());
  }
  FFTUNE_CHECK(j.is_object() && j.contains("program") && j["program"].is_string() &&
                   j.contains("kind") && j["kind"].is_string(),
               path, ": \"program\" and \"kind\" must be strings");
  RunDescription d;
  d.program = j["program"].get<std::string>();
  d.kind = j["kind"].get<std::string>();
  if (j.contains("method")) d.method = method_from_json(j["method"].dump(), path + " \"method\"");
  if (j.contains("trained")) {
    FFTUNE_CHECK(j["trained"].is_string(), path, ": \"trained\" must be a string");
    d.trained = j["trained"].get<std::string>();
  }
  return d;
}

Method resume_method(const std::string& dir, const std::string& program) {
  const RunDescription d = read_run_description(dir);
  FFTUNE_CHECK(d.program == program, "--resume: ", dir, " holds a run of ", d.program, ", not of ",
               program);
  FFTUNE_CHECK(d.kind == "train" && d.method, "--resume: ", dir, " holds a ", d.kind,
               " run, not a training run to continue");
  return *d.method;
}

std::string trained_folder(const std::string& path) {
  if (fs::exists(fs::path(path) / kAdapterConfig)) return path;
  FFTUNE_CHECK(fs::exists(fs::path(path) / kRunFile), "--adapter-path ", path, " holds neither ",
               kAdapterConfig, " (a trained method) nor ", kRunFile,
               " (a run folder): the method to evaluate is unknown");
  const RunDescription d = read_run_description(path);
  FFTUNE_CHECK(!d.trained.empty(), "--adapter-path ", path, " is the folder of a ", d.kind,
               " run, which holds no trained method");
  const fs::path trained = fs::path(path) / d.trained;
  FFTUNE_CHECK(fs::exists(trained / kAdapterConfig), "--adapter-path ", path, ": the run has not ",
               "saved its method yet (", (trained / kAdapterConfig).string(),
               " is missing; an unfinished run continues with --resume)");
  return trained.string();
}

void check_method_flags(const Method& from_folder, const Method& from_flags,
                        const std::vector<std::string>& given, const std::vector<MethodFlag>& flags,
                        const std::string& folder) {
  const std::vector<std::string> differ = method_differences(from_folder, from_flags);
  for (const MethodFlag& flag : flags) {
    if (std::find(given.begin(), given.end(), flag.flag) == given.end()) continue;
    for (const std::string& field : flag.fields)
      FFTUNE_CHECK(std::find(differ.begin(), differ.end(), field) == differ.end(), flag.flag, " (",
                   field, " ", field_value(from_flags, field), ") contradicts ", folder,
                   ", whose method (", peft_type(from_folder), ") has ", field, " ",
                   field_value(from_folder, field),
                   ": with --eval-only and --resume the method and its options come from the "
                   "folder; drop the flag");
  }
}

}  // namespace fftune::examples
