#pragma once
// Ships what an instance's engine writes to its log files to CloudWatch
// Logs, as RDS does for EnableCloudwatchLogsExports: group
// /aws/rds/instance/<id>/<log type> (an Aurora cluster's instances:
// /aws/rds/cluster/<cluster id>/<log type>, as the cluster exports them),
// one stream named after the instance,
// one event per log entry (continuation lines stay with their entry).
//  - PostgreSQL, type postgresql: the server log and pgaudit's AUDIT lines;
//  - MySQL and MariaDB: error, general, slowquery and audit (the audit
//    plugin's file, followed across its rotations); which files are which:
//    services/rds/engine_log_files.h.
// A log type the instance does not export is passed over (its files' ends
// noted): exporting it later ships what is written from then on.
//
// Offsets per file are kept in <instance dir>/log-shipping.json, written
// after the sink took the events: a crash in between ships those lines
// again (at least once), never loses them.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "catalog/records.h"

namespace kura::rds {

struct ShippedEntry {
  int64_t timestampMs = 0;
  std::string message;
};

// Stores the entries in `group`/`stream` of the instance's account and
// region (creating both); false when it could not.
using LogSink = std::function<bool(const Resource& instance, const std::string& group, const std::string& stream,
                                   const std::vector<ShippedEntry>& entries)>;

// Where an instance's logs go: the groups' common prefix and the log types
// exported (a cluster member's: its cluster's, with its own).
struct LogTarget {
  std::string groupPrefix;
  std::vector<std::string> exports;
};
LogTarget logTargetOf(const Resource& instance, const Resource* cluster);

class LogShipper {
 public:
  explicit LogShipper(LogSink sink) : sink_(std::move(sink)) {}
  void ship(const Resource& instance, const std::filesystem::path& instanceDir, const LogTarget& target);

 private:
  LogSink sink_;
};

// PostgreSQL's log directory below an instance's directory, and the name
// DescribeDBLogFiles gives its files ("error/postgresql.log.2026-11-25-13").
std::filesystem::path postgresLogDir(const std::filesystem::path& instanceDir);
// The entries of a piece of PostgreSQL log text that ends at a line end.
std::vector<ShippedEntry> splitLogEntries(const std::string& text, int64_t fallbackMs);
// The same for a MySQL log of `type` (audit, error, general, slowquery):
// times are the server's local time, as MariaDB writes them.
std::vector<ShippedEntry> splitMySqlLogEntries(const std::string& type, const std::string& text, int64_t fallbackMs);

}  // namespace kura::rds
