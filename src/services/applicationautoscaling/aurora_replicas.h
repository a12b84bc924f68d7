#pragma once
// The Aurora Replicas of an Aurora cluster as Application Auto Scaling
// counts and changes them (rds:cluster:ReadReplicaCount): the count is the
// cluster's reader instances not being deleted; scaling out creates reader
// instances in the cluster through RDS's own CreateDBInstance, named
// application-autoscaling-<uuid> and tagged application-autoscaling:resourceId
// = cluster:<name>, as AWS's auto scaling names and tags them (class and
// engine of the writer); scaling in deletes only the instances auto scaling
// added, newest first.
#include <cstdint>
#include <string>

#include "services/applicationautoscaling/scalable_dimensions.h"
#include "services/applicationautoscaling/service_role_calls.h"

namespace kura {

class AuroraReplicas {
 public:
  explicit AuroraReplicas(ServiceRoleCalls calls) : calls_(std::move(calls)) {}

  // The number of Aurora Replicas; ValidationException when the cluster
  // does not exist or is not an Aurora cluster.
  Result<int64_t> current(const std::string& account, const std::string& region, const ScalableResource& target);
  // Adds or removes replicas to reach `count`.
  Result<bool> set(const std::string& account, const std::string& region, const ScalableResource& target,
                   int64_t count);

 private:
  // The cluster's instances (DescribeDBInstances).
  Result<Json> instances(const std::string& account, const std::string& region, const ScalableResource& target);

  ServiceRoleCalls calls_;
};

}  // namespace kura
