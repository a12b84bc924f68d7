#pragma once
#include "main/server_config.h"

namespace kura {

// Runs the server in the foreground until SIGTERM or SIGINT; returns the
// process exit status.
int runServe(const ServerConfig& config);

}  // namespace kura
