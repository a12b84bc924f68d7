#pragma once
// MariaDB's AWSAuthenticationPlugin (mariadb_plugin/), as built with Kura:
// the shared object's bytes, empty when Kura was built without the
// server's headers (then MariaDB instances have no IAM authentication).
#include <string_view>

namespace kura::dbauth {

inline constexpr const char* kMariaDbAuthPluginFile = "aws_authentication_plugin.so";
std::string_view mariaDbAuthPlugin();

}  // namespace kura::dbauth
