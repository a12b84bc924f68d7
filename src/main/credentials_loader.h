#pragma once
#include <string>

#include "auth/sigv4_verifier.h"
#include "common/api_error.h"
#include "main/server_config.h"

namespace kura {

// The credentials `kura serve` accepts: those configured (flags, environment,
// credentials file), and the well-known development pair test/test only when
// bound to loopback. Off loopback with nothing configured is an error: the
// server must not start open to the network.
Result<bool> loadCredentials(const ServerConfig& config, auth::StaticCredentialStore& store);

}  // namespace kura
