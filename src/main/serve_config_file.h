#pragma once
// `kura serve --config FILE`: the settings of an INI/TOML file, keys named
// like the long flags (`port = 4566`, `tls-cert-file = "/etc/kura/api.pem"`,
// underscores for dashes allowed, an optional [serve] section).
//
// Why by hand: CLI11 2.1 reads the config file of a subcommand only when it
// processes the main app, so a file given to `serve` was read by nobody and
// its settings silently ignored. This applies them after parsing, below the
// environment and the flags (an option either of them set is left alone),
// with the option's own checks.
#include <CLI/CLI.hpp>

#include <string>

namespace kura {

// Empty when the file (if one was given) applied; else what is wrong in it.
std::string applyServeConfigFile(CLI::App& serve);

}  // namespace kura
