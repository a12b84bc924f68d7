// snapshot-restore: proves that the resource's newest snapshot restores and
// holds the data written before it. The drill writes marker rows, takes a
// snapshot of its own (so that it is the newest), restores it to a
// temporary instance (RestoreDBInstanceFromDBSnapshot), reads every marker
// back there, and deletes the temporary instance and its snapshot. The
// time from the restore call to the data read back is the restore's RTO;
// a marker acknowledged before the snapshot and missing after is lost.
// An Aurora cluster is drilled with a cluster snapshot
// (cluster_snapshot_restore.h).
#include <fmt/format.h>

#include <thread>

#include "common/time_format.h"
#include "drill/cluster_snapshot_restore.h"
#include "drill/database_target.h"
#include "drill/drill.h"
#include "drill/rds_waits.h"
#include "drill/sql_workload.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;
constexpr int kMarkers = 50;

class SnapshotRestore final : public Drill {
 public:
  std::string name() const override { return "snapshot-restore"; }
  std::string summary() const override {
    return "snapshot the instance, restore it to a temporary one, read the data back; measure the restore";
  }

  DrillResult run(DrillContext& context) override {
    auto resolved = resolveDatabase(context.client(), context.options());
    if (auto* problem = std::get_if<std::string>(&resolved)) return *problem;
    const DatabaseTarget& target = std::get<DatabaseTarget>(resolved);
    if (target.resourceType == "db-cluster") return runClusterSnapshotRestore(context, target);
    std::string table = freshWorkloadName();
    std::string temporary = "kura-drill-" + table.substr(table.size() - 8);
    WorkloadPtr source = makeSqlWorkload(target, table);

    DrillReport report;
    fillHeader(context, target, *source, report);
    if (auto failed = source->prepare()) return "the marker table could not be made: " + *failed;
    for (int64_t id = 1; id <= kMarkers; ++id) {
      WriteAttempt attempt;
      attempt.id = id;
      attempt.startSeconds = context.elapsed();
      auto error = source->write(id, std::chrono::seconds(5));
      attempt.latencySeconds = context.elapsed() - attempt.startSeconds;
      attempt.acked = !error;
      if (error) attempt.error = *error;
      report.attempts.push_back(attempt);
    }
    std::string result = restoreAndRead(context, target, table, temporary, report);
    cleanUp(context, *source, temporary);
    if (!result.empty()) return result;
    report.durationSeconds = context.elapsed();
    return report;
  }

 private:
  static void fillHeader(DrillContext& context, const DatabaseTarget& target, const Workload& workload,
                         DrillReport& report) {
    report.drill = context.options().drillName;
    report.resourceType = target.resourceType;
    report.resource = target.identifier;
    report.writerInstance = target.writerInstance;
    report.engine = target.engine;
    report.endpointUrl = context.options().endpointUrl;
    report.region = context.client().identity().region;
    report.startedAt = formatIso8601Seconds(context.startedAt());
    report.workload = fmt::format("{} marker rows, then a snapshot; {}", kMarkers, workload.describe());
  }

  // Empty when the drill ran to its verdict; else why it could not.
  static std::string restoreAndRead(DrillContext& context, const DatabaseTarget& target, const std::string& table,
                                    const std::string& temporary, DrillReport& report) {
    client::AwsClient& client = context.client();
    auto limit = std::chrono::seconds(context.options().durationSeconds);
    std::string problem;
    auto described = waitForInstance(client, target.writerInstance, "available", limit, problem);
    if (!described) return problem;
    // Tagged, so that what a drill killed midway left is found and deleted.
    Json tags = Json::array({{{"Key", "kura:drill"}, {"Value", "snapshot-restore"}}});
    auto snapshot = client.call("rds", "CreateDBSnapshot",
                                {{"DBInstanceIdentifier", target.writerInstance},
                                 {"DBSnapshotIdentifier", temporary},
                                 {"Tags", tags}});
    if (const auto* error = client::errorOf(snapshot)) return "CreateDBSnapshot: " + error->describe();
    if (!waitForSnapshot(client, temporary, limit, problem)) return problem;
    report.fault =
        fmt::format("restore of the snapshot {} (the newest) to the temporary instance {}", temporary, temporary);
    report.faultMethod = "rds:RestoreDBInstanceFromDBSnapshot";
    report.faultAt = context.elapsed();
    auto restored = client.call("rds", "RestoreDBInstanceFromDBSnapshot",
                                {{"DBInstanceIdentifier", temporary},
                                 {"DBSnapshotIdentifier", temporary},
                                 {"DBInstanceClass", described->value("DBInstanceClass", "db.t3.micro")},
                                 {"MultiAZ", false},
                                 {"Tags", tags}});
    if (const auto* error = client::errorOf(restored)) return "RestoreDBInstanceFromDBSnapshot: " + error->describe();
    auto copy = waitForInstance(client, temporary, "available", limit, problem);
    std::optional<std::set<int64_t>> held;
    std::string readError = problem;
    if (copy) {
      DatabaseTarget restoredTarget = target;
      restoredTarget.host = (*copy)["Endpoint"].value("Address", "");
      restoredTarget.port = (*copy)["Endpoint"].value("Port", 0);
      WorkloadPtr reader = makeSqlWorkload(restoredTarget, table);
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
      while (!(held = reader->readBack(readError)) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
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
      report.verdictReason = "the restored instance could not be read: " + readError;
    } else if (report.loss.lost > 0) {
      report.verdictReason =
          fmt::format("{} of the {} marker rows are missing from the restore", report.loss.lost, report.loss.acked);
    } else {
      report.passed = true;
      report.verdictReason = fmt::format("the newest snapshot restored in {:.2f} s and holds all {} marker rows",
                                         *report.recovery.rtoSeconds, report.loss.acked);
    }
    return "";
  }

  static void cleanUp(DrillContext& context, Workload& source, const std::string& temporary) {
    source.cleanup();
    client::AwsClient& client = context.client();
    client.call("rds", "DeleteDBInstance",
                {{"DBInstanceIdentifier", temporary}, {"SkipFinalSnapshot", true}, {"DeleteAutomatedBackups", true}});
    client.call("rds", "DeleteDBSnapshot", {{"DBSnapshotIdentifier", temporary}});
  }
};

const DrillRegistration registration{"snapshot-restore", [] { return std::make_unique<SnapshotRestore>(); }};

}  // namespace
}  // namespace kura::drill
