#pragma once
// Which scalable targets Kura can scale, and the checks Application Auto
// Scaling makes of a namespace, resource id and scalable dimension:
// DynamoDB tables' and global secondary indexes' read and write capacity
// units ("table/<name>", "table/<name>/index/<index>"), the Aurora Replicas
// of an Aurora cluster ("cluster:<name>", rds:cluster:ReadReplicaCount), and
// the replicas per node group and node groups of an ElastiCache replication
// group with cluster mode enabled ("replication-group/<id>",
// elasticache:replication-group:Replicas and :NodeGroups). Other
// combinations name resources Kura does not serve and are refused as AWS
// refuses an unsupported combination.
#include <cstdint>
#include <optional>
#include <string>

#include "common/api_error.h"

namespace kura {

enum class ScalableKind { DynamoDbCapacity, AuroraReplicas, CacheReplicas, CacheNodeGroups };

// A target, parsed from its resource id and dimension.
struct ScalableResource {
  ScalableKind kind = ScalableKind::DynamoDbCapacity;
  std::string table;  // DynamoDB
  std::string index;  // empty for the table itself
  bool read = true;   // ReadCapacityUnits, else WriteCapacityUnits
  std::string id;     // the Aurora cluster or the replication group
};

// The target, or ValidationException.
Result<ScalableResource> parseScalableTarget(const std::string& nameSpace, const std::string& resourceId,
                                             const std::string& dimension);

// What the activities say is set: "read capacity units", "Aurora replicas
// count", "replicas per node group", "node group count".
std::string capacityNoun(const ScalableResource& target);

// The range AWS allows a target's MinCapacity and MaxCapacity, and the
// service's name in its messages.
struct CapacityBounds {
  int64_t minimum;
  int64_t maximum;
  const char* service;
};
CapacityBounds capacityBounds(const ScalableResource& target);

// The service-linked role Application Auto Scaling uses for the namespace.
std::string serviceRoleArn(const std::string& account, const std::string& nameSpace);

}  // namespace kura
