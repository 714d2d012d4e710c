// A procedural texture dataset in the real DTD layout, for the demo and the tests: neither DTD
// nor any other image data can be downloaded on the machines this project runs on.
//
// Each class is a periodic or noise pattern (banded, chequered, dotted, ...) drawn with a random
// scale, rotation, two random colours and pixel noise, so a classifier has to learn the pattern,
// not a colour or an orientation. Everything is a pure function of (seed, class, image index).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"

namespace vit_dtd {

using fftune::data::Image;

// The class names the generator can draw, sorted (so their positions are DTD's label ids).
const std::vector<std::string>& texture_classes();

// One texture image of class `texture_class` (one of texture_classes()), size × size pixels.
Image render_texture(const std::string& texture_class, int64_t size, uint64_t seed, int64_t index);

struct TextureDatasetOptions {
  std::string root;                  // created if missing
  std::vector<std::string> classes;  // empty: all of texture_classes()
  int64_t image_size = 64;
  int64_t images_per_class = 30;  // split into thirds: train, val, test (as DTD's 40/40/40)
  int num_splits = 3;             // label lists train{k}/val{k}/test{k}.txt for k = 1..num_splits
  uint64_t seed = 0;
  int jpeg_quality = 90;
};

// Writes <root>/images/<class>/<class>_NNNN.jpg and <root>/labels/{train,val,test}{k}.txt; each
// file is written to a temporary name and renamed, so an interrupted run leaves no partial file.
// Split k is a different seeded shuffle of each class's images, as DTD's ten splits are.
void write_texture_dataset(const TextureDatasetOptions& options);

}  // namespace vit_dtd
