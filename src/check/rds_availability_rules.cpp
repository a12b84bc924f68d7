// rds-multi-az (runbook 1.1, 5): Multi-AZ, a replica in another zone, or an
// Aurora cluster with members in two zones.
#include <set>

#include "check/json_fields.h"
#include "check/rds_database.h"

namespace kura::check {
namespace {

void checkInstance(CheckContext& context, const RdsDatabase& database, const nlohmann::json& instances) {
  if (flagOf(database.raw, "MultiAZ")) {
    context.passed("rds-multi-az", database.arn,
                   "Multi-AZ with a standby in " + textOf(database.raw, "SecondaryAvailabilityZone"));
    return;
  }
  std::string zone = textOf(database.raw, "AvailabilityZone");
  for (const auto& replicaId : listOf(database.raw, "ReadReplicaDBInstanceIdentifiers")) {
    for (const auto& other : instances) {
      if (!replicaId.is_string() || textOf(other, "DBInstanceIdentifier") != replicaId.get<std::string>()) continue;
      std::string replicaZone = textOf(other, "AvailabilityZone");
      if (!replicaZone.empty() && replicaZone != zone) {
        context.passed(
            "rds-multi-az", database.arn,
            "single-AZ in " + zone + ", with replica " + replicaId.get<std::string>() + " in " + replicaZone);
        return;
      }
    }
  }
  context.failed("rds-multi-az", database.arn, "single-AZ in " + zone + ", no replica in another zone",
                 database.modifyCommand(context) + " --multi-az --apply-immediately");
}

void checkCluster(CheckContext& context, const RdsDatabase& database, const nlohmann::json& instances) {
  std::set<std::string> zones;
  for (const auto& member : listOf(database.raw, "DBClusterMembers")) {
    std::string memberId = textOf(member, "DBInstanceIdentifier");
    for (const auto& other : instances) {
      if (textOf(other, "DBInstanceIdentifier") == memberId) zones.insert(textOf(other, "AvailabilityZone"));
    }
  }
  zones.erase("");
  if (zones.size() >= 2 || flagOf(database.raw, "MultiAZ")) {
    context.passed("rds-multi-az", database.arn, "members in " + std::to_string(zones.size()) + " zones");
    return;
  }
  std::string engine = database.engine.empty() ? "aurora-postgresql" : database.engine;
  context.failed("rds-multi-az", database.arn,
                 zones.empty() ? "no member instance" : "every member in " + *zones.begin(),
                 context.aws("rds") + " create-db-instance --db-instance-identifier " + database.id +
                     "-reader --db-cluster-identifier " + database.id + " --engine " + engine +
                     " --db-instance-class db.r6g.large --availability-zone <another zone>");
}

}  // namespace

void checkRdsAvailability(CheckContext& context, const RdsDatabase& database, const nlohmann::json& instances) {
  if (database.cluster) {
    checkCluster(context, database, instances);
  } else {
    checkInstance(context, database, instances);
  }
}

}  // namespace kura::check
