// fftune::Error and the FFTUNE_CHECK macro: every bad input stops with one clear message that
// names what was wrong (the tensor, the file, the line) and what was expected (DESIGN.md §7).
#pragma once

#include <cstdint>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fftune {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Shapes print as (2, 3); declared here so that messages can name them (core/tensor/shape.cpp).
std::ostream& operator<<(std::ostream& os, const std::vector<int64_t>& shape);

namespace detail {
template <typename... Args>
std::string str_cat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}
}  // namespace detail

}  // namespace fftune

// FFTUNE_CHECK(cond, "op: x must be (B, T, C), got ", x.shape()) throws fftune::Error with the
// message pieces concatenated through operator<<.
#define FFTUNE_CHECK(cond, ...)                                                 \
  do {                                                                          \
    if (!(cond)) throw ::fftune::Error(::fftune::detail::str_cat(__VA_ARGS__)); \
  } while (0)

#define FFTUNE_FAIL(...) throw ::fftune::Error(::fftune::detail::str_cat(__VA_ARGS__))
