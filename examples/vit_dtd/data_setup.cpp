#include "data_setup.h"

#include <filesystem>

namespace vit_dtd {

using namespace fftune;

data::ImageSplits read_splits(const Config& config) {
  if (std::filesystem::is_directory(config.data_dir + "/labels"))
    return data::read_dtd(config.data_dir, config.split);
  return data::read_image_folder(config.data_dir);
}

data::LoaderOptions loader_options(const Config& config, int64_t image_size,
                                   const data::Normalization& norm, bool train) {
  data::LoaderOptions o;
  o.batch_size = config.batch_size;
  o.shuffle = train;
  o.num_workers = config.workers;
  o.seed = config.seed;
  o.transform.kind =
      train ? data::TransformOptions::Kind::kTrain : data::TransformOptions::Kind::kEval;
  o.transform.size = image_size;
  o.transform.resize_size = image_size;
  o.transform.scale = {config.crop_scale_min, 1.0};
  o.transform.normalization = norm;
  return o;
}

}  // namespace vit_dtd
