// rds-log-exports (runbook 1.4) and rds-log-retention (5): audit and error
// logs exported to CloudWatch Logs and kept long.
#include "check/json_fields.h"
#include "check/rds_database.h"

namespace kura::check {
namespace {

constexpr long long kMinRetentionDays = 365;

std::string exportCommand(const CheckContext& context, const RdsDatabase& database) {
  std::string types;
  std::string list = database.logTypes();
  for (size_t start = 0; start <= list.size();) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    types += (types.empty() ? "\"" : ",\"") + list.substr(start, comma - start) + "\"";
    start = comma + 1;
  }
  return database.modifyCommand(context) + " --cloudwatch-logs-export-configuration '{\"EnableLogTypes\":[" + types +
         "]}' --apply-immediately";
}

void checkRetention(CheckContext& context, const RdsDatabase& database, const nlohmann::json& exported) {
  std::string prefix = database.logGroup("");
  const auto& answer = context.read("logs", "DescribeLogGroups", {{"logGroupNamePrefix", prefix}});
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("rds-log-retention", database.arn, "DescribeLogGroups", *error);
    return;
  }
  const auto& groups = listOf(*client::outputOf(answer), "logGroups");
  std::string shortKept, missing, kept;
  std::string fixes;
  for (const auto& type : exported) {
    if (!type.is_string()) continue;
    std::string name = database.logGroup(type.get<std::string>());
    const nlohmann::json* group = nullptr;
    for (const auto& candidate : groups) {
      if (textOf(candidate, "logGroupName") == name) group = &candidate;
    }
    std::string fix = context.aws("logs") + " put-retention-policy --log-group-name " + name + " --retention-in-days " +
                      std::to_string(kMinRetentionDays);
    if (group == nullptr) {
      missing += (missing.empty() ? "" : ", ") + name;
      fixes += (fixes.empty() ? "" : " && ") + context.aws("logs") + " create-log-group --log-group-name " + name +
               " && " + fix;
      continue;
    }
    auto days = numberOf(*group, "retentionInDays");
    if (days && *days < kMinRetentionDays) {
      shortKept += (shortKept.empty() ? "" : ", ") + name + " (" + std::to_string(*days) + " days)";
      fixes += (fixes.empty() ? "" : " && ") + fix;
    } else {
      kept += (kept.empty() ? "" : ", ") + name + (days ? " (" + std::to_string(*days) + " days)" : " (never expires)");
    }
  }
  if (shortKept.empty() && missing.empty()) {
    context.passed("rds-log-retention", database.arn, "kept: " + kept);
    return;
  }
  std::string detail = shortKept.empty() ? "" : "kept less than 365 days: " + shortKept;
  if (!missing.empty()) detail += (detail.empty() ? "" : "; ") + ("no log group yet: " + missing);
  context.failed("rds-log-retention", database.arn, detail, fixes);
}

}  // namespace

void checkRdsLogs(CheckContext& context, const RdsDatabase& database) {
  const auto& exported = listOf(database.raw, "EnabledCloudwatchLogsExports");
  if (exported.empty()) {
    std::string fix = exportCommand(context, database);
    context.failed("rds-log-exports", database.arn, "no database log exported to CloudWatch Logs", fix);
    context.failed("rds-log-retention", database.arn, "no database log is exported, so none is kept", fix);
    return;
  }
  context.passed("rds-log-exports", database.arn, "exports " + exported.dump());
  checkRetention(context, database, exported);
}

}  // namespace kura::check
