#pragma once
// Ships what an instance's PostgreSQL writes to its log files (server log
// and pgaudit's AUDIT lines) to CloudWatch Logs, as RDS does for
// EnableCloudwatchLogsExports=postgresql: group /aws/rds/instance/<id>/postgresql,
// one stream named after the instance, one event per log entry (continuation
// lines stay with their entry).
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

class LogShipper {
 public:
  explicit LogShipper(LogSink sink) : sink_(std::move(sink)) {}
  void ship(const Resource& instance, const std::filesystem::path& instanceDir);

 private:
  LogSink sink_;
};

// PostgreSQL's log directory below an instance's directory, and the name
// DescribeDBLogFiles gives its files ("error/postgresql.log.2026-11-25-13").
std::filesystem::path postgresLogDir(const std::filesystem::path& instanceDir);
// The entries of a piece of log text that ends at a line end.
std::vector<ShippedEntry> splitLogEntries(const std::string& text, int64_t fallbackMs);

}  // namespace kura::rds
