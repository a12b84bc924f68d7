// accidental-delete: runbook 4.2's bad deletion, rehearsed. On an RDS
// instance with backups on, the workload writes marker rows; the drill
// notes a time T after the last of them, then deletes every row through
// the database's own client (the accident: DELETE without WHERE), waits
// until the instance's LatestRestorableTime passes T, restores it to T
// into a temporary instance (RestoreDBInstanceToPointInTime, tagged
// kura:drill) and reads the markers back there: every row acknowledged
// before T must be there again. RPO: the acknowledged rows missing; RTO:
// from the accident to the data read back (the wait for the archive and
// the restore itself, each also given apart). The temporary instance and
// the marker table are deleted at the end. An Aurora cluster is restored
// with RestoreDBClusterToPointInTime (and one instance added to the
// temporary cluster). A DynamoDB table is drilled the
// same way with PITR (table_point_in_time.h).
#include <fmt/format.h>

#include <cmath>
#include <thread>

#include "common/time_format.h"
#include "drill/cache_target.h"
#include "drill/cluster_snapshot_restore.h"
#include "drill/drill.h"
#include "drill/point_in_time.h"
#include "drill/rds_waits.h"
#include "drill/sql_workload.h"
#include "drill/table_point_in_time.h"
#include "drill/steady_writer.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// The end of a cluster's restorable window, once it is open: a fresh
// cluster may answer a LatestRestorableTime before its first automated
// snapshot has opened the window (EarliestRestorableTime).
std::optional<SystemTime> openWindowEnd(const Json& described) {
  if (!timestampOf(described.value("EarliestRestorableTime", Json()))) return std::nullopt;
  return timestampOf(described.value("LatestRestorableTime", Json()));
}

class AccidentalDelete final : public Drill {
 public:
  std::string name() const override { return "accidental-delete"; }
  std::string summary() const override {
    return "write marker rows, delete them by mistake, restore to just before by PITR into a temporary "
           "instance or table, compare; measure RPO and the restore";
  }

  DrillResult run(DrillContext& context) override {
    auto resolved = resolveDatabase(context.client(), context.options());
    if (auto* problem = std::get_if<std::string>(&resolved)) {
      if (problem->rfind("no DB instance or cluster ", 0) == 0) return runOnTable(context, *problem);
      return *problem;
    }
    const DatabaseTarget& target = std::get<DatabaseTarget>(resolved);
    if (target.resourceType == "db-cluster") return runOnCluster(context, target);
    client::AwsClient& client = context.client();
    auto described = client.call("rds", "DescribeDBInstances", {{"DBInstanceIdentifier", target.writerInstance}});
    const Json& instance = (*client::outputOf(described))["DBInstances"][0];
    if (instance.value("BackupRetentionPeriod", 0) == 0) {
      return "backups are off on " + target.identifier + " (BackupRetentionPeriod 0): there is no point in time to "
             "restore to";
    }
    std::string table = freshWorkloadName();
    std::string temporary = "kura-drill-" + table.substr(table.size() - 8);
    WorkloadPtr source = makeSqlWorkload(target, table);
    PointInTimeRun run;
    run.report.engine = target.engine;
    run.report.writerInstance = target.writerInstance;
    run.report.resourceType = target.resourceType;
    run.report.resource = target.identifier;
    auto restore = [&](SystemTime pointInTime, std::string& problem) -> WorkloadPtr {
      return restoreInstance(context, target, instance, table, temporary, pointInTime, problem);
    };
    auto result = runPointInTimeDrill(context, *source, run, restorableTime(client, target.writerInstance), restore);
    source->cleanup();
    client.call("rds", "DeleteDBInstance",
                {{"DBInstanceIdentifier", temporary}, {"SkipFinalSnapshot", true}, {"DeleteAutomatedBackups", true}});
    return result;
  }

 private:
  static RestorableTime restorableTime(client::AwsClient& client, const std::string& instance) {
    return [&client, instance]() -> std::optional<SystemTime> {
      auto answer = client.call("rds", "DescribeDBInstances", {{"DBInstanceIdentifier", instance}});
      const auto* output = client::outputOf(answer);
      if (output == nullptr || (*output)["DBInstances"].empty()) return std::nullopt;
      return timestampOf((*output)["DBInstances"][0].value("LatestRestorableTime", Json()));
    };
  }

