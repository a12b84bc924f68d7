#pragma once
// The capacity of any scalable target Kura serves, read and changed by the
// service that owns it: DynamoDB's provisioned units, an Aurora cluster's
// replicas, an ElastiCache replication group's replicas or node groups.
#include "services/applicationautoscaling/aurora_replicas.h"
#include "services/applicationautoscaling/cache_replicas.h"
#include "services/applicationautoscaling/dynamodb_capacity.h"

namespace kura {

class TargetCapacity {
 public:
  TargetCapacity(DynamoDbCapacity dynamodb, AuroraReplicas aurora, CacheReplicas cache)
      : dynamodb_(std::move(dynamodb)), aurora_(std::move(aurora)), cache_(std::move(cache)) {}

  Result<int64_t> current(const std::string& account, const std::string& region, const ScalableResource& target) {
    switch (target.kind) {
      case ScalableKind::DynamoDbCapacity:
        return dynamodb_.current(account, region, target);
      case ScalableKind::AuroraReplicas:
        return aurora_.current(account, region, target);
      default:
        return cache_.current(account, region, target);
    }
  }
  Result<bool> set(const std::string& account, const std::string& region, const ScalableResource& target,
                   int64_t capacity) {
    switch (target.kind) {
      case ScalableKind::DynamoDbCapacity:
        return dynamodb_.set(account, region, target, capacity);
      case ScalableKind::AuroraReplicas:
        return aurora_.set(account, region, target, capacity);
      default:
        return cache_.set(account, region, target, capacity);
    }
  }

 private:
  DynamoDbCapacity dynamodb_;
  AuroraReplicas aurora_;
  CacheReplicas cache_;
};

}  // namespace kura
