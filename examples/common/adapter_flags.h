// The adapter flags of the example programs, declared from the adapter registry
// (adapters/registry.h): each registered adapter's options become flags (--n, --alpha, --rank,
// --random-loc-seed, --freq-bias, and whatever a newly registered adapter declares), so that
// `--adapter NAME` works for every registered adapter with no edit to a program.
//
//   Flags flags("vit_dtd", "...");
//   add_adapter_flags(flags);
//   flags.parse(argc, argv);
//   options = adapter_options_from_flags(flags, "lora", kDefaults, /*strict=*/true);
//
// A program may set its own defaults per adapter (vit_dtd: the paper's DTD settings); the
// registry's apply otherwise.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/registry.h"
#include "flags.h"
#include "run_folder.h"

namespace fftune::examples {

// A program's defaults: {adapter: {option key or "lr": value}}, over the registry's.
using AdapterDefaults = std::map<std::string, nlohmann::json>;

// Adds each registered adapter's option flags to `flags`, each flag once (adapters share a flag
// when their options mean the same: --alpha is FourierFT's scaling and LoRA's lora_alpha).
void add_adapter_flags(Flags& flags);

// Whether "--name" is one of add_adapter_flags' flags.
bool is_adapter_flag(const std::string& flag);

// The options of `adapter` (a registered one): the registry's defaults, then `defaults`', then
// the flags given. With `strict`, a given flag that `adapter` has no option for is an error
// naming the flag and the adapters that have one (without it, such flags are ignored: --resume
// and --eval-only take the method from the folder).
adapters::AdapterOptions adapter_options_from_flags(const Flags& flags, const std::string& adapter,
                                                    const AdapterDefaults& defaults, bool strict);

// The options of `adapter`: the registry's defaults, then the program's `defaults`, then `given`.
adapters::AdapterOptions options_with_defaults(const std::string& adapter,
                                               const AdapterDefaults& defaults,
                                               const adapters::AdapterOptions& given);

// The learning rate of the adapter's parameters when --lr is not given: the program's default
// for it, else the registry's; `fallback` for a method that is not a registered adapter.
double default_learning_rate(const std::string& adapter, const AdapterDefaults& defaults,
                             double fallback);

// --help's section on the adapters: each registered adapter with its options (flag, key,
// this program's default) and its default learning rate.
std::string adapters_help(const AdapterDefaults& defaults);

// The method flags for run_folder.h's check_method_flags: --adapter, --target-modules and every
// adapter option flag with the option keys it sets.
std::vector<MethodFlag> adapter_method_flags();

}  // namespace fftune::examples
