#pragma once
// The log files of an RDS instance's engine as RDS names them in
// DescribeDBLogFiles and DownloadDBLogFilePortion, with the log type each
// belongs to for EnableCloudwatchLogsExports:
//  - PostgreSQL: every file of its log directory, "error/postgresql.log.YYYY-MM-DD-HH" (type postgresql);
//  - MySQL and MariaDB: "error/mysql-error.log" (error), "general/mysql-general.log"
//    (general), "slowquery/mysql-slowquery.log" (slowquery) and the audit
//    plugin's "audit/server_audit.log" with its rotations ".1" ... (audit).
// Files are found by name only: whoever reads one reaches it beneath the
// engine's directory (common/confined_file.h), which the engine may write to.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api_error.h"

namespace kura::rds {

struct EngineLogFile {
  std::string name;                // as RDS shows it: "error/mysql-error.log"
  std::string type;                // its log type: "error", "audit", "postgresql"
  std::filesystem::path relative;  // below the engine's directory: "log/mysql-error.log"
};

// The files that exist now below `engineDir` (the directory of the
// instance's current primary), sorted by name.
std::vector<EngineLogFile> engineLogFiles(const std::string& engine, const std::filesystem::path& engineDir);

// The log types an instance of `engine` can export to CloudWatch Logs.
std::vector<std::string> exportableLogTypes(const std::string& engine);
// RDS's refusal of `types` (a list of log type names) for an instance of
// `engine` at `version` when one of them is not exportable.
std::optional<ApiError> checkLogTypes(const std::string& engine, const std::string& version, const nlohmann::json& types);
// Applies a CloudwatchLogsExportConfiguration (EnableLogTypes,
// DisableLogTypes) to the EnabledCloudwatchLogsExports of an instance's or
// cluster's spec, each type checked first.
std::optional<ApiError> changeLogExports(nlohmann::json& spec, const nlohmann::json& config);

}  // namespace kura::rds
