#include "auth/request_resources.h"

#include <array>

#include "auth/ascii_case.h"

namespace kura::auth {
namespace {

using Json = nlohmann::json;

// One input member that names a resource, and how its ARN is written: the
// resource part before the value ("table/", "db:"). The first member of a
// service's list that the input carries decides. A member may hold a list
// of names (AlarmNames): each is a resource. `folded`: the service takes
// the name in any case and keeps it in lower case (RDS's identifiers,
// ElastiCache's clusters, groups and users), and so does its ARN: a Deny
// on "db:prod" holds for "PROD".
struct NamedBy {
  std::string_view member;
  std::string_view resourcePrefix;
  bool folded = false;
};

struct ServiceResources {
  std::string_view signingName;
  std::string_view arnService;  // the service of its ARNs
  bool global;                  // ARNs without a region (IAM)
  std::vector<NamedBy> members;
};

// Members whose value is already an ARN (tagging calls, mostly) are taken
// as they are: ResourceArn, ResourceName (RDS, ElastiCache), TableArn,
// ResourceIdentifier (RDS's pending maintenance).
const std::array<std::string_view, 4> kArnMembers{"ResourceArn", "ResourceName", "TableArn", "ResourceIdentifier"};

const std::vector<ServiceResources>& table() {
  static const std::vector<ServiceResources> services{
      // DynamoDB Streams signs as dynamodb: its calls name their stream by ARN.
      // A restore reads its source (a backup, or a table at a point in
      // time) and makes its target: it is authorized on each, as DynamoDB
      // authorizes it.
      {"dynamodb",
       "dynamodb",
       false,
       {{"TableName", "table/"},
        {"GlobalTableName", "global-table/"},
        {"StreamArn", ""},
        {"BackupArn", ""},
        {"SourceTableName", "table/"},
        {"SourceTableArn", ""},
        {"TargetTableName", "table/"}}},
      {"rds",
       "rds",
       false,
       {{"DBSnapshotIdentifier", "snapshot:", true},
        {"DBClusterSnapshotIdentifier", "cluster-snapshot:", true},
        {"DBInstanceIdentifier", "db:", true},
        {"DBClusterIdentifier", "cluster:", true},
        {"DBClusterEndpointIdentifier", "cluster-endpoint:", true},
        // Restores, copies and replicas read a source and make a target.
        {"SourceDBInstanceIdentifier", "db:", true},
        {"TargetDBInstanceIdentifier", "db:", true},
        {"SourceDBClusterIdentifier", "cluster:", true},
        {"SourceDBSnapshotIdentifier", "snapshot:", true},
        {"TargetDBSnapshotIdentifier", "snapshot:", true},
        {"SourceDBClusterSnapshotIdentifier", "cluster-snapshot:", true},
        {"TargetDBClusterSnapshotIdentifier", "cluster-snapshot:", true},
        {"DBSubnetGroupName", "subgrp:", true},
        {"DBClusterParameterGroupName", "cluster-pg:", true},
        {"DBParameterGroupName", "pg:", true}}},
      {"elasticache",
       "elasticache",
       false,
       {{"SnapshotName", "snapshot:"},
        {"SourceSnapshotName", "snapshot:"},
        {"TargetSnapshotName", "snapshot:"},
        {"CacheClusterId", "cluster:", true},
        {"ReplicationGroupId", "replicationgroup:", true},
        {"UserGroupId", "usergroup:", true},
        {"UserId", "user:", true},
        {"CacheSubnetGroupName", "subnetgroup:", true},
        {"CacheParameterGroupName", "parametergroup:", true}}},
      {"kms", "kms", false, {{"KeyId", "key/"}, {"AliasName", ""}}},
      {"secretsmanager", "secretsmanager", false, {{"SecretId", "secret:"}, {"Name", "secret:"}}},
      {"logs", "logs", false, {{"logGroupName", "log-group:"}}},
      {"monitoring", "cloudwatch", false, {{"AlarmName", "alarm:"}, {"AlarmNames", "alarm:"}}},
      // A user's policies are acted on through the user; a managed policy
      // is its own resource.
      {"iam", "iam", true, {{"UserName", "user/"}, {"PolicyArn", ""}, {"PolicyName", "policy/"}}},
  };
  return services;
}

std::string arnOf(const ServiceResources& service, const RequestTarget& target, std::string_view prefix,
                  const std::string& value) {
  std::string region = service.global ? "" : target.region;
  return "arn:aws:" + std::string(service.arnService) + ":" + region + ":" + target.accountId + ":" +
         std::string(prefix) + value;
}

// KMS names a key by id, ARN, alias name or alias ARN.
std::string kmsArn(const ServiceResources& service, const RequestTarget& target, const std::string& keyId) {
  if (keyId.rfind("arn:", 0) == 0) return keyId;
  if (keyId.rfind("alias/", 0) == 0) return arnOf(service, target, "", keyId);
  return arnOf(service, target, "key/", keyId);
}

// DynamoDB's batch and transaction calls act on every table they name.
std::vector<std::string> dynamoDbTables(const ServiceResources& service, const Json& input,
                                        const RequestTarget& target) {
  std::vector<std::string> out;
  if (auto items = input.find("RequestItems"); items != input.end() && items->is_object()) {
    for (auto it = items->begin(); it != items->end(); ++it) out.push_back(arnOf(service, target, "table/", it.key()));
  }
  if (auto items = input.find("TransactItems"); items != input.end() && items->is_array()) {
    for (const auto& item : *items) {
      if (!item.is_object()) continue;
      for (auto part = item.begin(); part != item.end(); ++part) {
        auto name = part->find("TableName");
        if (part->is_object() && name != part->end() && name->is_string()) {
          out.push_back(arnOf(service, target, "table/", name->get<std::string>()));
        }
      }
    }
  }
  // A global table's calls act on its table in every region they name
  // (UpdateTable's ReplicaUpdates, the legacy ReplicationGroup and
  // ReplicaUpdates), as DynamoDB authorizes them on each replica's ARN.
  std::string name;
  for (const char* member : {"TableName", "GlobalTableName"}) {
    if (auto it = input.find(member); it != input.end() && it->is_string()) name = it->get<std::string>();
  }
  for (const char* member : {"ReplicaUpdates", "ReplicationGroup"}) {
    auto list = input.find(member);
    if (name.empty() || list == input.end() || !list->is_array()) continue;
    for (const auto& entry : *list) {
      if (!entry.is_object()) continue;
      const Json* regionOf = &entry;
      if (entry.size() == 1 && entry.begin()->is_object()) regionOf = &*entry.begin();  // {"Create": {...}}
      auto region = regionOf->find("RegionName");
      if (region == regionOf->end() || !region->is_string()) continue;
      RequestTarget there = target;
      there.region = region->get<std::string>();
      out.push_back(arnOf(service, there, "table/", name));
    }
  }
  return out;
}

}  // namespace

std::string actionPrefix(std::string_view signingName) {
  return signingName == "monitoring" ? "cloudwatch" : std::string(signingName);
}

std::vector<std::string> requestResources(std::string_view signingName, std::string_view operation,
                                          const Json& input, const RequestTarget& target) {
  if (!input.is_object()) return {"*"};
  for (const auto& service : table()) {
    if (service.signingName != signingName) continue;
    // A member that names a resource by ARN is evaluated beside the one that
    // names it by name, never instead of it: a call that carries both (a
    // ResourceArn the handler ignores beside its TableName) is allowed only
    // if both are, so that an extra member cannot stand in for the resource
    // the call acts on. The name's resource comes last.
    std::vector<std::string> out;
    for (std::string_view member : kArnMembers) {
      auto it = input.find(member);
      if (it != input.end() && it->is_string() && it->get<std::string>().rfind("arn:", 0) == 0) {
        out.push_back(it->get<std::string>());
      }
    }
    if (signingName == "dynamodb") {
      auto tables = dynamoDbTables(service, input, target);
      out.insert(out.end(), tables.begin(), tables.end());
      // A shard iterator starts with its stream's ARN (GetRecords), as
      // DynamoDB's do; the handler reads no other stream than that one.
      if (auto it = input.find("ShardIterator"); it != input.end() && it->is_string()) {
        const std::string& iterator = it->get_ref<const std::string&>();
        if (iterator.rfind("arn:", 0) == 0) out.push_back(iterator.substr(0, iterator.find('|')));
      }
    }
    // IAM's calls on a managed policy act on the policy, its calls on a user
    // (attaching a policy included) on the user: a member the call does not
    // take (a UserName beside CreatePolicyVersion's PolicyArn) is not read.
    bool policyCall = signingName == "iam" && operation.find("Polic") != std::string_view::npos &&
                      operation.find("User") == std::string_view::npos;
    // Outside IAM every member the input carries names a resource the call
    // is evaluated on (CreateDBSnapshot on its instance and its snapshot, as
    // RDS authorizes it), so that a member the call ignores only narrows it.
    // They are read last to first: the row's first member, the one a
    // resolver looks up, comes last.
    bool found = false;
    for (auto named = service.members.rbegin(); named != service.members.rend(); ++named) {
      if (signingName == "iam" && policyCall == (named->member == "UserName")) continue;
      auto it = input.find(named->member);
      if (it == input.end()) continue;
      std::vector<std::string> values;
      if (it->is_string()) values.push_back(it->get<std::string>());
      if (it->is_array()) {
        for (const auto& entry : *it) {
          if (entry.is_string()) values.push_back(entry.get<std::string>());
        }
      }
      if (values.empty()) continue;
      if (signingName == "iam" && found) out.pop_back();  // IAM's first member alone decides
      found = true;
      for (std::string& value : values) {
        if (signingName == "kms") {
          out.push_back(kmsArn(service, target, value));
        } else if (value.rfind("arn:", 0) == 0) {
          out.push_back(value);
        } else {
          out.push_back(arnOf(service, target, named->resourcePrefix, named->folded ? asciiLowered(value) : value));
        }
      }
    }
    if (!out.empty()) return out;
    // IAM's calls on the caller itself (GetUser, ListAccessKeys without a name).
    if (signingName == "iam" && operation != "ListUsers" && operation != "ListPolicies" && !target.callerArn.empty()) {
      return {target.callerArn};
    }
    break;
  }
  return {"*"};
}

}  // namespace kura::auth
