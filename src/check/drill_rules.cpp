// rds-restore-drill-recent and rds-failover-drill-recent (runbook 4.2 and 5:
// the incident procedures are rehearsed), elasticache-failover-drill-recent
// and dynamodb-restore-drill-recent: the last drill of each kind on each
// database, replication group and table, from the summaries `kura drill`
// writes to CloudWatch Logs (group /kura/drills, stream
// "<drill>/<resource type>/<id>", docs/drill.md).
// An endpoint without that group has recorded no drill through Kura's tool:
// not checkable; with it, a database whose last such drill is older than
// kMaxAgeDays, or failed, fails.
#include <fmt/format.h>

#include <algorithm>

#include "check/json_fields.h"
#include "check/rule_groups.h"
#include "common/time_format.h"

namespace kura::check {
namespace {

constexpr int kMaxAgeDays = 90;
constexpr const char* kGroup = "/kura/drills";

struct DrillKind {
  const char* ruleId;
  std::vector<const char*> drills;  // any of them counts; the first is the fix's
  std::vector<const char*> types;   // the resources it is about
};

struct Database {
  std::string type, id, arn;
};

struct LastDrill {
  std::string drill;
  SystemTime at{};
  std::string verdict, reason;
};

std::optional<LastDrill> lastDrillOf(CheckContext& context, const DrillKind& kind, const Database& database,
                                     std::optional<client::CallError>& problem) {
  std::optional<LastDrill> newest;
  for (const char* drill : kind.drills) {
    std::string stream = std::string(drill) + "/" + database.type + "/" + database.id;
    const auto& streams =
        context.read("logs", "DescribeLogStreams", {{"logGroupName", kGroup}, {"logStreamNamePrefix", stream}});
    if (const auto* error = client::errorOf(streams)) {
      problem = *error;
      return std::nullopt;
    }
    for (const auto& entry : listOf(*client::outputOf(streams), "logStreams")) {
      if (textOf(entry, "logStreamName") != stream) continue;  // a longer id with this one as its prefix
      auto millis = numberOf(entry, "lastEventTimestamp");
      if (!millis) continue;
      SystemTime at{std::chrono::milliseconds(*millis)};
      if (newest && newest->at >= at) continue;
      LastDrill last{drill, at, "", ""};
      // The newest summary says whether that drill passed.
      const auto& events =
          context.read("logs", "GetLogEvents",
                       {{"logGroupName", kGroup}, {"logStreamName", stream}, {"startFromHead", false}, {"limit", 1}});
      if (const auto* output = client::outputOf(events)) {
        const auto& list = listOf(*output, "events");
        if (!list.empty()) {
          auto summary = nlohmann::json::parse(textOf(list.back(), "message"), nullptr, false);
          if (summary.is_object()) {
            last.verdict = textOf(summary, "verdict");
            last.reason = textOf(summary, "reason");
          }
        }
      }
      newest = last;
    }
  }
  return newest;
}

void checkDrillKind(CheckContext& context, const DrillKind& kind, const Database& database) {
  std::optional<client::CallError> problem;
  auto last = lastDrillOf(context, kind, database, problem);
  if (problem) {
    context.unreadable(kind.ruleId, database.arn, "the drills' log group " + std::string(kGroup), *problem);
    return;
  }
  std::string fix =
      "kura drill " + std::string(kind.drills.front()) + context.aws("").substr(3) + "--resource " + database.id;
  SystemTime now = context.now();
  if (!last) {
    context.failed(kind.ruleId, database.arn, fmt::format("no {} drill recorded", kind.drills.front()), fix);
  } else if (now - last->at > std::chrono::hours(24 * kMaxAgeDays)) {
    context.failed(
        kind.ruleId, database.arn,
        fmt::format("last {} drill {} ago (more than {} days)", last->drill, ageText(last->at, now), kMaxAgeDays), fix);
  } else if (last->verdict != "passed") {
    context.failed(kind.ruleId, database.arn,
                   fmt::format("last {} drill, on {}, failed: {}", last->drill, formatIso8601Seconds(last->at),
                               last->reason.empty() ? "no summary" : last->reason),
                   fix);
  } else {
    context.passed(kind.ruleId, database.arn,
                   fmt::format("last {} drill passed on {}", last->drill, formatIso8601Seconds(last->at)));
  }
}

}  // namespace

void checkDrills(CheckContext& context) {
  static const std::vector<DrillKind> kinds = {
      {"rds-restore-drill-recent", {"snapshot-restore", "accidental-delete"}, {"db-instance", "db-cluster"}},
      {"rds-failover-drill-recent", {"instance-failure", "az-failure"}, {"db-instance", "db-cluster"}},
      {"elasticache-failover-drill-recent", {"cache-node-failure", "az-failure"}, {"replication-group"}},
      {"dynamodb-restore-drill-recent", {"accidental-delete"}, {"table"}},
  };
  std::vector<Database> databases;
  if (const auto* output = client::outputOf(context.read("rds", "DescribeDBInstances"))) {
    for (const auto& entry : listOf(*output, "DBInstances")) {
      if (!textOf(entry, "DBClusterIdentifier").empty()) continue;  // drilled as its cluster
      databases.push_back({"db-instance", textOf(entry, "DBInstanceIdentifier"), textOf(entry, "DBInstanceArn")});
    }
  }
  if (const auto* output = client::outputOf(context.read("rds", "DescribeDBClusters"))) {
    for (const auto& entry : listOf(*output, "DBClusters")) {
      databases.push_back({"db-cluster", textOf(entry, "DBClusterIdentifier"), textOf(entry, "DBClusterArn")});
    }
  }
  // Redis replication groups (cluster mode disabled: the drills' own) and
  // DynamoDB tables, read as the ElastiCache and DynamoDB rules read them.
  if (const auto* output = client::outputOf(context.read("elasticache", "DescribeReplicationGroups"))) {
    for (const auto& entry : listOf(*output, "ReplicationGroups")) {
      if (textOf(entry, "Engine") == "memcached" || listOf(entry, "NodeGroups").size() != 1) continue;
      std::string id = textOf(entry, "ReplicationGroupId");
      std::string arn = textOf(entry, "ARN");
      databases.push_back({"replication-group", id, arn.empty() ? id : arn});
    }
  }
  if (const auto* output = client::outputOf(context.read("dynamodb", "ListTables"))) {
    for (const auto& name : listOf(*output, "TableNames")) {
      if (!name.is_string()) continue;
      std::string arn = "table/" + name.get<std::string>();
      if (const auto* table = client::outputOf(context.read("dynamodb", "DescribeTable", {{"TableName", name}}))) {
        std::string tableArn = textOf(table->value("Table", nlohmann::json::object()), "TableArn");
        if (!tableArn.empty()) arn = tableArn;
      }
      databases.push_back({"table", name.get<std::string>(), arn});
    }
  }
  if (databases.empty()) return;
  const auto& groups = context.read("logs", "DescribeLogGroups", {{"logGroupNamePrefix", kGroup}});
  bool hasGroup = false;
  if (const auto* output = client::outputOf(groups)) {
    for (const auto& group : listOf(*output, "logGroups"))
      hasGroup = hasGroup || textOf(group, "logGroupName") == kGroup;
  }
  for (const auto& kind : kinds) {
    for (const auto& database : databases) {
      if (std::find(kind.types.begin(), kind.types.end(), database.type) == kind.types.end()) continue;
      if (const auto* error = client::errorOf(groups)) {
        context.unreadable(kind.ruleId, database.arn, "DescribeLogGroups", *error);
      } else if (!hasGroup) {
        context.notCheckable(kind.ruleId, database.arn,
                             std::string("no drill has been recorded at the endpoint (no log group ") + kGroup + ")");
      } else {
        checkDrillKind(context, kind, database);
      }
    }
  }
}

}  // namespace kura::check
