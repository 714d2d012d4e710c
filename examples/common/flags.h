// Flags: the command-line parser of the example binaries. Each flag is registered with a type,
// a default and a one-line description; --help prints them all.
//
//   Flags flags("vit_dtd", "Fine-tunes a ViT on DTD.");
//   flags.add_double("lr", 0.3, "learning rate of the spectral coefficients");
//   flags.add_choice("adapter", "fourierft", {"fourierft", "lora", "head"}, "what to train");
//   flags.add_bool("resume", false, "continue from <out>/checkpoint.safetensors");
//   flags.parse(argc, argv);                  // throws fftune::Error on bad input
//   if (flags.help_requested()) { std::fputs(flags.help().c_str(), stdout); return 0; }
//   double lr = flags.get_double("lr");
//
// Accepted forms: `--name value`, `--name=value`; a bool flag is a switch (`--resume`), or takes
// its value after '=' only (`--resume=false`; also true/false, 1/0, yes/no), never the next
// argument. `-h` is --help. A bare `--` ends the flags; everything after it, and any argument
// not starting with "--", is positional (rejected unless allow_positional()).
// Unknown flags, missing or unparsable values, and a value outside a choice list each stop
// with one fftune::Error naming the flag.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fftune::examples {

class Flags {
 public:
  Flags(std::string program, std::string description);

  // ---- registration (a name is lowercase letters, digits and '-'; each name once) ----
  void add_string(const std::string& name, const std::string& default_value,
                  const std::string& help);
  void add_int(const std::string& name, int64_t default_value, const std::string& help);
  void add_double(const std::string& name, double default_value, const std::string& help);
  void add_bool(const std::string& name, bool default_value, const std::string& help);
  // A string restricted to `choices` (the default must be one of them, or "" for "none given").
  void add_choice(const std::string& name, const std::string& default_value,
                  const std::vector<std::string>& choices, const std::string& help);

  // Parses argv[1..argc). May be called once.
  void parse(int argc, const char* const* argv);
  void parse(const std::vector<std::string>& args);  // the same, without the program name
  void allow_positional(bool allow = true) { allow_positional_ = allow; }

  // ---- results ----
  bool help_requested() const { return help_requested_; }
  std::string help() const;  // usage, description, then each flag with its default
  // Typed getters: the parsed value, or the default. Asking for an unregistered name, or with
  // the wrong type, is a programming error (fftune::Error naming the flag).
  const std::string& get_string(const std::string& name) const;  // also for choice flags
  int64_t get_int(const std::string& name) const;
  double get_double(const std::string& name) const;
  bool get_bool(const std::string& name) const;
  // A comma-separated list of numbers ("200,50"), for flags such as --freq-bias; "" → {}.
  std::vector<double> get_doubles(const std::string& name) const;
  // Whether the flag was given on the command line (so that e.g. --paper-defaults can fill in
  // only the flags the user did not set).
  bool is_set(const std::string& name) const;
  // The flags given on the command line, as typed ("--n"), in registration order.
  std::vector<std::string> given() const;
  // Whether `name` is registered.
  bool has(const std::string& name) const { return index_.count(name) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  enum class Kind { kString, kInt, kDouble, kBool, kChoice };
  struct Flag {
    std::string name;
    Kind kind;
    std::string help;
    std::string default_text;  // as shown in --help
    std::vector<std::string> choices;
    std::string string_value;
    int64_t int_value = 0;
    double double_value = 0.0;
    bool bool_value = false;
    bool set = false;
  };

  Flag& add(const std::string& name, Kind kind, const std::string& help);
  const Flag& find(const std::string& name, Kind kind) const;
  void assign(Flag& flag, const std::string& value);  // parses value into flag
  std::string unknown_flag_message(const std::string& name) const;

  std::string program_;
  std::string description_;
  std::vector<Flag> flags_;              // registration order (the order of --help)
  std::map<std::string, size_t> index_;  // name -> position in flags_
  std::vector<std::string> positional_;
  bool allow_positional_ = false;
  bool help_requested_ = false;
  bool parsed_ = false;
};

}  // namespace fftune::examples
