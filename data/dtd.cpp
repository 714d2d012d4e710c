// The DTD and ImageFolder readers (data/dtd.h).
#include "data/dtd.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.h"

namespace fftune::data {

namespace fs = std::filesystem;

namespace {

// The sub-folder names of `dir`, sorted (what torchvision's ImageFolder calls classes).
std::vector<std::string> sorted_subfolders(const fs::path& dir, const char* reader) {
  FFTUNE_CHECK(fs::is_directory(dir), reader, ": '", dir.string(), "' is not a directory");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  FFTUNE_CHECK(!names.empty(), reader, ": '", dir.string(), "' has no class folders");
  return names;
}

int64_t label_of(const std::vector<std::string>& classes, const std::string& name) {
  const auto it = std::lower_bound(classes.begin(), classes.end(), name);
  return it != classes.end() && *it == name ? it - classes.begin() : -1;
}

// One DTD list: each non-blank line `<class>/<file>` names images/<class>/<file>.
ImageDataset read_dtd_list(const fs::path& root, const std::vector<std::string>& classes,
                           const std::string& list_name) {
  const fs::path list = root / "labels" / list_name;
  std::ifstream in(list);
  FFTUNE_CHECK(in, "read_dtd: missing label list '", list.string(), "'");
  ImageDataset dataset;
  dataset.classes = classes;
  std::string line;
  for (int64_t line_no = 1; std::getline(in, line); ++line_no) {
    // Tolerate Windows line ends and surrounding spaces.
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;  // blank line
    line = line.substr(start);
    const size_t slash = line.find('/');
    FFTUNE_CHECK(slash != std::string::npos && slash > 0 && slash + 1 < line.size(), list.string(),
                 ":", line_no, ": expected '<class>/<file>.jpg', got '", line, "'");
    // The file part is one plain name: no further '/', no '.' or '..', so that a list cannot
    // name anything outside images/<class>/ ("banded/../../../etc/hostname").
    const std::string file_name = line.substr(slash + 1);
    FFTUNE_CHECK(file_name.find('/') == std::string::npos &&
                     file_name.find('\\') == std::string::npos && file_name != "." &&
                     file_name != "..",
                 list.string(), ":", line_no, ": '", line,
                 "' leaves its class folder (expected '<class>/<file>.jpg', one plain file name)");
    const std::string class_name = line.substr(0, slash);
    const int64_t label = label_of(classes, class_name);
    FFTUNE_CHECK(label >= 0, list.string(), ":", line_no, ": unknown class '", class_name,
                 "' (not a folder of '", (root / "images").string(), "')");
    const fs::path image = root / "images" / line;
    FFTUNE_CHECK(fs::is_regular_file(image), list.string(), ":", line_no, ": listed image '",
                 image.string(), "' does not exist");
    dataset.samples.push_back({image.string(), label});
  }
  FFTUNE_CHECK(!dataset.samples.empty(), "read_dtd: label list '", list.string(),
               "' is empty (an empty split)");
  return dataset;
}

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

ImageDataset read_folder_split(const fs::path& dir, const std::vector<std::string>& classes) {
  ImageDataset dataset;
  dataset.classes = classes;
  for (const std::string& name : sorted_subfolders(dir, "read_image_folder")) {
    const int64_t label = label_of(classes, name);
    FFTUNE_CHECK(label >= 0, "read_image_folder: '", (dir / name).string(),
                 "' is a class that train/ does not have");
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir / name)) {
      if (entry.is_regular_file() && is_image_file(entry.path())) {
        files.push_back(entry.path().string());
      }
    }
    // torchvision's ImageFolder raises for a class folder with no valid file: a class with no
    // samples would silently widen the classifier and skew the metrics.
    FFTUNE_CHECK(!files.empty(), "read_image_folder: class folder '", (dir / name).string(),
                 "' holds no .jpg/.jpeg/.png images (remove it, or add its images)");
    std::sort(files.begin(), files.end());
    for (auto& f : files) dataset.samples.push_back({std::move(f), label});
  }
  FFTUNE_CHECK(!dataset.samples.empty(), "read_image_folder: '", dir.string(),
               "' holds no .jpg/.jpeg/.png images (an empty split)");
  return dataset;
}

}  // namespace

ImageSplits read_dtd(const std::string& root, int split) {
  FFTUNE_CHECK(split >= 1 && split <= 10, "read_dtd: split must be in 1..10, got ", split);
  const fs::path base(root);
  const std::vector<std::string> classes = sorted_subfolders(base / "images", "read_dtd");
  const std::string k = std::to_string(split);
  ImageSplits splits;
  splits.train = read_dtd_list(base, classes, "train" + k + ".txt");
  splits.val = read_dtd_list(base, classes, "val" + k + ".txt");
  splits.test = read_dtd_list(base, classes, "test" + k + ".txt");
  return splits;
}

ImageSplits read_image_folder(const std::string& root) {
  const fs::path base(root);
  const std::vector<std::string> classes = sorted_subfolders(base / "train", "read_image_folder");
  ImageSplits splits;
  splits.train = read_folder_split(base / "train", classes);
  FFTUNE_CHECK(fs::is_directory(base / "val"), "read_image_folder: '", (base / "val").string(),
               "' is missing");
  splits.val = read_folder_split(base / "val", classes);
  if (fs::exists(base / "test")) splits.test = read_folder_split(base / "test", classes);
  return splits;
}

}  // namespace fftune::data
