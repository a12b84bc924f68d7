#pragma once
// An RDS DB instance or Aurora DB cluster, seen the same way by the rules
// that apply to both: its id, ARN, engine, and how the CLI names it.
#include <nlohmann/json.hpp>
#include <string>

#include "check/check_context.h"

namespace kura::check {

struct RdsDatabase {
  bool cluster = false;
  std::string id, arn, engine;
  nlohmann::json raw;  // the DescribeDBInstances / DescribeDBClusters entry

  static RdsDatabase instance(const nlohmann::json& entry);
  static RdsDatabase dbCluster(const nlohmann::json& entry);

  // "aws ... rds modify-db-instance --db-instance-identifier ID" (or the cluster's)
  std::string modifyCommand(const CheckContext& context) const;
  // "--db-instance-identifier ID" or "--db-cluster-identifier ID"
  std::string idOption() const;
  // The log types worth exporting for the engine: audit and error logs.
  std::string logTypes() const;
  // The CloudWatch Logs group an exported log type goes to.
  std::string logGroup(const std::string& logType) const;
};

// The rules for one database; `all` is every instance (for replicas' zones).
void checkRdsAvailability(CheckContext& context, const RdsDatabase& database, const nlohmann::json& instances);
void checkRdsBackups(CheckContext& context, const RdsDatabase& database);
void checkRdsSecurity(CheckContext& context, const RdsDatabase& database);
void checkRdsLogs(CheckContext& context, const RdsDatabase& database);
void checkRdsParameters(CheckContext& context, const RdsDatabase& database);
// rds-pending-maintenance, over every instance and cluster at once.
void checkRdsMaintenance(CheckContext& context, const nlohmann::json& instances, const nlohmann::json& clusters);

}  // namespace kura::check
