// Point-in-time recovery: UpdateContinuousBackups turns the table's change
// log on (ddb/table_store_change_log.cpp); RestoreTableToPointInTime makes a
// new table of the items as they were at any microsecond of the last 35
// days since it was turned on.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/time_format.h"
#include "services/dynamodb/dynamodb_api.h"

namespace kura::ddb {
namespace {

constexpr int64_t kWindowMicros = 35LL * 86400 * 1000000;

int64_t toMicros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

ApiError tableNotFound(const std::string& name) {
  return ApiError::sender("TableNotFoundException", "Table not found: " + name);
}

bool recovering(const Json& table) { return table.contains("_pitr") && table["_pitr"].value("Enabled", false); }

// The restorable window [earliest, latest] in microseconds.
std::pair<int64_t, int64_t> window(const Json& table, int64_t now) {
  int64_t since = table["_pitr"].value("SinceMicros", now);
  return {std::max(since, now - kWindowMicros), now};
}

Json continuousBackups(const Json& table, int64_t now) {
  Json recovery = {{"PointInTimeRecoveryStatus", "DISABLED"}};
  if (recovering(table)) {
    auto [earliest, latest] = window(table, now);
    recovery = {{"PointInTimeRecoveryStatus", "ENABLED"},
                {"EarliestRestorableDateTime", static_cast<double>(earliest) / 1e6},
                {"LatestRestorableDateTime", static_cast<double>(latest) / 1e6}};
  }
  return {{"ContinuousBackupsDescription",
           {{"ContinuousBackupsStatus", "ENABLED"}, {"PointInTimeRecoveryDescription", recovery}}}};
}

}  // namespace

Result<Json> DynamoDbApi::updateContinuousBackups(const RequestContext& c, const Json& in) {
  TableRef ref{c.accountId, c.region, in["TableName"]};
  auto table = store_.table(ref);
  if (!table) return tableNotFound(ref.name);
  bool enable = in["PointInTimeRecoverySpecification"].value("PointInTimeRecoveryEnabled", false);
  if (enable && !recovering(*table)) {
    // The log starts with every item as it is; the table says so once the
    // log is there.
    auto since = store_.startChangeLog((*table)["_id"]);
    if (!since) return since.error();
    auto updated = store_.updateTable(ref, [&](Json& description) -> std::optional<ApiError> {
      description["_pitr"] = {{"Enabled", true}, {"SinceMicros", *since}};
      return std::nullopt;
    });
    if (!updated) {
      store_.dropChangeLog((*table)["_id"]);
      return updated.error();
    }
    table = *updated;
  } else if (!enable && recovering(*table)) {
    auto updated = store_.updateTable(ref, [&](Json& description) -> std::optional<ApiError> {
      description.erase("_pitr");
      return std::nullopt;
    });
    if (!updated) return updated.error();
    if (auto dropped = store_.dropChangeLog((*table)["_id"]); !dropped) return dropped.error();
    table = *updated;
  }
  return continuousBackups(*table, toMicros(clock_->now()));
}

Result<Json> DynamoDbApi::describeContinuousBackups(const RequestContext& c, const Json& in) {
  auto table = store_.table({c.accountId, c.region, in["TableName"]});
  if (!table) return tableNotFound(in["TableName"]);
  return continuousBackups(*table, toMicros(clock_->now()));
}

Result<Json> DynamoDbApi::restoreTableToPointInTime(const RequestContext& c, const Json& in) {
  if (in.contains("SourceTableName") == in.contains("SourceTableArn")) {
    return ApiError::sender("ValidationException", "Exactly one of SourceTableName and SourceTableArn must be given");
  }
  std::string sourceName = in.value("SourceTableName", "");
  if (in.contains("SourceTableArn")) {
    std::string arn = in["SourceTableArn"];
    size_t at = arn.rfind(":table/");
    if (at == std::string::npos) return ApiError::sender("ValidationException", "Invalid SourceTableArn: " + arn);
    sourceName = arn.substr(at + 7);
  }
  auto source = store_.table({c.accountId, c.region, sourceName});
  if (!source) return tableNotFound(sourceName);
  if (!recovering(*source)) {
    return ApiError::sender("PointInTimeRecoveryUnavailableException",
                            "Point in time recovery is not enabled for table '" + sourceName + "'");
  }
  std::string target = in["TargetTableName"];
  if (store_.table({c.accountId, c.region, target})) {
    return ApiError::sender("TableAlreadyExistsException", "Table already exists: " + target);
  }
  int64_t now = toMicros(clock_->now());
  auto [earliest, latest] = window(*source, now);
  int64_t at = latest;
  if (!in.value("UseLatestRestorableTime", false)) {
    if (!in.contains("RestoreDateTime")) {
      return ApiError::sender("ValidationException", "RestoreDateTime or UseLatestRestorableTime must be given");
    }
    at = static_cast<int64_t>(std::llround(in["RestoreDateTime"].get<double>() * 1e6));
    if (at < earliest || at > latest) {
      return ApiError::sender("InvalidRestoreTimeException",
                              "RestoreDateTime must be between " + formatIso8601(SystemTime(std::chrono::microseconds(earliest))) +
                                  " and " + formatIso8601(SystemTime(std::chrono::microseconds(latest))));
    }
  }
  auto created = createTable(c, restoreRequest(*source, target, in));
  if (!created) return created.error();
  auto table = requireTable(c, target);
  if (!table) return table.error();
  auto restored = store_.restoreFromChangeLog((*source)["_id"], (*table)["_id"], at);
  if (!restored) {
    store_.deleteTable({c.accountId, c.region, target});
    return restored.error();
  }
  Json description = describe(*table, true);
  description["RestoreSummary"] = {{"SourceTableArn", (*source)["TableArn"]},
                                   {"RestoreDateTime", static_cast<double>(at) / 1e6},
                                   {"RestoreInProgress", false}};
  return Json{{"TableDescription", description}};
}

}  // namespace kura::ddb