  static WorkloadPtr restoreInstance(DrillContext& context, const DatabaseTarget& target, const Json& instance,
                                     const std::string& table, const std::string& temporary, SystemTime pointInTime,
                                     std::string& problem) {
    client::AwsClient& client = context.client();
    Json tags = Json::array({{{"Key", "kura:drill"}, {"Value", "accidental-delete"}}});
    auto restored = client.call("rds", "RestoreDBInstanceToPointInTime",
                                {{"SourceDBInstanceIdentifier", target.writerInstance},
                                 {"TargetDBInstanceIdentifier", temporary},
                                 {"RestoreTime", formatIso8601Seconds(pointInTime)},
                                 {"DBInstanceClass", instance.value("DBInstanceClass", "db.t3.micro")},
                                 {"MultiAZ", false},
                                 {"Tags", tags}});
    if (const auto* error = client::errorOf(restored)) {
      problem = "RestoreDBInstanceToPointInTime: " + error->describe();
      return nullptr;
    }
    auto copy = waitForInstance(context, temporary, "available",
                                std::chrono::seconds(std::max(60, context.options().durationSeconds)), problem);
    if (!copy) return nullptr;
    DatabaseTarget restoredTarget = target;
    restoredTarget.host = (*copy)["Endpoint"].value("Address", "");
    restoredTarget.port = (*copy)["Endpoint"].value("Port", 0);
    return makeSqlWorkload(restoredTarget, table);
  }

  // An Aurora cluster: RestoreDBClusterToPointInTime into a temporary
  // cluster, one instance added to it, the markers read at its endpoint.
  static DrillResult runOnCluster(DrillContext& context, const DatabaseTarget& target) {
    client::AwsClient& client = context.client();
    auto described = client.call("rds", "DescribeDBClusters", {{"DBClusterIdentifier", target.identifier}});
    const Json& cluster = (*client::outputOf(described))["DBClusters"][0];
    if (cluster.value("BackupRetentionPeriod", 1) == 0) {
      return "backups are off on " + target.identifier + ": there is no point in time to restore to";
    }
    std::string table = freshWorkloadName();
    std::string temporary = "kura-drill-" + table.substr(table.size() - 8);
    WorkloadPtr source = makeSqlWorkload(target, table);
    PointInTimeRun run;
    run.method = "rds:RestoreDBClusterToPointInTime";
    run.copyKind = "cluster";
    run.report.engine = target.engine;
    run.report.writerInstance = target.writerInstance;
    run.report.resourceType = target.resourceType;
    run.report.resource = target.identifier;
    RestorableTime restorable = [&client, id = target.identifier]() -> std::optional<SystemTime> {
      auto answer = client.call("rds", "DescribeDBClusters", {{"DBClusterIdentifier", id}});
      const auto* output = client::outputOf(answer);
      if (output == nullptr || (*output)["DBClusters"].empty()) return std::nullopt;
      return openWindowEnd((*output)["DBClusters"][0]);
    };
    auto restore = [&](SystemTime pointInTime, std::string& problem) -> WorkloadPtr {
      Json tags = Json::array({{{"Key", "kura:drill"}, {"Value", "accidental-delete"}}});
      auto restored = client.call("rds", "RestoreDBClusterToPointInTime",
                                  {{"DBClusterIdentifier", temporary},
                                   {"SourceDBClusterIdentifier", target.identifier},
                                   {"RestoreToTime", formatIso8601Seconds(pointInTime)},
                                   {"Tags", tags}});
      if (const auto* error = client::errorOf(restored)) {
        problem = "RestoreDBClusterToPointInTime: " + error->describe();
        return nullptr;
      }
      auto ready = addTemporaryInstance(context, target, temporary, problem);
      if (!ready) return nullptr;
      DatabaseTarget restoredTarget = target;
      restoredTarget.host = ready->value("Endpoint", "");
      restoredTarget.port = ready->value("Port", 0);
      return makeSqlWorkload(restoredTarget, table);
    };
    auto result = runPointInTimeDrill(context, *source, run, restorable, restore);
    source->cleanup();
    deleteTemporaryCluster(client, temporary);
    return result;
  }

  static DrillResult runOnTable(DrillContext& context, const std::string& problem) {
    return runTablePointInTimeDrill(context, problem);
  }
};

const DrillRegistration registration{"accidental-delete", [] { return std::make_unique<AccidentalDelete>(); }};

}  // namespace
}  // namespace kura::drill
