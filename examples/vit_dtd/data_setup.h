// The data side of a run: which reader (the DTD release or an ImageFolder) and the loader
// options of the training and evaluation pipelines.
#pragma once

#include "config.h"
#include "data/dtd.h"
#include "data/loader.h"

namespace vit_dtd {

// DTD when <data>/labels/ exists (split config.split), an ImageFolder otherwise. Without a test
// split the validation split stands in for it (and the log says so).
fftune::data::ImageSplits read_splits(const Config& config);

// Training: shuffled, RandomResizedCrop(image_size, scale = (crop_scale_min, 1)) + flip.
// Evaluation: in order, Resize(image_size) + CenterCrop(image_size). The seed keys the order and
// the augmentation.
fftune::data::LoaderOptions loader_options(const Config& config, int64_t image_size,
                                           const fftune::data::Normalization& norm, bool train);

}  // namespace vit_dtd
