#include "services/applicationautoscaling/scalable_dimensions.h"

namespace kura {
namespace {

ApiError unsupported() {
  return ApiError::sender("ValidationException", "Unsupported service namespace, resource type or scalable dimension");
}

Result<ScalableResource> parseDynamoDb(const std::string& resourceId, const std::string& dimension) {
  ScalableResource target;
  bool index = false;
  if (dimension == "dynamodb:table:ReadCapacityUnits" || dimension == "dynamodb:table:WriteCapacityUnits") {
    index = false;
  } else if (dimension == "dynamodb:index:ReadCapacityUnits" || dimension == "dynamodb:index:WriteCapacityUnits") {
    index = true;
  } else {
    return unsupported();
  }
  target.read = dimension.ends_with(":ReadCapacityUnits");
  if (!resourceId.starts_with("table/") || resourceId.size() == 6) return unsupported();
  std::string rest = resourceId.substr(6);
  size_t marker = rest.find("/index/");
  if (index) {
    if (marker == std::string::npos || marker == 0 || marker + 7 >= rest.size()) return unsupported();
    target.table = rest.substr(0, marker);
    target.index = rest.substr(marker + 7);
  } else {
    if (rest.find('/') != std::string::npos) return unsupported();
    target.table = rest;
  }
  if (target.table.find('/') != std::string::npos || target.index.find('/') != std::string::npos) {
    return unsupported();
  }
  return target;
}

// The name after `prefix`, one path segment.
std::optional<std::string> nameAfter(const std::string& resourceId, const std::string& prefix) {
  if (!resourceId.starts_with(prefix) || resourceId.size() == prefix.size()) return std::nullopt;
  std::string name = resourceId.substr(prefix.size());
  if (name.find_first_of("/:") != std::string::npos) return std::nullopt;
  return name;
}

}  // namespace

Result<ScalableResource> parseScalableTarget(const std::string& nameSpace, const std::string& resourceId,
                                             const std::string& dimension) {
  if (nameSpace == "dynamodb") return parseDynamoDb(resourceId, dimension);
  ScalableResource target;
  if (nameSpace == "rds" && dimension == "rds:cluster:ReadReplicaCount") {
    target.kind = ScalableKind::AuroraReplicas;
    auto name = nameAfter(resourceId, "cluster:");
    if (!name) return unsupported();
    target.id = *name;
    return target;
  }
  if (nameSpace == "elasticache" && (dimension == "elasticache:replication-group:Replicas" ||
                                     dimension == "elasticache:replication-group:NodeGroups")) {
    target.kind = dimension.ends_with(":Replicas") ? ScalableKind::CacheReplicas : ScalableKind::CacheNodeGroups;
    auto name = nameAfter(resourceId, "replication-group/");
    if (!name) return unsupported();
    target.id = *name;
    return target;
  }
  return unsupported();
}

std::string capacityNoun(const ScalableResource& target) {
  switch (target.kind) {
    case ScalableKind::DynamoDbCapacity:
      return target.read ? "read capacity units" : "write capacity units";
    case ScalableKind::AuroraReplicas:
      return "desired count of Aurora Replicas";
    case ScalableKind::CacheReplicas:
      return "desired replicas per node group";
    case ScalableKind::CacheNodeGroups:
      return "desired node group count";
  }
  return "capacity";
}

CapacityBounds capacityBounds(const ScalableResource& target) {
  switch (target.kind) {
    case ScalableKind::DynamoDbCapacity:
      return {1, 40000, "DynamoDB"};
    case ScalableKind::AuroraReplicas:
      return {0, 15, "Aurora"};
    case ScalableKind::CacheReplicas:
      return {0, 5, "ElastiCache"};
    case ScalableKind::CacheNodeGroups:
      return {1, 500, "ElastiCache"};
  }
  return {0, 0, ""};
}

std::string serviceRoleArn(const std::string& account, const std::string& nameSpace) {
  std::string role = nameSpace == "rds"           ? "AWSServiceRoleForApplicationAutoScaling_RDSCluster"
                     : nameSpace == "elasticache" ? "AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG"
                                                  : "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable";
  return "arn:aws:iam::" + account + ":role/aws-service-role/" + nameSpace + ".application-autoscaling.amazonaws.com/" +
         role;
}

}  // namespace kura
