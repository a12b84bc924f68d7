#pragma once
// An ElastiCache replication group (cluster mode enabled) as Application
// Auto Scaling counts and changes it: the replicas per node group
// (elasticache:replication-group:Replicas, through IncreaseReplicaCount and
// DecreaseReplicaCount) and the node groups
// (elasticache:replication-group:NodeGroups, through
// ModifyReplicationGroupShardConfiguration, the newest node groups removed
// first), ElastiCache's own handlers run as the service-linked role.
#include <cstdint>
#include <string>

#include "services/applicationautoscaling/scalable_dimensions.h"
#include "services/applicationautoscaling/service_role_calls.h"

namespace kura {

class CacheReplicas {
 public:
  explicit CacheReplicas(ServiceRoleCalls calls) : calls_(std::move(calls)) {}

  // Replicas per node group (the fewest any node group has) or node groups;
  // ValidationException when the group does not exist.
  Result<int64_t> current(const std::string& account, const std::string& region, const ScalableResource& target);
  Result<bool> set(const std::string& account, const std::string& region, const ScalableResource& target,
                   int64_t count);

 private:
  Result<Json> group(const std::string& account, const std::string& region, const ScalableResource& target);

  ServiceRoleCalls calls_;
};

}  // namespace kura
