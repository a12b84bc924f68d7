#include "drill/cluster_snapshot_restore.h"

#include <fmt/format.h>

#include <thread>

#include "common/time_format.h"
#include "drill/rds_waits.h"
#include "drill/sql_workload.h"
#include "drill/timeline.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;
constexpr int kMarkers = 50;

// The cluster's description once `ready` says so; nullopt and `problem` on timeout or error.
std::optional<Json> waitForCluster(client::AwsClient& client, const std::string& operation, const std::string& idKey,
                                   const std::string& listKey, const std::string& id, std::chrono::seconds limit,
                                   std::string& problem) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::string status;
  while (true) {
    auto answer = client.call("rds", operation, {{idKey, id}});
    if (const auto* error = client::errorOf(answer)) {
      problem = operation + " of " + id + ": " + error->describe();
      return std::nullopt;
    }
    const Json& list = (*client::outputOf(answer))[listKey];
    if (list.is_array() && !list.empty()) {
      status = list[0].value("Status", "");
      if (status == "available") return list[0];
      if (status == "failed") {
        problem = id + " is failed";
        return std::nullopt;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      problem = fmt::format("{} is still {}, not available, after {} s", id, status, limit.count());
      return std::nullopt;
    }
    std::this_thread::sleep_for(250ms);
  }
}

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
  if (!waitForInstance(client, temporary + "-1", "available", limit, problem)) return std::nullopt;
  return waitForCluster(client, "DescribeDBClusters", "DBClusterIdentifier", "DBClusters", temporary, limit, problem);
}

DrillResult runClusterSnapshotRestore(DrillContext& context, const DatabaseTarget& target) {
  client::AwsClient& client = context.client();
  auto limit = std::chrono::seconds(std::max(60, context.options().durationSeconds));
  std::string table = freshWorkloadName();
  std::string temporary = "kura-drill-" + table.substr(table.size() - 8);
  WorkloadPtr source = makeSqlWorkload(target, table);
  DrillReport report;
  report.drill = context.options().drillName;
  report.resourceType = target.resourceType;
  report.resource = target.identifier;
  report.writerInstance = target.writerInstance;
  report.engine = target.engine;
  report.endpointUrl = context.options().endpointUrl;
  report.region = client.identity().region;
  report.startedAt = formatIso8601Seconds(context.startedAt());
  report.workload = fmt::format("{} marker rows, then a cluster snapshot; {}", kMarkers, source->describe());
  if (auto failed = source->prepare()) return "the marker table could not be made: " + *failed;
  for (int64_t id = 1; id <= kMarkers; ++id) {
    WriteAttempt attempt;
    attempt.id = id;
    attempt.startSeconds = context.elapsed();
    auto error = source->write(id, 5s);
    attempt.latencySeconds = context.elapsed() - attempt.startSeconds;
    attempt.acked = !error;
    if (error) attempt.error = *error;
    report.attempts.push_back(attempt);
  }
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
  if (!waitForCluster(client, "DescribeDBClusterSnapshots", "DBClusterSnapshotIdentifier", "DBClusterSnapshots",
                      temporary, limit, problem)) {
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
  std::optional<std::set<int64_t>> held;
  std::string readError;
  {
    auto cluster = addTemporaryInstance(context, target, temporary, readError);
    if (cluster) {
      DatabaseTarget restoredTarget = target;
      restoredTarget.host = cluster->value("Endpoint", "");
      restoredTarget.port = cluster->value("Port", 0);
      WorkloadPtr reader = makeSqlWorkload(restoredTarget, table);
      auto deadline = std::chrono::steady_clock::now() + 15s;
      while (!(held = reader->readBack(readError)) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(500ms);
      }
    }
  }
  if (held) {
    report.recovery.recoveredAt = context.elapsed();
    report.recovery.rtoSeconds = *report.recovery.recoveredAt - report.faultAt;
  }
  report.loss = measureLoss(report.attempts, held.value_or(std::set<int64_t>{}), report.faultAt);
  if (report.loss.acked == 0) {
    report.verdictReason = "no marker row was acknowledged before the snapshot";
  } else if (!held) {
    report.verdictReason = "the restored cluster could not be read: " + readError;
  } else if (report.loss.lost > 0) {
    report.verdictReason =
        fmt::format("{} of the {} marker rows are missing from the restore", report.loss.lost, report.loss.acked);
  } else {
    report.passed = true;
    report.verdictReason = fmt::format("the newest cluster snapshot restored in {:.2f} s and holds all {} marker rows",
                                       *report.recovery.rtoSeconds, report.loss.acked);
  }
  return finish("");
}

}  // namespace kura::drill
