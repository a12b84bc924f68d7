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

#include "drill/cluster_snapshot_restore.h"
#include "drill/database_target.h"
#include "drill/drill.h"
#include "drill/marker_restore.h"
#include "drill/rds_waits.h"
#include "drill/sql_workload.h"
#include "drill/workload_run.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;

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
    startMarkerReport(context, target, *source, "snapshot", report);
    if (auto failed = source->prepare()) return "the marker table could not be made: " + *failed;
    writeMarkers(context, *source, report);
    std::string result = restoreAndRead(context, target, table, temporary, report);
    cleanUp(context, *source, temporary);
    if (!result.empty()) return result;
    report.durationSeconds = context.elapsed();
    return report;
  }

 private:
  // Empty when the drill ran to its verdict; else why it could not.
  static std::string restoreAndRead(DrillContext& context, const DatabaseTarget& target, const std::string& table,
                                    const std::string& temporary, DrillReport& report) {
    client::AwsClient& client = context.client();
    auto limit = std::chrono::seconds(context.options().durationSeconds);
    std::string problem;
    auto described = waitForInstance(context, target.writerInstance, "available", limit, problem);
    if (!described) return problem;
    // Tagged, so that what a drill killed midway left is found and deleted.
    Json tags = Json::array({{{"Key", "kura:drill"}, {"Value", "snapshot-restore"}}});
    auto snapshot = client.call("rds", "CreateDBSnapshot",
                                {{"DBInstanceIdentifier", target.writerInstance},
                                 {"DBSnapshotIdentifier", temporary},
                                 {"Tags", tags}});
    if (const auto* error = client::errorOf(snapshot)) return "CreateDBSnapshot: " + error->describe();
    context.step("snapshot " + temporary + " of " + target.writerInstance + " started");
    if (!waitForSnapshot(context, temporary, limit, problem)) return problem;
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
    context.step("restoring the snapshot to the temporary instance " + temporary);
    auto copy = waitForInstance(context, temporary, "available", limit, problem);
    std::optional<std::set<int64_t>> held;
    std::string readError = problem;
    if (copy) {
      DatabaseTarget restoredTarget = target;
      restoredTarget.host = (*copy)["Endpoint"].value("Address", "");
      restoredTarget.port = (*copy)["Endpoint"].value("Port", 0);
      held = readMarkersBack(restoredTarget, table, readError);
    }
    judgeRestore(context, report, held, readError, "instance", "snapshot");
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
