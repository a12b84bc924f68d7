#include "drill/cluster_snapshot_restore.h"

#include <fmt/format.h>

#include <thread>

#include "drill/marker_restore.h"
#include "drill/rds_waits.h"
#include "drill/sql_workload.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

}  // namespace

void deleteTemporaryCluster(client::AwsClient& client, const std::string& temporary) {
  client.call("rds", "DeleteDBInstance", {{"DBInstanceIdentifier", temporary + "-1"}, {"SkipFinalSnapshot", true}});
  // The cluster goes once its last instance has.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto answer = client.call("rds", "DescribeDBInstances", {{"DBInstanceIdentifier", temporary + "-1"}});
    if (client::errorOf(answer) != nullptr) break;
    std::this_thread::sleep_for(250ms);
  }
  client.call("rds", "DeleteDBCluster", {{"DBClusterIdentifier", temporary}, {"SkipFinalSnapshot", true}});
  client.call("rds", "DeleteDBClusterSnapshot", {{"DBClusterSnapshotIdentifier", temporary}});
}

std::optional<Json> addTemporaryInstance(DrillContext& context, const DatabaseTarget& target,
                                         const std::string& temporary, std::string& problem) {
  client::AwsClient& client = context.client();
  auto limit = std::chrono::seconds(std::max(60, context.options().durationSeconds));
  auto writer = client.call("rds", "DescribeDBInstances", {{"DBInstanceIdentifier", target.writerInstance}});
  std::string instanceClass = "db.r6g.large";
  if (const auto* output = client::outputOf(writer); output && !(*output)["DBInstances"].empty()) {
    instanceClass = (*output)["DBInstances"][0].value("DBInstanceClass", instanceClass);
  }
  Json tags = Json::array({{{"Key", "kura:drill"}, {"Value", context.options().drillName}}});
  auto instance = client.call("rds", "CreateDBInstance",
                              {{"DBInstanceIdentifier", temporary + "-1"},
                               {"DBClusterIdentifier", temporary},
                               {"Engine", target.engine},
                               {"DBInstanceClass", instanceClass},
                               {"Tags", tags}});
  if (const auto* error = client::errorOf(instance)) {
    problem = "CreateDBInstance: " + error->describe();
    return std::nullopt;
  }
  if (!waitForInstance(context, temporary + "-1", "available", limit, problem)) return std::nullopt;
  return waitForRds(context, "DescribeDBClusters", "DBClusterIdentifier", "DBClusters", "Status", temporary, "available",
                    limit, problem);
}

DrillResult runClusterSnapshotRestore(DrillContext& context, const DatabaseTarget& target) {
  client::AwsClient& client = context.client();
  auto limit = std::chrono::seconds(std::max(60, context.options().durationSeconds));
  std::string table = freshWorkloadName();
  std::string temporary = "kura-drill-" + table.substr(table.size() - 8);
  WorkloadPtr source = makeSqlWorkload(target, table);
  DrillReport report;
  startMarkerReport(context, target, *source, "cluster snapshot", report);
  if (auto failed = source->prepare()) return "the marker table could not be made: " + *failed;
  writeMarkers(context, *source, report);
  std::string problem;
  auto finish = [&](std::string result) -> DrillResult {
    source->cleanup();
    deleteTemporaryCluster(client, temporary);
    if (!result.empty()) return result;
    report.durationSeconds = context.elapsed();
    return report;
  };
  Json tags = Json::array({{{"Key", "kura:drill"}, {"Value", "snapshot-restore"}}});
  auto snapshot = client.call("rds", "CreateDBClusterSnapshot",
                              {{"DBClusterIdentifier", target.identifier},
                               {"DBClusterSnapshotIdentifier", temporary},
                               {"Tags", tags}});
  if (const auto* error = client::errorOf(snapshot)) return finish("CreateDBClusterSnapshot: " + error->describe());
  if (!waitForRds(context, "DescribeDBClusterSnapshots", "DBClusterSnapshotIdentifier", "DBClusterSnapshots", "Status",
                  temporary, "available", limit, problem)) {
    return finish(problem);
  }
  report.fault = fmt::format("restore of the cluster snapshot {} (the newest) to the temporary cluster {}", temporary,
                             temporary);
  report.faultMethod = "rds:RestoreDBClusterFromSnapshot";
  report.faultAt = context.elapsed();
  auto restored = client.call("rds", "RestoreDBClusterFromSnapshot",
                              {{"DBClusterIdentifier", temporary},
                               {"SnapshotIdentifier", temporary},
                               {"Engine", target.engine},
                               {"Tags", tags}});
  if (const auto* error = client::errorOf(restored)) {
    return finish("RestoreDBClusterFromSnapshot: " + error->describe());
  }
  context.step("restoring the cluster snapshot to the temporary cluster " + temporary);
  std::optional<std::set<int64_t>> held;
  std::string readError;
  if (auto cluster = addTemporaryInstance(context, target, temporary, readError)) {
    DatabaseTarget restoredTarget = target;
    restoredTarget.host = cluster->value("Endpoint", "");
    restoredTarget.port = cluster->value("Port", 0);
    held = readMarkersBack(restoredTarget, table, readError);
  }
  judgeRestore(context, report, held, readError, "cluster", "cluster snapshot");
  return finish("");
}

}  // namespace kura::drill
