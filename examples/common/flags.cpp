#include "examples/common/flags.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>
#include <utility>

#include "core/error.h"

namespace fftune::examples {
namespace {

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Whole-string parses: "12abc" and "" are errors, not 12 and 0.
bool parse_int(const std::string& s, int64_t& out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end && !s.empty();
}
bool parse_double(const std::string& s, double& out) {
  const char* begin = s.data();
  if (!s.empty() && s[0] == '+') ++begin;  // from_chars rejects a leading '+'
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end && begin != end;
}
bool parse_bool(const std::string& s, bool& out) {
  if (s == "true" || s == "1" || s == "yes") {
    out = true;
  } else if (s == "false" || s == "0" || s == "no") {
    out = false;
  } else {
    return false;
  }
  return true;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

// Levenshtein distance, for "did you mean" hints.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

Flags::Flags(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

Flags::Flag& Flags::add(const std::string& name, Kind kind, const std::string& help) {
  FFTUNE_CHECK(!name.empty() && std::all_of(name.begin(), name.end(),
                                            [](char c) {
                                              return (c >= 'a' && c <= 'z') ||
                                                     (c >= '0' && c <= '9') || c == '-';
                                            }),
               "Flags: invalid flag name '", name, "' (lowercase letters, digits and '-')");
  FFTUNE_CHECK(name != "help", "Flags: --help is built in");
  FFTUNE_CHECK(!index_.count(name), "Flags: --", name, " registered twice");
  index_[name] = flags_.size();
  Flag flag;
  flag.name = name;
  flag.kind = kind;
  flag.help = help;
  flags_.push_back(std::move(flag));
  return flags_.back();
}

void Flags::add_string(const std::string& name, const std::string& default_value,
                       const std::string& help) {
  Flag& f = add(name, Kind::kString, help);
  f.string_value = default_value;
  f.default_text = default_value.empty() ? "" : "\"" + default_value + "\"";
}

void Flags::add_int(const std::string& name, int64_t default_value, const std::string& help) {
  Flag& f = add(name, Kind::kInt, help);
  f.int_value = default_value;
  f.default_text = std::to_string(default_value);
}

void Flags::add_double(const std::string& name, double default_value, const std::string& help) {
  Flag& f = add(name, Kind::kDouble, help);
  f.double_value = default_value;
  f.default_text = format_double(default_value);
}

void Flags::add_bool(const std::string& name, bool default_value, const std::string& help) {
  Flag& f = add(name, Kind::kBool, help);
  f.bool_value = default_value;
  f.default_text = default_value ? "true" : "false";
}

void Flags::add_choice(const std::string& name, const std::string& default_value,
                       const std::vector<std::string>& choices, const std::string& help) {
  FFTUNE_CHECK(!choices.empty(), "Flags: --", name, " has no choices");
  FFTUNE_CHECK(default_value.empty() ||
                   std::find(choices.begin(), choices.end(), default_value) != choices.end(),
               "Flags: the default of --", name, " ('", default_value, "') is not one of ",
               join(choices, "|"));
  Flag& f = add(name, Kind::kChoice, help);
  f.choices = choices;
  f.string_value = default_value;
  f.default_text = default_value;
}

void Flags::assign(Flag& flag, const std::string& value) {
  const std::string what = "--" + flag.name;
  switch (flag.kind) {
    case Kind::kString:
      flag.string_value = value;
      break;
    case Kind::kChoice:
      FFTUNE_CHECK(std::find(flag.choices.begin(), flag.choices.end(), value) != flag.choices.end(),
                   what, ": '", value, "' is not one of ", join(flag.choices, "|"));
      flag.string_value = value;
      break;
    case Kind::kInt:
      FFTUNE_CHECK(parse_int(value, flag.int_value), what, ": expected an integer, got '", value,
                   "'");
      break;
    case Kind::kDouble:
      FFTUNE_CHECK(parse_double(value, flag.double_value), what, ": expected a number, got '",
                   value, "'");
      break;
    case Kind::kBool:
      FFTUNE_CHECK(parse_bool(value, flag.bool_value), what,
                   ": expected true/false (or 1/0, yes/no), got '", value, "'");
      break;
  }
  flag.set = true;
}

std::string Flags::unknown_flag_message(const std::string& name) const {
  std::string best;
  size_t best_distance = 3;  // suggest only close names
  for (const Flag& f : flags_) {
    const size_t d = edit_distance(name, f.name);
    if (d < best_distance) best_distance = d, best = f.name;
  }
  std::string message = program_ + ": unknown flag --" + name;
  if (!best.empty()) message += " (did you mean --" + best + "?)";
  return message + "; see --help";
}

void Flags::parse(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  parse(args);
}

void Flags::parse(const std::vector<std::string>& args) {
  FFTUNE_CHECK(!parsed_, "Flags: parse called twice");
  parsed_ = true;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_ended || arg.rfind("--", 0) != 0 || arg == "-") {
      if (!flags_ended && arg == "-h") {
        help_requested_ = true;
        continue;
      }
      FFTUNE_CHECK(allow_positional_, program_, ": unexpected argument '", arg,
                   "' (flags start with --); see --help");
      positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (name == "help") {
      help_requested_ = true;
      continue;
    }
    auto it = index_.find(name);
    FFTUNE_CHECK(it != index_.end(), unknown_flag_message(name));
    Flag& flag = flags_[it->second];
    if (eq != std::string::npos) {
      assign(flag, arg.substr(eq + 1));
    } else if (flag.kind == Kind::kBool) {
      flag.bool_value = true;
      flag.set = true;
    } else {
      FFTUNE_CHECK(i + 1 < args.size(), "--", name, ": missing value");
      assign(flag, args[++i]);
    }
  }
}

std::string Flags::help() const {
  std::ostringstream os;
  os << "usage: " << program_ << " [flags]\n";
  if (!description_.empty()) os << "\n" << description_ << "\n";
  os << "\nflags:\n";
  // Column of the descriptions: after the longest "--name <type>".
  auto signature = [](const Flag& f) {
    std::string s = "--" + f.name;
    switch (f.kind) {
      case Kind::kString:
        return s + " STR";
      case Kind::kInt:
        return s + " INT";
      case Kind::kDouble:
        return s + " NUM";
      case Kind::kChoice:
        return s + " NAME";
      case Kind::kBool:
        return s;
    }
    return s;
  };
  size_t width = std::string("--help").size();
  for (const Flag& f : flags_) width = std::max(width, signature(f).size());
  auto line = [&](const std::string& sig, const std::string& help, const std::string& note) {
    os << "  " << sig << std::string(width - sig.size() + 2, ' ') << help;
    if (!note.empty()) os << " (" << note << ")";
    os << "\n";
  };
  for (const Flag& f : flags_) {
    // A choice flag lists its choices with the default: "(fourierft|lora; default: lora)".
    std::string note = f.default_text.empty() ? "" : "default: " + f.default_text;
    if (f.kind == Kind::kChoice) note = join(f.choices, "|") + (note.empty() ? "" : "; " + note);
    line(signature(f), f.help, note);
  }
  line("--help", "print this help and exit", "");
  return os.str();
}

bool Flags::is_set(const std::string& name) const {
  auto it = index_.find(name);
  FFTUNE_CHECK(it != index_.end(), "Flags: no flag --", name, " is registered");
  return flags_[it->second].set;
}

std::vector<std::string> Flags::given() const {
  std::vector<std::string> out;
  for (const Flag& flag : flags_)
    if (flag.set) out.push_back("--" + flag.name);
  return out;
}

const Flags::Flag& Flags::find(const std::string& name, Kind kind) const {
  auto it = index_.find(name);
  FFTUNE_CHECK(it != index_.end(), "Flags: no flag --", name, " is registered");
  const Flag& f = flags_[it->second];
  const bool string_like = (kind == Kind::kString || kind == Kind::kChoice) &&
                           (f.kind == Kind::kString || f.kind == Kind::kChoice);
  FFTUNE_CHECK(f.kind == kind || string_like, "Flags: --", name,
               " is read with a getter of another type than it was registered with");
  return f;
}

const std::string& Flags::get_string(const std::string& name) const {
  return find(name, Kind::kString).string_value;
}
int64_t Flags::get_int(const std::string& name) const {
  return find(name, Kind::kInt).int_value;
}
double Flags::get_double(const std::string& name) const {
  return find(name, Kind::kDouble).double_value;
}
bool Flags::get_bool(const std::string& name) const {
  return find(name, Kind::kBool).bool_value;
}

std::vector<double> Flags::get_doubles(const std::string& name) const {
  const std::string& text = find(name, Kind::kString).string_value;
  std::vector<double> out;
  if (text.empty()) return out;
  size_t begin = 0;
  while (true) {
    const size_t comma = text.find(',', begin);
    const std::string item = text.substr(begin, comma - begin);
    double v = 0;
    FFTUNE_CHECK(parse_double(item, v), "--", name, ": expected comma-separated numbers, got '",
                 text, "'");
    out.push_back(v);
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return out;
}

}  // namespace fftune::examples
