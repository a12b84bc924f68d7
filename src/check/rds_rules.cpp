// Section 1 of the runbook: every RDS DB instance and Aurora DB cluster.
#include "check/json_fields.h"
#include "check/rds_database.h"
#include "check/rule_groups.h"

namespace kura::check {
namespace {

constexpr const char* kInstanceRules[] = {"rds-multi-az",
                                          "rds-backup-retention",
                                          "rds-backup-window",
                                          "rds-snapshot-recent",
                                          "rds-deletion-protection",
                                          "rds-storage-encrypted-cmk",
                                          "rds-log-exports",
                                          "rds-log-retention",
                                          "rds-iam-auth",
                                          "rds-master-password-managed",
                                          "rds-parameter-group",
                                          "rds-pending-maintenance"};

void unreadableAll(CheckContext& context, const std::string& what, const client::CallError& error) {
  for (const char* rule : kInstanceRules) context.unreadable(rule, "rds:" + context.region(), what, error);
}

}  // namespace

void checkRds(CheckContext& context) {
  const auto& instancesAnswer = context.read("rds", "DescribeDBInstances");
  if (const auto* error = client::errorOf(instancesAnswer)) {
    unreadableAll(context, "DescribeDBInstances", *error);
    return;
  }
  const nlohmann::json& instances = listOf(*client::outputOf(instancesAnswer), "DBInstances");
  for (const auto& entry : instances) {
    RdsDatabase database = RdsDatabase::instance(entry);
    // An Aurora member's backups, encryption, logs and password are its
    // cluster's: the cluster is checked for them.
    if (!textOf(entry, "DBClusterIdentifier").empty()) continue;
    bool replica = !textOf(entry, "ReadReplicaSourceDBInstanceIdentifier").empty();
    checkRdsAvailability(context, database, instances);
    // A replica's backups and master password are its source's.
    if (!replica) checkRdsBackups(context, database);
    checkRdsSecurity(context, database);
    checkRdsLogs(context, database);
    checkRdsParameters(context, database);
  }
  const auto& clustersAnswer = context.read("rds", "DescribeDBClusters");
  if (const auto* error = client::errorOf(clustersAnswer)) {
    context.unreadable("rds-multi-az", "rds:" + context.region() + ":clusters", "DescribeDBClusters", *error);
    return;
  }
  const nlohmann::json& clusters = listOf(*client::outputOf(clustersAnswer), "DBClusters");
  for (const auto& entry : clusters) {
    RdsDatabase database = RdsDatabase::dbCluster(entry);
    checkRdsAvailability(context, database, instances);
    checkRdsBackups(context, database);
    checkRdsSecurity(context, database);
    checkRdsLogs(context, database);
    checkRdsParameters(context, database);
  }
  checkRdsMaintenance(context, instances, clusters);
}

}  // namespace kura::check
