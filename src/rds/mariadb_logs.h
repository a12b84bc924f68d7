#pragma once
// The log settings of a MariaDB server behind an RDS MySQL or MariaDB
// instance (its kura.cnf lines), as RDS keeps the logs of those engines:
// the error log always, the general and slow query logs as the parameter
// group's general_log and slow_query_log say, and the audit plugin's log
// (mariadb_logs.cpp says why always). Where the files live and what RDS
// calls them: services/rds/engine_log_files.h; shipping them to CloudWatch
// Logs: log_shipper.h.
#include <filesystem>
#include <string>

#include "common/api_error.h"
#include "rds/instance_engine.h"

namespace kura::rds {

// kura.cnf's lines for the logs of `layout`, after Kura's own (they set
// plugin_dir again). Puts the audit plugin where the server loads it from
// (below `dataDir`, Kura's data directory). `adminUser`: Kura's account,
// whose own statements are not audited.
Result<std::string> mariaDbLogSettings(const EngineLayout& layout, const std::filesystem::path& dataDir,
                                       const std::string& adminUser);

}  // namespace kura::rds
