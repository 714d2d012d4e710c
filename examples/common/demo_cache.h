// Where the demos keep what they build once — generated data, a trained tokenizer, a pre-trained
// backbone — so that later runs go straight to fine-tuning: one directory per recipe, named by a
// hash of the settings that decide it, so a changed recipe builds afresh.
//
//   const std::string dir = cache_root(cache_dir_flag, "vit_dtd") + "/vit_dtd_demo-" +
//                           hash_hex(settings.dump());
#pragma once

#include <string>

namespace fftune::examples {

// `override_dir` when not empty, else $XDG_CACHE_HOME/fftune, else $HOME/.cache/fftune, created
// when missing. With neither variable set, or a directory that cannot be created or written,
// it is an error naming `program` or the path and the --cache-dir flag.
std::string cache_root(const std::string& override_dir, const std::string& program);

// FNV-1a of `text` as 16 hex digits: a short, stable key for a recipe.
std::string hash_hex(const std::string& text);

}  // namespace fftune::examples
