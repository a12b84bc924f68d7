#pragma once
// CloudWatch metric alarms and their history, per account and region, in
// SQLite (<data-dir>/monitoring/alarms.db). An alarm is kept as the
// MetricAlarm structure DescribeAlarms returns (configuration and state in
// one JSON object), so what is stored is what is shown. The history is kept
// after the alarm is deleted, as CloudWatch keeps it.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/core/handler_table.h"
#include "sql/sqlite_db.h"

namespace kura {

struct AlarmRef {
  std::string account, region, name;
};

struct AlarmHistoryItem {
  int64_t id = 0;
  std::string alarmName;
  double timestamp = 0;
  std::string type;  // ConfigurationUpdate, StateUpdate, Action
  std::string summary;
  std::string data;  // JSON text
};

// The state part of an alarm written again with a new configuration: an
// update keeps `existing`'s state and tags (the next evaluation follows); a
// new alarm starts INSUFFICIENT_DATA at `now` with `tags`.
void carryAlarmState(Json& alarm, const std::optional<Json>& existing, double now, const Json& tags);

class AlarmStore {
 public:
  explicit AlarmStore(const std::filesystem::path& dataDir);

  std::optional<Json> get(const AlarmRef& alarm);
  void put(const AlarmRef& alarm, const Json& value);
  // Every alarm of every account (the evaluator's pass).
  std::vector<std::pair<AlarmRef, Json>> all();
  // Alarms of an account and region in name order, after `afterName`.
  std::vector<Json> list(const std::string& account, const std::string& region, const std::string& afterName);
  // Deletes them all or, when one is missing, none (returns its name).
  std::optional<std::string> remove(const std::string& account, const std::string& region,
                                    const std::vector<std::string>& names);
  // Replaces the alarm only if it still is `expected` (the evaluator must
  // not overwrite a change made by a call meanwhile); false otherwise.
  bool replace(const AlarmRef& alarm, const Json& expected, const Json& value);
  void addHistory(const AlarmRef& alarm, const AlarmHistoryItem& item);
  // Newest first unless `oldestFirst`; ids after `afterId` in that order.
  std::vector<AlarmHistoryItem> history(const std::string& account, const std::string& region,
                                        const std::string& alarmName, const std::string& type, double start,
                                        double end, bool oldestFirst, int64_t afterId, size_t limit);

 private:
  std::mutex mutex_;
  SqliteDb db_;  // guarded by mutex_
};

}  // namespace kura
