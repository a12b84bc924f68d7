#include "check/rds_database.h"

#include "check/json_fields.h"

namespace kura::check {

RdsDatabase RdsDatabase::instance(const nlohmann::json& entry) {
  RdsDatabase database;
  database.id = textOf(entry, "DBInstanceIdentifier");
  database.arn = textOf(entry, "DBInstanceArn");
  if (database.arn.empty()) database.arn = database.id;
  database.engine = textOf(entry, "Engine");
  database.raw = entry;
  return database;
}

RdsDatabase RdsDatabase::dbCluster(const nlohmann::json& entry) {
  RdsDatabase database;
  database.cluster = true;
  database.id = textOf(entry, "DBClusterIdentifier");
  database.arn = textOf(entry, "DBClusterArn");
  if (database.arn.empty()) database.arn = database.id;
  database.engine = textOf(entry, "Engine");
  database.raw = entry;
  return database;
}

std::string RdsDatabase::idOption() const {
  return (cluster ? "--db-cluster-identifier " : "--db-instance-identifier ") + id;
}

std::string RdsDatabase::modifyCommand(const CheckContext& context) const {
  return context.aws("rds") + (cluster ? " modify-db-cluster " : " modify-db-instance ") + idOption();
}

std::string RdsDatabase::logTypes() const {
  // PostgreSQL's one log (pgaudit writes into it); MySQL's and MariaDB's
  // audit and error logs.
  return engine.find("postgres") != std::string::npos ? "postgresql" : "audit,error";
}

std::string RdsDatabase::logGroup(const std::string& logType) const {
  return (cluster ? "/aws/rds/cluster/" : "/aws/rds/instance/") + id + "/" + logType;
}

}  // namespace kura::check
