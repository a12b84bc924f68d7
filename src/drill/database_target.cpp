#include "drill/database_target.h"

namespace kura::drill {
namespace {

using Json = nlohmann::json;

std::string passwordFromSecret(client::AwsClient& client, const Json& owner, std::string& problem) {
  std::string arn = owner.contains("MasterUserSecret") ? owner["MasterUserSecret"].value("SecretArn", "") : "";
  if (arn.empty()) {
    problem = "the resource has no managed master secret: give --db-password (or KURA_DB_PASSWORD)";
    return "";
  }
  auto answer = client.call("secretsmanager", "GetSecretValue", {{"SecretId", arn}});
  if (const auto* error = client::errorOf(answer)) {
    problem = "cannot read the master secret " + arn + ": " + error->describe();
    return "";
  }
  Json secret = Json::parse(client::outputOf(answer)->value("SecretString", "{}"), nullptr, false);
  if (!secret.is_object() || !secret.contains("password") || !secret["password"].is_string()) {
    problem = "the master secret " + arn + " holds no password";
    return "";
  }
  return secret["password"].get<std::string>();
}

}  // namespace

std::variant<DatabaseTarget, std::string> resolveDatabase(client::AwsClient& client, const DrillOptions& options) {
  DatabaseTarget target;
  target.identifier = options.resource;
  Json owner;  // the record with the master user and secret
  auto instances = client.call("rds", "DescribeDBInstances", {{"DBInstanceIdentifier", options.resource}});
  if (const auto* found = client::outputOf(instances); found && !(*found)["DBInstances"].empty()) {
    const Json& instance = (*found)["DBInstances"][0];
    target.resourceType = "db-instance";
    target.writerInstance = options.resource;
    owner = instance;
    target.engine = instance.value("Engine", "");
    if (instance.contains("Endpoint")) {
      target.host = instance["Endpoint"].value("Address", "");
      target.port = instance["Endpoint"].value("Port", 0);
    }
    target.multiAz = instance.value("MultiAZ", false);
    target.zone = instance.value("AvailabilityZone", "");
    target.dbName = instance.value("DBName", "");
    if (instance.contains("DBClusterIdentifier")) {
      // A cluster's member: the cluster holds the master user.
      auto clusters = client.call("rds", "DescribeDBClusters",
                                  {{"DBClusterIdentifier", instance.value("DBClusterIdentifier", "")}});
      if (const auto* cluster = client::outputOf(clusters); cluster && !(*cluster)["DBClusters"].empty()) {
        owner = (*cluster)["DBClusters"][0];
      }
    }
  } else {
    const client::CallError* instanceError = client::errorOf(instances);
    if (instanceError && instanceError->code != "DBInstanceNotFound" &&
        instanceError->code != "DBInstanceNotFoundFault") {
      return "cannot read the instance " + options.resource + ": " + instanceError->describe();
    }
    auto clusters = client.call("rds", "DescribeDBClusters", {{"DBClusterIdentifier", options.resource}});
    const auto* clusterFound = client::outputOf(clusters);
    if (!clusterFound || (*clusterFound)["DBClusters"].empty()) {
      return "no DB instance or cluster " + options.resource + " at the endpoint";
    }
    const Json& cluster = (*clusterFound)["DBClusters"][0];
    target.resourceType = "db-cluster";
    owner = cluster;
    target.engine = cluster.value("Engine", "");
    target.host = cluster.value("Endpoint", "");
    target.port = cluster.value("Port", 0);
    target.multiAz = cluster.value("MultiAZ", false);
    target.dbName = cluster.value("DatabaseName", "");
    for (const auto& member : cluster.value("DBClusterMembers", Json::array())) {
      if (member.value("IsClusterWriter", false)) target.writerInstance = member.value("DBInstanceIdentifier", "");
    }
    if (target.writerInstance.empty()) return "the cluster " + options.resource + " has no writer instance";
  }
  if (target.host.empty() || target.port == 0) return options.resource + " has no endpoint yet (is it available?)";
  target.user = options.dbUser.empty() ? owner.value("MasterUsername", "") : options.dbUser;
  target.password = options.dbPassword;
  if (target.password.empty()) {
    std::string problem;
    target.password = passwordFromSecret(client, owner, problem);
    if (!problem.empty()) return problem;
  }
  if (target.dbName.empty()) target.dbName = target.postgres() ? "postgres" : "";
  return target;
}

}  // namespace kura::drill
