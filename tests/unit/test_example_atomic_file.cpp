// examples/common/atomic_file.h: whole-file writes that are atomic and checked (a full disk is an
// error naming the file, and the previous file survives), the cleanup of temporary files a
// killed write left behind, and the checks of --out / --cache-dir folders.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "examples/common/atomic_file.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_support.h"

namespace fftune::examples {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExampleAtomicFile, WritesJsonAndLeavesNoTemporaryFile) {
  testing::TempDir tmp("fftune_atomic");
  const std::string path = (tmp.path() / "results.json").string();
  write_json_atomically(path, {{"best", 0.5}});
  EXPECT_EQ(read_text(path), "{\n  \"best\": 0.5\n}\n");
  write_file_atomically(path, "replaced\n");
  EXPECT_EQ(read_text(path), "replaced\n");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(tmp.path())) files.push_back(e.path().filename());
  EXPECT_EQ(files, std::vector<std::string>{"results.json"});
}

// A disk that fills up mid-write (here: a file size limit, which fails write(2) with EFBIG as a
// full disk fails it with ENOSPC) is an error naming the file, and the previous file is intact.
TEST(ExampleAtomicFile, AFullDiskIsAnErrorAndKeepsThePreviousFile) {
  testing::TempDir tmp("fftune_atomic");
  const std::string path = (tmp.path() / "summary.json").string();
  write_file_atomically(path, "previous\n");
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  rlimit small = old_limit;
  small.rlim_cur = 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message;
  try {
    write_file_atomically(path, std::string(4096, 'x'));
  } catch (const Error& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(message.find("cannot write " + path), std::string::npos) << message;
  EXPECT_EQ(read_text(path), "previous\n");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(tmp.path())) files.push_back(e.path().filename());
  EXPECT_EQ(files, std::vector<std::string>{"summary.json"});  // the temporary file is gone
}

TEST(ExampleAtomicFile, StaleTemporaryFilesAreRemoved) {
  testing::TempDir tmp("fftune_atomic");
  for (const char* name : {"checkpoint.safetensors.tmp.4242.0", "metrics.jsonl.tmp",
                           "summary.json.tmp.17.3", "metrics.jsonl", "notes.tmp.txt"})
    std::ofstream(tmp.path() / name) << "x";
  EXPECT_EQ(remove_stale_temp_files(tmp.path().string()), 3);
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(tmp.path())) left.insert(e.path().filename());
  EXPECT_EQ(left, (std::set<std::string>{"metrics.jsonl", "notes.tmp.txt"}));
  EXPECT_EQ(remove_stale_temp_files((tmp.path() / "missing").string()), 0);
  fsync_directory(tmp.path().string());
}

TEST(ExampleAtomicFile, AFolderThatCannotBeCreatedOrWrittenIsNamed) {
  testing::TempDir tmp("fftune_atomic");
  const fs::path file = tmp.path() / "a_file";
  std::ofstream(file) << "x";
  EXPECT_FFTUNE_ERROR(ensure_writable_directory((file / "out").string(), "--out"),
                      "--out " + (file / "out").string() + ": cannot create");
  EXPECT_FFTUNE_ERROR(ensure_writable_directory(file.string(), "--out"),
                      "--out " + file.string() + ": cannot create");
  if (::geteuid() != 0) {  // root writes anywhere
    const fs::path locked = tmp.path() / "locked";
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_FFTUNE_ERROR(ensure_writable_directory(locked.string(), "--cache-dir"),
                        "--cache-dir " + locked.string() + ": cannot write");
    fs::permissions(locked, fs::perms::owner_all);
  }
  ensure_writable_directory((tmp.path() / "new/nested").string(), "--out");
  EXPECT_TRUE(fs::is_directory(tmp.path() / "new/nested"));
}

}  // namespace
}  // namespace fftune::examples
