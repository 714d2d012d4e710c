// Reading an fftune-owned adapter_config.json (peft_type FFTUNE_*) strictly: every key must be
// present and read exactly once, so that an unknown key — a setting fftune would silently drop —
// is an error naming the file. Used by the adapter registry and the example programs' methods.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace fftune::adapters {

class KeyReader {
 public:
  // `source` names the file in errors; `j` must outlive the reader.
  KeyReader(const nlohmann::json& j, std::string source) : j_(j), source_(std::move(source)) {}

  const nlohmann::json& take(const std::string& key) {
    FFTUNE_CHECK(j_.contains(key), source_, ": \"", key, "\" is missing (peft_type ",
                 j_.at("peft_type").get<std::string>(), ")");
    taken_.insert(key);
    return j_.at(key);
  }

  template <typename T>
  T get(const std::string& key) {
    const nlohmann::json& v = take(key);
    try {
      return v.get<T>();
    } catch (const nlohmann::json::exception&) {
      FFTUNE_FAIL(source_, ": \"", key, "\" has the wrong type: ", v.dump());
    }
  }

  std::vector<std::string> strings(const std::string& key) {
    const nlohmann::json& v = take(key);
    FFTUNE_CHECK(v.is_array() && std::all_of(v.begin(), v.end(),
                                             [](const nlohmann::json& e) { return e.is_string(); }),
                 source_, ": \"", key, "\" must be a list of strings, got ", v.dump());
    return v.get<std::vector<std::string>>();
  }

  void check_all_taken() const {
    for (const auto& item : j_.items())
      FFTUNE_CHECK(taken_.count(item.key()) == 1, source_, ": unknown key \"", item.key(),
                   "\" for peft_type ", j_.at("peft_type").get<std::string>(),
                   " (fftune would drop its setting)");
  }

 private:
  const nlohmann::json& j_;
  std::string source_;
  std::set<std::string> taken_;
};

}  // namespace fftune::adapters
