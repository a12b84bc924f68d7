#pragma once
// IAM database authentication on a MariaDB server (kura.cnf's lines): the
// AWSAuthenticationPlugin (src/dbauth/mariadb_plugin/) loaded for good
// (FORCE_PLUS_PERMANENT: the master cannot uninstall it), told the port of
// Kura's responder and the instance's key. An account the master makes
// with `IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'` then logs in with
// a token, over TLS only.
#include <filesystem>
#include <string>

#include "common/api_error.h"
#include "rds/instance_engine.h"

namespace kura::rds {

// Puts the plugin beside the audit plugin in the directory the servers
// load plugins from (below `dataDir`; see mariadb_logs.cpp for why a
// directory of Kura's), and answers the settings; empty when Kura has no
// plugin or no responder.
Result<std::string> mariaDbIamAuthSettings(const EngineLayout& layout, const std::filesystem::path& dataDir);

}  // namespace kura::rds
