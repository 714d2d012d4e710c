#include "adapter_flags.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/error.h"

namespace fftune::examples {

using nlohmann::json;
using Type = adapters::AdapterOption::Type;

namespace {

// The registry's defaults of `spec`, overridden by the program's.
json program_defaults(const adapters::AdapterSpec& spec, const AdapterDefaults& defaults) {
  json options = adapters::complete_options(spec, json::object(), spec.name);
  if (auto it = defaults.find(spec.name); it != defaults.end())
    for (const auto& [key, value] : it->second.items())
      if (key != "lr") options[key] = value;
  return adapters::complete_options(spec, options, "the program's defaults");
}

std::string value_text(const json& v) {
  if (v.is_null()) return "off";
  if (v.is_array()) return v[0].dump() + "," + v[1].dump();
  if (v.is_number_float()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v.get<double>());
    return buffer;
  }
  return v.dump();
}

}  // namespace

void add_adapter_flags(Flags& flags) {
  std::set<std::string> added;
  for (const adapters::AdapterSpec* spec : adapters::registered_adapters())
    for (const adapters::AdapterOption& o : spec->options) {
      if (!added.insert(o.flag).second) continue;
      const std::string help = "adapter option (see \"adapters\" below)";
      switch (o.type) {
        case Type::kInteger:
          flags.add_int(o.flag, 0, help);
          break;
        case Type::kNumber:
          flags.add_double(o.flag, 0.0, help);
          break;
        case Type::kNumberPair:
          flags.add_string(o.flag, "", help + ", A,B");
          break;
      }
    }
}

bool is_adapter_flag(const std::string& flag) {
  for (const adapters::AdapterSpec* spec : adapters::registered_adapters())
    for (const adapters::AdapterOption& o : spec->options)
      if ("--" + o.flag == flag) return true;
  return false;
}

adapters::AdapterOptions adapter_options_from_flags(const Flags& flags, const std::string& adapter,
                                                    const AdapterDefaults& defaults, bool strict) {
  const adapters::AdapterSpec& spec = adapters::find_adapter(adapter);
  json options = program_defaults(spec, defaults);
  std::set<std::string> used;
  for (const adapters::AdapterOption& o : spec.options) {
    used.insert(o.flag);
    if (!flags.is_set(o.flag)) continue;
    switch (o.type) {
      case Type::kInteger:
        options[o.key] = flags.get_int(o.flag);
        break;
      case Type::kNumber:
        options[o.key] = flags.get_double(o.flag);
        break;
      case Type::kNumberPair: {
        const std::vector<double> pair = flags.get_doubles(o.flag);
        FFTUNE_CHECK(pair.size() == 2, "--", o.flag, ": expected two numbers A,B, got ",
                     pair.size());
        options[o.key] = pair;
        break;
      }
    }
  }
  if (strict)
    for (const adapters::AdapterSpec* other : adapters::registered_adapters())
      for (const adapters::AdapterOption& o : other->options)
        FFTUNE_CHECK(used.count(o.flag) == 1 || !flags.is_set(o.flag), "--", o.flag,
                     " is an option of --adapter ", other->name, ", not of --adapter ", adapter,
                     " (see --help)");
  return options;
}

adapters::AdapterOptions options_with_defaults(const std::string& adapter,
                                               const AdapterDefaults& defaults,
                                               const adapters::AdapterOptions& given) {
  const adapters::AdapterSpec& spec = adapters::find_adapter(adapter);
  json options = program_defaults(spec, defaults);
  if (given.is_object())
    for (const auto& [key, value] : given.items()) options[key] = value;
  return adapters::complete_options(spec, options, "--adapter " + adapter);
}

double default_learning_rate(const std::string& adapter, const AdapterDefaults& defaults,
                             double fallback) {
  if (auto it = defaults.find(adapter); it != defaults.end() && it->second.contains("lr"))
    return it->second["lr"].get<double>();
  if (!adapters::is_registered_adapter(adapter)) return fallback;
  return adapters::find_adapter(adapter).learning_rate;
}

std::string adapters_help(const AdapterDefaults& defaults) {
  std::string text =
      "adapters (--adapter NAME; an option's flag, its adapter_config.json key and "
      "default)\n";
  char line[256];
  for (const adapters::AdapterSpec* spec : adapters::registered_adapters()) {
    std::snprintf(
        line, sizeof line, "  %-10s %s, saved as %s; --lr default %g\n", spec->name.c_str(),
        spec->title.c_str(),
        spec->peft_format ? spec->peft_format->peft_type.c_str() : spec->peft_type.c_str(),
        default_learning_rate(spec->name, defaults, 0.0));
    text += line;
    const json options = program_defaults(*spec, defaults);
    for (const adapters::AdapterOption& o : spec->options) {
      std::snprintf(line, sizeof line, "    --%-16s %-16s (%s) %s\n", o.flag.c_str(), o.key.c_str(),
                    value_text(options[o.key]).c_str(), o.help.c_str());
      text += line;
    }
  }
  return text;
}

std::vector<MethodFlag> adapter_method_flags() {
  std::vector<MethodFlag> flags = {{"--adapter", {"adapter"}},
                                   {"--target-modules", {"target_modules"}}};
  for (const adapters::AdapterSpec* spec : adapters::registered_adapters())
    for (const adapters::AdapterOption& o : spec->options) {
      auto it = std::find_if(flags.begin(), flags.end(),
                             [&](const MethodFlag& f) { return f.flag == "--" + o.flag; });
      if (it == flags.end()) {
        flags.push_back({"--" + o.flag, {o.key}});
      } else if (std::find(it->fields.begin(), it->fields.end(), o.key) == it->fields.end()) {
        it->fields.push_back(o.key);
      }
    }
  return flags;
}

}  // namespace fftune::examples
