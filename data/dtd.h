// Readers for image-classification datasets on disk: the DTD release layout and a plain
// ImageFolder layout. Both return file paths and label ids; decoding happens in the loader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fftune::data {

struct LabeledImage {
  std::string path;  // absolute or relative to the working directory, as given by the root
  int64_t label = 0;
};

struct ImageDataset {
  std::vector<std::string> classes;  // label id -> class name
  std::vector<LabeledImage> samples;
};

struct ImageSplits {
  ImageDataset train;
  ImageDataset val;
  std::optional<ImageDataset> test;  // always present for DTD
};

// The Describable Textures Dataset release (dtd-r1.0.1):
//   <root>/images/<class>/<file>.jpg
//   <root>/labels/train{k}.txt, val{k}.txt, test{k}.txt   (k = 1..10)
// where each line of a list is `<class>/<file>.jpg`. Classes are the sub-folders of images/,
// sorted by name; their positions are the label ids. A missing list, a malformed line, a line
// whose file part is not one plain name (`banded/../../etc/hostname` would leave the dataset
// root), an unknown class, a listed file that does not exist or an empty split stops with
// fftune::Error naming the list file and the line.
ImageSplits read_dtd(const std::string& root, int split);

// ImageFolder: <root>/train/<class>/<image>, <root>/val/<class>/<image>, and optionally
// <root>/test/<class>/<image>. Classes are the sub-folders of train/, sorted; val/ and test/
// may not have classes that train/ lacks. Images are .jpg, .jpeg or .png files (any case),
// sorted by path within a class. A class folder without one is an error naming it, as in
// torchvision's ImageFolder (a class with no samples would silently widen the classifier).
ImageSplits read_image_folder(const std::string& root);

}  // namespace fftune::data
